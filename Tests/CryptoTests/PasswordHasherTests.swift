@testable import Crypto
import Foundation
import Testing

@Suite struct PasswordHasherTests {
    let fast = PasswordHasher(policy: .insecureFastForTesting)

    // Round trips.

    @Test func scryptRoundTrip() throws {
        let stored = try fast.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(fast.verify("correct horse battery staple", against: stored) == .valid)
        #expect(fast.verify("correct horse battery stapler", against: stored) == .invalid)
        #expect(fast.verify("", against: stored) == .invalid)
    }

    @Test func storedFormatFields() throws {
        let stored = try fast.hash("secret")
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 5)
        #expect(fields[1] == "scrypt")
        #expect(fields[2] == "ln=10,r=8,p=1")
        #expect(Base64URL.decode(fields[3])?.count == 16)
        #expect(Base64URL.decode(fields[4])?.count == 32)
        #expect(PasswordHashRecord(parsing: stored)?.encoded == stored)
    }

    @Test func pbkdf2RoundTrip() throws {
        let hasher = PasswordHasher(policy: .pbkdf2SHA256)
        let stored = try hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$pbkdf2-sha256$i=600000$"))
        #expect(hasher.verify("correct horse battery staple", against: stored) == .valid)
        #expect(hasher.verify("Correct horse battery staple", against: stored) == .invalid)
    }

    @Test func defaultPolicyRoundTripAndTiming() throws {
        let hasher = PasswordHasher()
        #expect(hasher.policy == .default)

        let hashStart = ContinuousClock.now
        let stored = try hasher.hash("correct horse battery staple")
        let hashDuration = ContinuousClock.now - hashStart

        let verifyStart = ContinuousClock.now
        let result = hasher.verify("correct horse battery staple", against: stored)
        let verifyDuration = ContinuousClock.now - verifyStart

        #expect(stored.hasPrefix("$scrypt$ln=13,r=8,p=10$"))
        #expect(result == .valid)
        let fields = stored.split(separator: "$")
        print("PasswordHasher default policy \(fields[0]) \(fields[1]): "
            + "hash \(milliseconds(hashDuration)) ms, verify \(milliseconds(verifyDuration)) ms")
    }

    @Test func saltsDiffer() throws {
        let first = try fast.hash("same password")
        let second = try fast.hash("same password")
        #expect(first != second)
        #expect(fast.verify("same password", against: first) == .valid)
        #expect(fast.verify("same password", against: second) == .valid)
    }

    @Test func emptyPasswordRoundTrip() throws {
        let stored = try fast.hash("")
        #expect(fast.verify("", against: stored) == .valid)
        #expect(fast.verify(" ", against: stored) == .invalid)
    }

    /// The composed "é" (U+00E9) and "e" with a combining acute accent (U+0301) are the
    /// same password after NFC normalization.
    @Test func unicodeNormalization() throws {
        let composed = "caf\u{E9} cr\u{E8}me"
        let decomposed = "cafe\u{301} cre\u{300}me"
        #expect(Array(composed.utf8) != Array(decomposed.utf8))

        let stored = try fast.hash(composed)
        #expect(fast.verify(decomposed, against: stored) == .valid)
        let storedFromDecomposed = try fast.hash(decomposed)
        #expect(fast.verify(composed, against: storedFromDecomposed) == .valid)
        #expect(fast.verify("cafe creme", against: stored) == .invalid)
    }

    @Test func passwordLengthLimit() throws {
        let longest = String(repeating: "a", count: PasswordHasher.maximumPasswordByteCount)
        let stored = try fast.hash(longest)
        #expect(fast.verify(longest, against: stored) == .valid)

        let tooLong = longest + "a"
        #expect(throws: CryptoError.passwordTooLong(byteCount: 4097, maximum: 4096)) {
            try fast.hash(tooLong)
        }
        #expect(fast.verify(tooLong, against: stored) == .invalid)
        #expect(fast.verify(String(repeating: "a", count: 1_000_000), against: stored) == .invalid)
    }

    @Test func tamperedHashIsInvalid() throws {
        let stored = try fast.hash("secret")
        let record = try #require(PasswordHashRecord(parsing: stored))

        var flippedHash = record.hash
        flippedHash[31] ^= 0x01
        let tamperedHash = PasswordHashRecord(algorithm: record.algorithm, salt: record.salt, hash: flippedHash)
        #expect(fast.verify("secret", against: tamperedHash.encoded) == .invalid)

        var flippedSalt = record.salt
        flippedSalt[0] ^= 0x01
        let tamperedSalt = PasswordHashRecord(algorithm: record.algorithm, salt: flippedSalt, hash: record.hash)
        #expect(fast.verify("secret", against: tamperedSalt.encoded) == .invalid)

        // The same hash under other parameters does not verify either.
        let otherCost = PasswordHashRecord(
            algorithm: .scrypt(try ScryptParameters(logN: 11, r: 8, p: 1)), salt: record.salt, hash: record.hash)
        #expect(fast.verify("secret", against: otherCost.encoded) == .invalid)
    }

    @Test func missingAccountIsInvalid() {
        #expect(fast.verifyAgainstMissingAccount("anything") == .invalid)
        #expect(fast.verifyAgainstMissingAccount(String(repeating: "x", count: 10_000)) == .invalid)
    }

    // Rehash detection.

    @Test func weakerScryptNeedsRehash() throws {
        let stored = try fast.hash("secret")
        let stronger = PasswordHasher(policy: .init(.scrypt(try ScryptParameters(logN: 11, r: 8, p: 1))))
        #expect(stronger.verify("secret", against: stored) == .validButNeedsRehash)
        #expect(stronger.verify("wrong", against: stored) == .invalid)

        let moreParallel = PasswordHasher(policy: .init(.scrypt(try ScryptParameters(logN: 10, r: 8, p: 2))))
        #expect(moreParallel.verify("secret", against: stored) == .validButNeedsRehash)

        let rehashed = try stronger.hash("secret")
        #expect(stronger.verify("secret", against: rehashed) == .valid)
    }

    @Test func strongerStoredHashIsKept() throws {
        let stronger = PasswordHasher(policy: .init(.scrypt(try ScryptParameters(logN: 11, r: 8, p: 2))))
        let stored = try stronger.hash("secret")
        #expect(fast.verify("secret", against: stored) == .valid)
    }

    @Test func otherAlgorithmNeedsRehash() throws {
        let cheapPBKDF2 = PasswordHasher(policy: .init(.pbkdf2SHA256(try PBKDF2Parameters(iterations: 1_000))))
        let pbkdf2Stored = try cheapPBKDF2.hash("secret")
        #expect(cheapPBKDF2.verify("secret", against: pbkdf2Stored) == .valid)
        #expect(fast.verify("secret", against: pbkdf2Stored) == .validButNeedsRehash)
        #expect(fast.verify("wrong", against: pbkdf2Stored) == .invalid)

        let scryptStored = try fast.hash("secret")
        #expect(cheapPBKDF2.verify("secret", against: scryptStored) == .validButNeedsRehash)
    }

    @Test func fewerIterationsNeedRehash() throws {
        let older = PasswordHasher(policy: .init(.pbkdf2SHA256(try PBKDF2Parameters(iterations: 1_000))))
        let newer = PasswordHasher(policy: .init(.pbkdf2SHA256(try PBKDF2Parameters(iterations: 2_000))))
        let stored = try older.hash("secret")
        #expect(newer.verify("secret", against: stored) == .validButNeedsRehash)
        #expect(older.verify("secret", against: try newer.hash("secret")) == .valid)
    }

    /// Salts of 8 to 15 bytes and hashes of 16 to 31 bytes are accepted from storage but
    /// are shorter than what new hashes get.
    @Test func shortSaltOrHashNeedsRehash() throws {
        let parameters = try ScryptParameters(logN: 10, r: 8, p: 1)
        let password = bytes("secret")

        let shortSalt = SecureRandom.bytes(count: 8)
        let shortSaltHash = try KeyDerivation.scrypt(
            password: password, salt: shortSalt, parameters: parameters, keyByteCount: 32)
        let shortSaltRecord = PasswordHashRecord(algorithm: .scrypt(parameters), salt: shortSalt, hash: shortSaltHash)
        #expect(fast.verify("secret", against: shortSaltRecord.encoded) == .validButNeedsRehash)

        let salt = SecureRandom.bytes(count: 16)
        let shortHash = try KeyDerivation.scrypt(password: password, salt: salt, parameters: parameters, keyByteCount: 16)
        let shortHashRecord = PasswordHashRecord(algorithm: .scrypt(parameters), salt: salt, hash: shortHash)
        #expect(fast.verify("secret", against: shortHashRecord.encoded) == .validButNeedsRehash)

        let longHash = try KeyDerivation.scrypt(password: password, salt: salt, parameters: parameters, keyByteCount: 64)
        let longHashRecord = PasswordHashRecord(algorithm: .scrypt(parameters), salt: salt, hash: longHash)
        #expect(fast.verify("secret", against: longHashRecord.encoded) == .valid)
    }

    // Malformed and hostile stored strings.

    static let salt = Base64URL.encode([UInt8](repeating: 7, count: 16))
    static let hash = Base64URL.encode([UInt8](repeating: 9, count: 32))

    @Test(.timeLimit(.minutes(1)), arguments: [
        "",
        "$",
        "plaintext-password",
        "secret",
        "$scrypt$",
        "$scrypt$ln=10,r=8,p=1$\(salt)",
        "$scrypt$ln=10,r=8,p=1$\(salt)$",
        "$scrypt$ln=10,r=8,p=1$$\(hash)",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)$",
        "scrypt$ln=10,r=8,p=1$\(salt)$\(hash)",
        "x$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)",
        "$SCRYPT$ln=10,r=8,p=1$\(salt)$\(hash)",
        "$argon2id$v=19$m=65536,t=3,p=4$\(salt)$\(hash)",
        "$pbkdf2-sha512$i=600000$\(salt)$\(hash)",
        "$scrypt$r=8,ln=10,p=1$\(salt)$\(hash)",
        "$scrypt$ln=10,r=8$\(salt)$\(hash)",
        "$scrypt$ln=10,r=8,p=1,x=1$\(salt)$\(hash)",
        "$scrypt$ln=10,ln=10,p=1$\(salt)$\(hash)",
        "$scrypt$ln=10,r=8,p=1,$\(salt)$\(hash)",
        "$scrypt$ln=010,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=+10,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=-10,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=0xA,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln= 10,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=10 ,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=١٠,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=99999999999999999999,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=40,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=21,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=20,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=17,r=8,p=64$\(salt)$\(hash)",
        "$scrypt$ln=10,r=999999999,p=1$\(salt)$\(hash)",
        "$scrypt$ln=10,r=8,p=999999999$\(salt)$\(hash)",
        "$scrypt$ln=0,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$ln=10,r=0,p=1$\(salt)$\(hash)",
        "$scrypt$ln=10,r=8,p=0$\(salt)$\(hash)",
        "$pbkdf2-sha256$i=0$\(salt)$\(hash)",
        "$pbkdf2-sha256$i=999999999$\(salt)$\(hash)",
        "$pbkdf2-sha256$i=6000001$\(salt)$\(hash)",
        "$pbkdf2-sha256$iterations=1000$\(salt)$\(hash)",
        "$pbkdf2-sha256$ln=10,r=8,p=1$\(salt)$\(hash)",
        "$scrypt$i=1000$\(salt)$\(hash)",
        "$scrypt$ln=10,r=8,p=1$!!!!$\(hash)",
        "$scrypt$ln=10,r=8,p=1$\(salt)==$\(hash)",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)=",
        "$scrypt$ln=10,r=8,p=1$\(Base64URL.encode([1, 2, 3, 4]))$\(hash)",
        "$scrypt$ln=10,r=8,p=1$\(Base64URL.encode([UInt8](repeating: 1, count: 65)))$\(hash)",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(Base64URL.encode([UInt8](repeating: 1, count: 15)))",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(Base64URL.encode([UInt8](repeating: 1, count: 65)))",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(String(repeating: "A", count: 600))",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)\u{0}",
        "$scrypt$ln=10,r=8,p=1$\(salt)\u{0}$\(hash)",
        "$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)\n",
        "\u{FEFF}$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)",
        String(repeating: "$", count: 100_000),
    ])
    func malformedStoredHashIsInvalid(stored: String) {
        #expect(fast.verify("secret", against: stored) == .invalid)
        #expect(PasswordHashRecord(parsing: stored) == nil)
    }

    /// The well-formed string that the malformed cases above vary parses, and its
    /// hash does not match, so it is invalid too.
    @Test func wellFormedButWrongHash() {
        let stored = "$scrypt$ln=10,r=8,p=1$\(Self.salt)$\(Self.hash)"
        #expect(PasswordHashRecord(parsing: stored) != nil)
        #expect(fast.verify("secret", against: stored) == .invalid)
    }
}

private func milliseconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    return String(format: "%.1f", value)
}
