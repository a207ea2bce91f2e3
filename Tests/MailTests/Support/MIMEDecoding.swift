import Foundation

/// Decoders written for the tests from the RFC text, independent of the encoders under
/// test, so a round trip checks the encoding and not only the output's shape.
enum MIMEDecoding {
    /// Decodes quoted-printable (RFC 2045, section 6.7): `=` CRLF is a soft break, `=XX`
    /// a byte, CRLF a line break. Returns nil for an `=` followed by anything else.
    static func quotedPrintable(_ encoded: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        var index = 0
        while index < encoded.count {
            let byte = encoded[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < encoded.count, encoded[index + 1] == 13, encoded[index + 2] == 10 {
                index += 3
                continue
            }
            guard index + 2 < encoded.count,
                  let high = hexValue(encoded[index + 1]), let low = hexValue(encoded[index + 2]) else {
                return nil
            }
            output.append(high << 4 | low)
            index += 3
        }
        return output
    }

    /// Decodes a header value made of RFC 2047 encoded-words separated by whitespace.
    /// Section 6.2 requires readers to drop whitespace between adjacent encoded-words.
    static func encodedWords(_ value: String) -> String? {
        var bytes: [UInt8] = []
        for word in value.split(whereSeparator: \.isWhitespace) {
            let parts = word.split(separator: "?", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "=", parts[4] == "=", parts[1].uppercased() == "UTF-8" else {
                return nil
            }
            switch parts[2].uppercased() {
            case "B":
                guard let data = Data(base64Encoded: String(parts[3])) else {
                    return nil
                }
                bytes += data
            case "Q":
                let text = Array(parts[3].utf8).map { $0 == UInt8(ascii: "_") ? 0x20 : $0 }
                guard let decoded = quotedPrintable(text) else {
                    return nil
                }
                bytes += decoded
            default:
                return nil
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    /// Undoes header folding (RFC 5322, section 2.2.3): removes each CRLF that is followed
    /// by a space or tab.
    static func unfold(_ field: String) -> String {
        field.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A rendered message split into its header fields and body, for checks.
struct RenderedMessage {
    let bytes: [UInt8]
    let text: String
    /// Header fields as rendered, folds included, without the final CRLF of each.
    let fields: [String]
    let body: String

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        text = String(decoding: bytes, as: UTF8.self)
        let separator = text.range(of: "\r\n\r\n")!
        let head = String(text[..<separator.lowerBound])
        body = String(text[separator.upperBound...])
        var fields: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !fields.isEmpty {
                fields[fields.count - 1] += "\r\n" + line
            } else {
                fields.append(line)
            }
        }
        self.fields = fields
    }

    /// The field named `name` (case-insensitive), folded as rendered, without `Name: `.
    func field(_ name: String) -> String? {
        let prefix = name.lowercased() + ": "
        return fields.first { $0.lowercased().hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Every line without its CRLF.
    var lines: [String] {
        text.components(separatedBy: "\r\n")
    }
}
