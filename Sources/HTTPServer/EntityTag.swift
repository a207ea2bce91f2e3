/// An entity tag as in `ETag: "abc"` or `W/"abc"` (RFC 9110, section 8.8.3).
struct EntityTag: Sendable, Hashable {
    /// The characters between the quotes.
    let opaqueTag: String
    let isWeak: Bool

    var headerValue: String { (isWeak ? "W/" : "") + "\"\(opaqueTag)\"" }

    /// Strong comparison (RFC 9110, section 8.8.3.2): both tags strong and equal.
    func matchesStrongly(_ other: EntityTag) -> Bool {
        !isWeak && !other.isWeak && opaqueTag == other.opaqueTag
    }

    /// Weak comparison: the opaque tags are equal, whether or not either is weak.
    func matchesWeakly(_ other: EntityTag) -> Bool {
        opaqueTag == other.opaqueTag
    }

    /// The value of `If-Match` or `If-None-Match`: `*` or a list of entity tags.
    enum Condition: Equatable {
        case any
        case tags([EntityTag])
    }

    /// Parses `"*" / #entity-tag`, joining repeated header fields with commas as RFC 9110,
    /// section 5.3, allows. Returns nil when any element is malformed.
    static func parseCondition(_ values: [String]) -> Condition? {
        let text = values.joined(separator: ",")
        if text.trimmingSpacesAndTabs() == "*" { return .any }

        let bytes = Array(text.utf8)
        var tags: [EntityTag] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard let (tag, end) = parseTag(bytes, at: index) else { return nil }
            tags.append(tag)
            index = end

            // Only whitespace may separate a tag from the next comma.
            while index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) {
                index += 1
            }
            guard index == bytes.count || bytes[index] == UInt8(ascii: ",") else { return nil }
        }
        return tags.isEmpty ? nil : .tags(tags)
    }

    /// Parses one entity tag, for example the value of `If-Range`. Returns nil for anything
    /// else, such as an HTTP-date.
    static func parse(_ text: String) -> EntityTag? {
        let bytes = Array(text.trimmingSpacesAndTabs().utf8)
        guard let (tag, end) = parseTag(bytes, at: 0), end == bytes.count else { return nil }
        return tag
    }

    /// Parses `[ "W/" ] DQUOTE *etagc DQUOTE` at `start`, where etagc is any visible byte but
    /// `"`, or obs-text. Returns the tag and the index after its closing quote.
    private static func parseTag(_ bytes: [UInt8], at start: Int) -> (EntityTag, Int)? {
        var index = start
        var isWeak = false
        if index + 1 < bytes.count && bytes[index] == UInt8(ascii: "W") && bytes[index + 1] == UInt8(ascii: "/") {
            isWeak = true
            index += 2
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1

        let contentStart = index
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
            let byte = bytes[index]
            guard byte == 0x21 || (byte >= 0x23 && byte != 0x7F) else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }

        let opaqueTag = String(decoding: bytes[contentStart..<index], as: UTF8.self)
        return (EntityTag(opaqueTag: opaqueTag, isWeak: isWeak), index + 1)
    }
}

extension StringProtocol {
    /// Removes leading and trailing spaces and tabs (OWS in RFC 9110, section 5.6.3).
    fileprivate func trimmingSpacesAndTabs() -> Substring {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
