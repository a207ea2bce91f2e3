/// Checks and folding for header values (RFC 5322, sections 2.2 and 3.2).
enum HeaderText {
    /// RFC 2047, section 2, limits a header line that contains an encoded-word to 76
    /// characters. Every folded line this target writes keeps to it, which is also under
    /// the 78 that RFC 5322, section 2.1.1, recommends.
    static let lineLimit = 76
    /// RFC 5322, section 2.1.1: a line must not exceed 998 characters without its CRLF.
    static let hardLineLimit = 998

    /// Rejects CR and LF (which would end the header and inject whatever follows) and every
    /// other control character, tab included.
    static func checkPrintable(_ value: String, field: String) throws(MailMessageError) {
        for scalar in value.unicodeScalars {
            if scalar == "\r" || scalar == "\n" {
                throw .lineBreakInHeader(field: field, value: value)
            }
            // U+0085, U+2028 and U+2029 are line breaks in Unicode; some readers break lines at them.
            if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0)
                || scalar == "\u{2028}" || scalar == "\u{2029}" {
                throw .controlCharacter(field: field, value: value)
            }
        }
    }

    /// `atext` from RFC 5322, section 3.2.3: the characters allowed in an atom.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9":
            return true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
            return true
        default:
            return false
        }
    }

    /// Whether `text` can be written as it is: printable ASCII without a sequence that a
    /// reader would take for the start of an encoded-word.
    static func isPlainASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
    }

    /// Joins `name: ` and `words` with single spaces into one header field, folding with
    /// CRLF and a space before a word that would take the line past `lineLimit`. A word
    /// longer than the limit gets a line of its own. The result has no final CRLF.
    ///
    /// Folding only replaces a space with CRLF plus that space, so unfolding (RFC 5322,
    /// section 2.2.3) gives back the value joined with single spaces.
    static func fold(name: String, words: [String]) -> String {
        var result = name + ":"
        var lineLength = result.utf8.count
        for word in words {
            let length = word.utf8.count
            if lineLength + 1 + length > lineLimit && lineLength > name.utf8.count + 1 {
                result += "\r\n"
                lineLength = 0
            }
            result += " " + word
            lineLength += 1 + length
        }
        return result
    }

    /// Splits an unstructured ASCII value at spaces for `fold`. The extra spaces of a run
    /// stay attached to the word after them, so joining with single spaces gives back the
    /// value and no fold can leave a line of only spaces. The caller trims `text` first.
    static func words(of text: String) -> [String] {
        var words: [String] = []
        var extraSpaces = ""
        for part in text.split(separator: " ", omittingEmptySubsequences: false) {
            if part.isEmpty {
                extraSpaces += " "
            } else {
                words.append(extraSpaces + part)
                extraSpaces = ""
            }
        }
        return words
    }

    /// Returns the length of the longest line in a rendered header field, without CRLF.
    static func maximumLineLength(in field: String) -> Int {
        field.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { $0.last == UInt8(ascii: "\r") ? $0.count - 1 : $0.count }
            .max() ?? 0
    }
}
