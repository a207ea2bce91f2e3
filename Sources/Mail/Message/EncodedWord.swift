/// RFC 2047 encoded-words (`=?UTF-8?Q?Caf=C3=A9?=`) for non-ASCII text in subjects, display
/// names and other header values.
enum EncodedWord {
    /// RFC 2047, section 2: an encoded-word is at most 75 characters.
    static let maximumLength = 75
    /// `=?UTF-8?Q?` plus `?=`.
    private static let overhead = 12

    enum Encoding: Character {
        /// Base64 (section 4.1): compact for text that is mostly non-ASCII, such as emoji.
        case b = "B"
        /// Quoted-printable in the restricted form of section 5 (3), which is valid both in
        /// `*text` and in a `phrase`: readable for text that is mostly ASCII, such as
        /// French or Spanish.
        case q = "Q"
    }

    /// Encodes `text` as encoded-words that `HeaderText.fold` separates with folding
    /// whitespace. The first word is at most `firstLength` characters so it fits after the
    /// header name; the others at most 75.
    ///
    /// Whichever of B and Q gives the shorter result is used. Words split only between
    /// characters, or between Unicode scalars for a character too long for one word, as
    /// section 5 requires ("each encoded-word MUST represent an integral number of
    /// characters"). Readers ignore the whitespace between adjacent encoded-words (section
    /// 6.2), so spaces in `text` are encoded inside the words.
    static func encode(_ text: String, firstLength: Int = maximumLength) -> [String] {
        let q = encode(text, using: .q, firstLength: firstLength)
        let b = encode(text, using: .b, firstLength: firstLength)
        let qLength = q.reduce(0) { $0 + $1.utf8.count }
        let bLength = b.reduce(0) { $0 + $1.utf8.count }
        return bLength < qLength ? b : q
    }

    static func encode(_ text: String, using encoding: Encoding, firstLength: Int = maximumLength) -> [String] {
        var words: [String] = []
        var pending: [UInt8] = []
        // At least 12 characters, the Q form of a four-byte scalar.
        var capacity = max(min(firstLength, maximumLength) - overhead, 12)

        func flush() {
            guard !pending.isEmpty else {
                return
            }
            words.append("=?UTF-8?\(encoding.rawValue)?" + encodedText(pending, using: encoding) + "?=")
            pending = []
            capacity = maximumLength - overhead
        }

        func append(_ bytes: [UInt8]) {
            if encodedLength(pending + bytes, using: encoding) > capacity {
                flush()
            }
            pending += bytes
        }

        for character in text {
            let bytes = Array(String(character).utf8)
            if encodedLength(bytes, using: encoding) <= maximumLength - overhead {
                append(bytes)
            } else {
                // One long grapheme cluster (a family emoji, a flag with tags): split it
                // between scalars, each of which fits in a word on its own.
                for scalar in character.unicodeScalars {
                    append(Array(String(scalar).utf8))
                }
            }
        }
        flush()
        return words
    }

    private static func encodedLength(_ bytes: [UInt8], using encoding: Encoding) -> Int {
        switch encoding {
        case .b:
            return (bytes.count + 2) / 3 * 4
        case .q:
            return bytes.reduce(0) { $0 + (isLiteralInQ($1) || $1 == 0x20 ? 1 : 3) }
        }
    }

    private static func encodedText(_ bytes: [UInt8], using encoding: Encoding) -> String {
        switch encoding {
        case .b:
            return Base64.encode(bytes)
        case .q:
            var text = ""
            for byte in bytes {
                if isLiteralInQ(byte) {
                    text.unicodeScalars.append(Unicode.Scalar(byte))
                } else if byte == 0x20 {
                    text += "_"
                } else {
                    text += "=" + Hex.byte(byte)
                }
            }
            return text
        }
    }

    /// The characters that RFC 2047, section 5 (3), allows unencoded in a Q-encoded word
    /// inside a phrase: letters, digits and `! * + - /`. `=`, `?` and `_` always need
    /// encoding.
    private static func isLiteralInQ(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}

/// Upper-case hexadecimal, as quoted-printable requires (RFC 2045, section 6.7 (1)).
enum Hex {
    private static let digits = Array("0123456789ABCDEF".utf8)

    static func byte(_ byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    static func append(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0x0F)])
    }
}

/// Base64 (RFC 4648, section 4) with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: encodeBytes(bytes), as: UTF8.self)
    }

    static func encodeBytes(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let first = bytes[index]
            let second = index + 1 < bytes.count ? bytes[index + 1] : 0
            let third = index + 2 < bytes.count ? bytes[index + 2] : 0
            output.append(alphabet[Int(first >> 2)])
            output.append(alphabet[Int((first & 0x03) << 4 | second >> 4)])
            output.append(index + 1 < bytes.count ? alphabet[Int((second & 0x0F) << 2 | third >> 6)] : UInt8(ascii: "="))
            output.append(index + 2 < bytes.count ? alphabet[Int(third & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return output
    }
}
