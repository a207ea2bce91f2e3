import Crypto

/// Generation and validation of store ids such as `st_k3q7x2m9p4r8t6vw`.
///
/// The id names the store's folder on disk and never changes, unlike the slug and the
/// domains. It is `st_` and 16 characters of lower-case base32 (RFC 4648, section 6: the
/// letters a-z and the digits 2-7). The 80 random bits keep ids of stores created on
/// different nodes apart, and the alphabet can never form a path separator or a dot.
public enum StoreID {
    public static let prefix = "st_"
    public static let randomCharacterCount = 16

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// Returns a new random id.
    public static func generate() -> String {
        // 10 bytes are exactly 80 bits, which base32 writes as 16 characters of 5 bits each.
        let bytes = SecureRandom.bytes(count: 10)
        var characters: [UInt8] = []
        characters.reserveCapacity(randomCharacterCount)
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                characters.append(alphabet[Int((buffer >> UInt32(bitCount)) & 31)])
            }
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    /// Whether `text` has the shape of a store id. Every path built from an id checks this
    /// first, so a forged id can never point outside the stores folder.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == prefix.utf8.count + randomCharacterCount,
              text.hasPrefix(prefix)
        else { return false }
        return bytes.dropFirst(prefix.utf8.count).allSatisfy { alphabet.contains($0) }
    }
}
