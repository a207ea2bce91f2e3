/// Content-Transfer-Encodings for a text part (RFC 2045, section 6). Both produce 7-bit
/// lines of at most 76 characters, so any SMTP server relays them without the 8BITMIME
/// extension.
public enum BodyEncoding: String, Sendable, Equatable {
    /// Quoted-printable (section 6.7): ASCII stays readable, other bytes become `=XX`.
    case quotedPrintable = "quoted-printable"
    /// Base64 (section 6.8): a third larger than the input whatever the text.
    case base64 = "base64"

    /// Encodes `text` after converting every line break (CRLF, LF or a lone CR) to CRLF,
    /// the canonical form of a text part (RFC 2049, section 4). The result has CRLF line
    /// endings and no final CRLF; the caller adds the one that ends the part.
    func encode(_ text: String) -> [UInt8] {
        let canonical = Self.canonicalLines(of: text)
        switch self {
        case .quotedPrintable:
            return QuotedPrintable.encode(lines: canonical)
        case .base64:
            var bytes: [UInt8] = []
            for (index, line) in canonical.enumerated() {
                if index > 0 {
                    bytes += [13, 10]
                }
                bytes += line
            }
            return Base64Lines.encode(bytes)
        }
    }

    /// The text's UTF-8 lines, split at CRLF, LF or a lone CR. A text that ends with a
    /// line break ends with an empty line.
    static func canonicalLines(of text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 10 && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == 13
            if byte == 10 || byte == 13 {
                lines.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        lines.append(current)
        return lines
    }
}

/// Quoted-printable encoding of text (RFC 2045, section 6.7).
enum QuotedPrintable {
    /// Rule 5: an encoded line is at most 76 characters, the `=` of a soft line break
    /// included.
    static let maximumLineLength = 76

    /// Encodes canonical lines, joining them with CRLF (hard line breaks, rule 4).
    ///
    /// Printable ASCII other than `=` stays literal (rule 2). Space and tab stay literal
    /// except at the end of a line, where rule 3 requires encoding because transports may
    /// strip trailing whitespace. Every other byte is `=XX` with upper-case hex (rule 1).
    /// A soft line break `=` CRLF never splits an `=XX` triplet.
    ///
    /// Every order sends two mails, so the bytes go straight into one output buffer,
    /// without an array per encoded character.
    static func encode(lines: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = []
        // Text is mostly literal: the input, its line breaks and some room for escapes.
        output.reserveCapacity(lines.reduce(0) { $0 + $1.count + 2 } * 5 / 4 + 16)
        for (lineIndex, line) in lines.enumerated() {
            if lineIndex > 0 {
                output.append(13)
                output.append(10)
            }
            var lineLength = 0
            let lastIndex = line.count - 1
            for index in line.indices {
                let byte = line[index]
                let isLast = index == lastIndex
                let isWhitespace = byte == 0x20 || byte == 0x09
                let isLiteral = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || (isWhitespace && !isLast)
                let tokenLength = isLiteral ? 1 : 3
                // A token that is not the last needs room for a later soft break's `=`.
                let limit = isLast ? maximumLineLength : maximumLineLength - 1
                if lineLength + tokenLength > limit {
                    output.append(UInt8(ascii: "="))
                    output.append(13)
                    output.append(10)
                    lineLength = 0
                }
                if isLiteral {
                    output.append(byte)
                } else {
                    output.append(UInt8(ascii: "="))
                    Hex.append(byte, to: &output)
                }
                lineLength += tokenLength
            }
        }
        return output
    }
}

/// Base64 for a body part: lines of 76 characters separated by CRLF (RFC 2045, section 6.8).
enum Base64Lines {
    static let lineLength = 76

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Base64.encodeBytes(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count + encoded.count / lineLength * 2)
        var start = 0
        while start < encoded.count {
            if start > 0 {
                output += [13, 10]
            }
            let end = min(start + lineLength, encoded.count)
            output += encoded[start..<end]
            start = end
        }
        return output
    }
}
