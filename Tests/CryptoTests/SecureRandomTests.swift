import Crypto
import Testing

@Suite struct SecureRandomTests {
    @Test func byteCounts() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        #expect(SecureRandom.bytes(count: 1).count == 1)
        #expect(SecureRandom.bytes(count: 100_000).count == 100_000)
    }

    /// In 100,000 uniform bytes each of the 256 values is expected about 390 times, so
    /// a missing value means a broken generator, not bad luck.
    @Test func everyByteValueAppears() {
        var seen = Set<UInt8>()
        for byte in SecureRandom.bytes(count: 100_000) {
            seen.insert(byte)
        }
        #expect(seen.count == 256)
    }

    @Test func tokenLengths() {
        let token = SecureRandom.token()
        #expect(token.count == 43)
        #expect(Base64URL.decode(token)?.count == 32)
        #expect(SecureRandom.token(byteCount: 16).count == 22)
        #expect(SecureRandom.token(byteCount: 1).count == 2)
    }

    @Test func tokenAlphabetIsURLSafe() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<100 {
            #expect(SecureRandom.token().allSatisfy { allowed.contains($0) })
        }
    }

    @Test func tokensAreUnique() {
        var tokens = Set<String>()
        for _ in 0..<20_000 {
            tokens.insert(SecureRandom.token())
        }
        #expect(tokens.count == 20_000)

        // Short tokens too: 8 bytes drawn 20,000 times collide with probability ~1e-11.
        var shortTokens = Set<String>()
        for _ in 0..<20_000 {
            shortTokens.insert(SecureRandom.token(byteCount: 8))
        }
        #expect(shortTokens.count == 20_000)
    }
}
