@testable import Crypto
import COpenSSL
import Testing

@Suite struct KeyDerivationTests {
    // RFC 7914, section 12. The fourth vector (N = 2^20, 1 GiB of memory) is beyond
    // ScryptParameters' limits and is left out.

    @Test func scryptRFC7914EmptyPasswordAndSalt() throws {
        let key = try KeyDerivation.scrypt(
            password: [], salt: [], parameters: ScryptParameters(logN: 4, r: 1, p: 1), keyByteCount: 64)
        #expect(Hex.encode(key) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
    }

    @Test func scryptRFC7914PasswordNaCl() throws {
        let key = try KeyDerivation.scrypt(
            password: bytes("password"), salt: bytes("NaCl"),
            parameters: ScryptParameters(logN: 10, r: 8, p: 16), keyByteCount: 64)
        #expect(Hex.encode(key) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test func scryptRFC7914SodiumChloride() throws {
        let key = try KeyDerivation.scrypt(
            password: bytes("pleaseletmein"), salt: bytes("SodiumChloride"),
            parameters: ScryptParameters(logN: 14, r: 8, p: 1), keyByteCount: 64)
        #expect(Hex.encode(key) == "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
            + "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887")
    }

    // RFC 7914, section 11: PBKDF2-HMAC-SHA256.

    @Test func pbkdf2RFC7914OneIteration() throws {
        let key = try KeyDerivation.pbkdf2SHA256(
            password: bytes("passwd"), salt: bytes("salt"),
            parameters: PBKDF2Parameters(iterations: 1), keyByteCount: 64)
        #expect(Hex.encode(key) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test func pbkdf2RFC7914EightyThousandIterations() throws {
        let key = try KeyDerivation.pbkdf2SHA256(
            password: bytes("Password"), salt: bytes("NaCl"),
            parameters: PBKDF2Parameters(iterations: 80_000), keyByteCount: 64)
        #expect(Hex.encode(key) == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    @Test func keyLengthIsRespected() throws {
        let parameters = try ScryptParameters(logN: 4, r: 1, p: 1)
        let short = try KeyDerivation.scrypt(password: [], salt: [], parameters: parameters, keyByteCount: 8)
        #expect(Hex.encode(short) == "77d6576238657b20")
    }

    /// The maxmem_bytes given to OpenSSL is exactly what it needs: one byte less fails.
    /// A larger value would not be wrong, but this shows the formula matches OpenSSL's.
    @Test func scryptMemoryLimitIsExact() throws {
        let parameters = try ScryptParameters(logN: 12, r: 8, p: 3)
        let exact = UInt64(parameters.openSSLMemoryByteCount)
        var key = [UInt8](repeating: 0, count: 32)
        let password = bytes("password")
        let salt = bytes("salt")

        let withExactLimit = storefleet_scrypt(password, password.count, salt, salt.count,
                                               UInt64(parameters.n), 8, 3, exact, &key, key.count)
        let withOneByteLess = storefleet_scrypt(password, password.count, salt, salt.count,
                                                UInt64(parameters.n), 8, 3, exact - 1, &key, key.count)
        ERR_clear_error()
        #expect(withExactLimit == 1)
        #expect(withOneByteLess == 0)
    }

    // Parameter limits.

    @Test(arguments: [
        (0, 8, 1),      // N = 1 is below RFC 7914's minimum of 2
        (21, 8, 1),     // logN above 20
        (-3, 8, 1),
        (10, 0, 1),     // r of zero
        (10, 33, 1),    // r above 32
        (10, 8, 0),     // p of zero
        (10, 8, 65),    // p above 64
        (16, 1, 1),     // N must be below 2^(16 * r) = 2^16 when r = 1
        (19, 8, 1),     // 512 MiB of memory
        (17, 8, 8),     // work 2^23
    ])
    func scryptParametersOutOfRange(logN: Int, r: Int, p: Int) {
        #expect(throws: CryptoError.self) {
            try ScryptParameters(logN: logN, r: r, p: p)
        }
    }

    @Test func scryptParameterErrorNamesTheValue() {
        let error = #expect(throws: CryptoError.self) {
            try ScryptParameters(logN: 40, r: 8, p: 1)
        }
        #expect(error?.description.contains("scrypt logN 40") == true)
        #expect(error?.description.contains("1...20") == true)
    }

    @Test func scryptLargestAcceptedParameters() throws {
        let parameters = try ScryptParameters(logN: 18, r: 8, p: 2)
        #expect(parameters.n == 262_144)
        #expect(parameters.description == "ln=18,r=8,p=2")
    }

    @Test(arguments: [0, -1, 6_000_001])
    func pbkdf2IterationsOutOfRange(iterations: Int) {
        #expect(throws: CryptoError.self) {
            try PBKDF2Parameters(iterations: iterations)
        }
    }

    @Test func keyLengthOutOfRange() throws {
        let parameters = try PBKDF2Parameters(iterations: 1)
        #expect(throws: CryptoError.invalidParameter(
            name: "derived key length", value: "0 bytes", allowed: "in 1...1024 bytes")
        ) {
            try KeyDerivation.pbkdf2SHA256(password: [], salt: [], parameters: parameters, keyByteCount: 0)
        }
        #expect(throws: CryptoError.self) {
            try KeyDerivation.pbkdf2SHA256(password: [], salt: [], parameters: parameters, keyByteCount: 1025)
        }
    }

    @Test func oversizedSaltIsRejected() throws {
        let parameters = try ScryptParameters(logN: 4, r: 1, p: 1)
        #expect(throws: CryptoError.self) {
            try KeyDerivation.scrypt(password: [], salt: [UInt8](repeating: 1, count: 1025),
                                     parameters: parameters, keyByteCount: 32)
        }
    }
}
