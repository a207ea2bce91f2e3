/// Percent-decoding for request targets and `application/x-www-form-urlencoded` bodies
/// (RFC 3986, section 2.1, and the WHATWG URL standard's form decoding).
public enum PercentEncoding {
    /// Decodes `%XX` escapes, and `+` as a space when `plusAsSpace` is set (form encoding).
    /// Returns nil when an escape is malformed or the result is not valid UTF-8, so callers
    /// can reject the input instead of guessing.
    public static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue),
                      let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Encodes every byte outside RFC 3986's unreserved set, so the result is safe in a path
    /// segment, a query value or a form field.
    public static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        let hexDigits = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Parses `a=1&b=two+words` into ordered pairs. Returns nil when any name or value is
    /// badly encoded.
    public static func decodeForm(_ text: Substring) -> FormParameters? {
        var parameters = FormParameters()
        // Split on bytes, not Characters: a combining mark right after `&` or `=` would form
        // one Character with it, and the separator would go unseen.
        for piece in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                name = Substring(piece[..<equals])
                value = Substring(piece[piece.index(after: equals)...])
            } else {
                name = Substring(piece)
                value = ""
            }
            guard let decodedName = decode(name, plusAsSpace: true),
                  let decodedValue = decode(value, plusAsSpace: true)
            else { return nil }
            parameters.append(decodedName, decodedValue)
        }
        return parameters
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
