/// Byte classes from the HTTP grammar (RFC 9110, section 5.6, and RFC 3986, section 2).
enum HTTPSyntax {
    /// `tchar`: the characters of a token such as a method or a field name (RFC 9110,
    /// section 5.6.2).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `field-vchar` plus SP and HTAB: what a field value may contain (RFC 9110, section
    /// 5.5). `obs-text` (0x80–0xFF) is allowed; every other control character is not.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    /// Returns whether a byte may appear in a request target: visible ASCII except `#`, which starts
    /// a fragment that clients never send (RFC 9112, section 3.2). Characters such as `|` or
    /// `{` that browsers leave unescaped in queries are accepted.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#")
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == 0x09
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Returns whether `bytes` equals the lower-case ASCII `lowercase`, ignoring ASCII case.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                byte |= 0x20
            }
            if byte != expected[index] {
                return false
            }
        }
        return true
    }

    /// Splits a comma-separated field value into trimmed, non-empty elements (RFC 9110,
    /// section 5.6.1, which requires recipients to ignore empty elements).
    static func listElements(_ value: String) -> [Substring] {
        value.split(separator: ",").compactMap { element in
            let trimmed = element.drop(while: { $0 == " " || $0 == "\t" })
            let end = trimmed.lastIndex(where: { $0 != " " && $0 != "\t" })
            guard let end else { return nil }
            return trimmed[...end]
        }
    }

    /// Returns whether a Host field value is `uri-host [ ":" port ]` (RFC 9110, section 7.2, with
    /// the host grammar of RFC 3986, section 3.2.2). An empty value is valid.
    static func isValidHost(_ value: String) -> Bool {
        var bytes = Substring(value).utf8[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = bytes[bytes.index(after: bytes.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy(isIPLiteralByte) else { return false }
            bytes = bytes[bytes.index(after: close)...]
        } else {
            let hostEnd = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            guard bytes[..<hostEnd].allSatisfy(isRegisteredNameByte) else { return false }
            bytes = bytes[hostEnd...]
        }
        guard let colon = bytes.first else { return true }
        guard colon == UInt8(ascii: ":") else { return false }
        return bytes.dropFirst().allSatisfy(isDigit)
    }

    /// `unreserved / pct-encoded / sub-delims` (RFC 3986, section 3.2.2); the `%` of an
    /// escape is accepted here and its digits by the same rule.
    private static func isRegisteredNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "%"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// Returns whether a byte may appear in an IPv6 or `IPvFuture` literal between brackets.
    private static func isIPLiteralByte(_ byte: UInt8) -> Bool {
        hexValue(byte) != nil || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "v") || byte == UInt8(ascii: "V")
    }
}

extension UnsafeRawBufferPointer {
    /// Returns the bytes as a String, decoded as UTF-8 when they are valid UTF-8 and as ISO-8859-1
    /// otherwise, so no byte of a field value is lost (RFC 9110, section 5.5, notes that
    /// `obs-text` was historically ISO-8859-1).
    func decodedFieldText() -> String {
        if let text = String(validating: self, as: UTF8.self) {
            return text
        }
        return String(decoding: self.map { UInt16($0) }, as: UTF16.self)
    }

    /// Returns the bytes as a String. The caller has checked that they are ASCII.
    @inline(__always)
    func asciiString() -> String {
        String(decoding: self, as: UTF8.self)
    }
}
