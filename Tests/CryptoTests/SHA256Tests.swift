import Crypto
import Testing

/// Vectors from FIPS 180-2, Appendix B, and the digest of the empty message.
@Suite struct SHA256Tests {
    @Test func abcVector() {
        #expect(Hex.encode(SHA256.hash("abc"))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func emptyMessage() {
        #expect(Hex.encode(SHA256.hash([]))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256.hash(""))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func twoBlock448BitMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count * 8 == 448)
        #expect(Hex.encode(SHA256.hash(message))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func oneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))) == expected)

        // The same message fed in uneven pieces to the incremental hasher.
        var hasher = SHA256.Hasher()
        var fed = 0
        var pieceLength = 1
        while fed < 1_000_000 {
            let length = min(pieceLength, 1_000_000 - fed)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: length))
            fed += length
            pieceLength = pieceLength * 3 % 997 + 1
        }
        #expect(Hex.encode(hasher.finalize()) == expected)
    }

    @Test func incrementalMatchesOneShot() {
        var hasher = SHA256.Hasher()
        hasher.update("abcdbcdecdefdefg")
        hasher.update([])
        hasher.update(Array("efghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        #expect(Hex.encode(hasher.finalize())
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func incrementalWithNoInput() {
        let hasher = SHA256.Hasher()
        #expect(Hex.encode(hasher.finalize())
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func stringHashesUTF8() {
        #expect(SHA256.hash("é") == SHA256.hash([0xC3, 0xA9]))
    }
}
