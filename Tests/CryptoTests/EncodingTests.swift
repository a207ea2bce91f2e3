import Crypto
import Testing

@Suite struct Base64URLTests {
    /// RFC 4648, section 10, with the padding removed.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
        ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(bytes(plain)) == encoded)
        #expect(Base64URL.decode(encoded) == bytes(plain))
    }

    /// 0xFB 0xFF is "+/8=" in standard base64, so it shows the two URL-safe characters.
    @Test func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test func roundTripEveryLength() {
        for length in 0...70 {
            let original = SecureRandom.bytes(count: length)
            let encoded = Base64URL.encode(original)
            #expect(!encoded.contains("="))
            #expect(Base64URL.decode(encoded) == original, "length \(length)")
        }
    }

    @Test(arguments: [
        "Zg==",        // padding
        "Zm8=",
        "Z",           // one character over a group of four
        "Zm9vY",
        "Zm9v+A",      // standard-alphabet characters
        "Zm9v/A",
        "Zm 9v",       // whitespace
        "Zm9vYmFy\n",
        "Zh",          // unused trailing bits set: only "Zg" encodes "f"
        "Zm9",         // the same for two bytes: only "Zm8" encodes "fo"
        "é",
        "Zm9v\u{0}",
    ])
    func badInputIsRejected(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}

@Suite struct HexTests {
    @Test func encodesLowercase() {
        #expect(Hex.encode([0x00, 0x01, 0xAB, 0xFF]) == "0001abff")
        #expect(Hex.encode([]) == "")
    }

    @Test func decodesEitherCase() {
        #expect(Hex.decode("0001abff") == [0x00, 0x01, 0xAB, 0xFF])
        #expect(Hex.decode("0001ABFF") == [0x00, 0x01, 0xAB, 0xFF])
        #expect(Hex.decode("") == [])
    }

    @Test func roundTrip() {
        let original = SecureRandom.bytes(count: 257)
        #expect(Hex.decode(Hex.encode(original)) == original)
    }

    @Test(arguments: ["abc", "0x00", "zz", "0g", " 00", "00 ", "é0"])
    func badInputIsRejected(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
