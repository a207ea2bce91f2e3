import Crypto
import Dispatch
import Testing

@Suite struct ConstantTimeTests {
    @Test func equalBytes() {
        let value = SecureRandom.bytes(count: 32)
        #expect(constantTimeEquals(value, value))
        #expect(constantTimeEquals([], []))
    }

    @Test func differenceInFirstOrLastByte() {
        let value = SecureRandom.bytes(count: 32)
        var first = value
        first[0] ^= 0x01
        var last = value
        last[31] ^= 0x80
        #expect(!constantTimeEquals(value, first))
        #expect(!constantTimeEquals(value, last))
    }

    @Test func differentLengths() {
        let value: [UInt8] = [1, 2, 3, 4]
        #expect(!constantTimeEquals(value, [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], value))
        #expect(!constantTimeEquals(value, []))
    }

    @Test func strings() {
        let token = SecureRandom.token()
        #expect(constantTimeEquals(token, String(token)))
        #expect(!constantTimeEquals(token, token + "A"))
        #expect(!constantTimeEquals("abc", "abd"))
        // Byte comparison: the composed and decomposed "é" differ.
        #expect(!constantTimeEquals("\u{E9}", "e\u{301}"))
    }
}

@Suite struct ThreadSafetyTests {
    /// The fetched SHA-256 and HMAC algorithms are shared by all threads.
    @Test func hashesOnManyThreads() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        let expectedMAC = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        let expectedDigest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<500 {
                if Hex.encode(HMAC.sha256(key: key, message: "Hi There")) != expectedMAC {
                    failures.increment()
                }
                if Hex.encode(SHA256.hash("abc")) != expectedDigest {
                    failures.increment()
                }
            }
        }
        #expect(failures.value == 0)
    }
}
