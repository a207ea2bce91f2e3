/// Base64 with the URL- and filename-safe alphabet, without padding (RFC 4648,
/// section 5, with padding omitted as section 3.2 allows when the length is known).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Maps an ASCII byte to its 6-bit value, or 0xFF for bytes outside the alphabet.
    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Encodes bytes as unpadded base64url.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)

        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(alphabet[Int(group >> 6 & 0x3F)])
            output.append(alphabet[Int(group & 0x3F)])
            index += 3
        }

        // One or two bytes remain: they make two or three characters.
        let remaining = bytes.count - index
        if remaining == 1 {
            let group = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
        } else if remaining == 2 {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(alphabet[Int(group >> 6 & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url. Returns nil for a character outside the alphabet
    /// (including `=`, `+`, `/` and whitespace), for a length that leaves a single
    /// character over, and for unused trailing bits that are not zero. Rejecting the
    /// last case makes the encoding canonical: each byte string has exactly one text
    /// form, so two tokens that decode alike also compare equal as text.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 != 1 else {
            return nil
        }

        var values: [UInt8] = []
        values.reserveCapacity(characters.count)
        for character in characters {
            let value = decodingTable[Int(character)]
            guard value != 0xFF else {
                return nil
            }
            values.append(value)
        }

        var output: [UInt8] = []
        output.reserveCapacity(characters.count * 3 / 4)
        var index = 0
        while index + 4 <= values.count {
            let group = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12
                | UInt32(values[index + 2]) << 6 | UInt32(values[index + 3])
            output.append(UInt8(group >> 16 & 0xFF))
            output.append(UInt8(group >> 8 & 0xFF))
            output.append(UInt8(group & 0xFF))
            index += 4
        }

        let remaining = values.count - index
        if remaining == 2 {
            // 12 bits carry one byte; the low 4 bits of the second character must be zero.
            guard values[index + 1] & 0x0F == 0 else {
                return nil
            }
            output.append(values[index] << 2 | values[index + 1] >> 4)
        } else if remaining == 3 {
            // 18 bits carry two bytes; the low 2 bits of the third character must be zero.
            guard values[index + 2] & 0x03 == 0 else {
                return nil
            }
            output.append(values[index] << 2 | values[index + 1] >> 4)
            output.append(values[index + 1] << 4 | values[index + 2] >> 2)
        }
        return output
    }
}
