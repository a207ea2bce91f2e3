import Foundation

/// URL names of products: lower-case ASCII letters and digits in runs joined by single
/// hyphens, like a DNS label ("trail-mug-2"), so they need no percent-encoding in a path.
public enum Slug {
    public static let maximumLength = 100

    /// Returns whether `text` is a well-formed slug: 1 to `maximumLength` characters of
    /// `a-z`, `0-9` and `-`, with no hyphen at either end and no two hyphens in a row.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= maximumLength else { return false }
        guard text.first != "-", text.last != "-", !text.contains("--") else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// Derives a slug from a title. Letters from other scripts are transliterated to Latin
    /// and stripped of accents ("Crème brûlée" becomes "creme-brulee", "東京" becomes
    /// "dong-jing"). Every other run of characters becomes one hyphen, and the result is cut
    /// to `maximumLength`, at a hyphen where possible. Returns `fallback` when nothing is left.
    public static func make(from title: String, fallback: String = "product") -> String {
        let latin = title.applyingTransform(StringTransform("Any-Latin; Latin-ASCII; Lower"), reverse: false)
            ?? title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)

        var slug = ""
        var pendingHyphen = false
        for scalar in latin.unicodeScalars {
            let isWordCharacter = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isWordCharacter {
                if pendingHyphen && !slug.isEmpty {
                    slug.append("-")
                }
                slug.unicodeScalars.append(scalar)
                pendingHyphen = false
            } else {
                pendingHyphen = true
            }
        }

        slug = truncated(slug, to: maximumLength)
        return slug.isEmpty ? fallback : slug
    }

    /// Appends "-2", "-3", … to `base` for the `number`th product that wants the same slug,
    /// shortening `base` so the result stays within `maximumLength`.
    public static func numbered(_ base: String, _ number: Int) -> String {
        let suffix = "-\(number)"
        return truncated(base, to: maximumLength - suffix.count) + suffix
    }

    /// Cuts an ASCII slug to `length`, preferring to cut at a hyphen in the last third so a
    /// word is not split, and never leaving a hyphen at the end.
    private static func truncated(_ slug: String, to length: Int) -> String {
        guard slug.count > length else { return slug }

        var cut = String(slug.prefix(length))
        if let hyphen = cut.lastIndex(of: "-"), cut.distance(from: cut.startIndex, to: hyphen) >= length * 2 / 3 {
            cut = String(cut[..<hyphen])
        }
        while cut.hasSuffix("-") {
            cut.removeLast()
        }
        return cut
    }
}
