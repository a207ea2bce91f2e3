import Foundation

/// The result of checking a password against a stored hash.
public enum PasswordVerification: Sendable, Equatable {
    /// The password does not match, or the stored hash is malformed or out of range.
    case invalid
    /// The password matches and the stored hash meets the hasher's policy.
    case valid
    /// The password matches, but the stored hash uses another algorithm or a parameter
    /// below the hasher's policy. The caller should store `hash(password)` now, while
    /// it has the plain password.
    case validButNeedsRehash

    /// Whether the password matched, with or without a needed rehash.
    public var isValid: Bool { self != .invalid }
}

/// Hashes and verifies passwords with scrypt or PBKDF2-HMAC-SHA256. Each stored hash
/// is one string with its algorithm, parameters, salt and hash, the last two in
/// unpadded base64url: `$scrypt$ln=13,r=8,p=10$<salt>$<hash>` or
/// `$pbkdf2-sha256$i=600000$<salt>$<hash>`.
///
/// Passwords are normalized to Unicode NFC before hashing, so the same password typed
/// on systems that produce composed or decomposed accents verifies alike. Length rules
/// other than the maximum below are the caller's.
///
/// Each hash or verify takes over 100 ms under the default policy (see `Policy.default`)
/// and blocks its thread, so callers run it on a worker pool, never on an event loop.
public struct PasswordHasher: Sendable {
    /// The longest accepted password, in bytes of UTF-8 after NFC normalization. The
    /// limit keeps a huge submitted password from costing more than a normal one.
    public static let maximumPasswordByteCount = 4096
    /// The salt length of new hashes: 128 bits.
    public static let saltByteCount = 16
    /// The derived hash length of new hashes: 256 bits.
    public static let hashByteCount = 32

    public let policy: Policy

    /// Creates a hasher. Production code uses the default policy.
    public init(policy: Policy = .default) {
        self.policy = policy
    }

    /// Returns a new stored hash of `password` under the policy, with a random salt.
    ///
    /// - Throws: `CryptoError.passwordTooLong` over `maximumPasswordByteCount`,
    ///   `CryptoError.openSSLFailure` when OpenSSL fails.
    public func hash(_ password: String) throws -> String {
        let passwordBytes = try Self.normalizedBytes(of: password)
        let salt = SecureRandom.bytes(count: Self.saltByteCount)

        let algorithm = policy.algorithm
        let hash = try Self.derive(passwordBytes, salt: salt, algorithm: algorithm, keyByteCount: Self.hashByteCount)
        return PasswordHashRecord(algorithm: algorithm, salt: salt, hash: hash).encoded
    }

    /// Checks `password` against a stored hash made by `hash(_:)` under this or any
    /// earlier policy. Never throws or stops the process: a malformed stored string,
    /// parameters out of range, an over-long password and an OpenSSL failure all
    /// return `.invalid`.
    ///
    /// Stored parameters must be within the limits of `ScryptParameters` and
    /// `PBKDF2Parameters`, so one verification costs at most four times the work of
    /// OWASP's scrypt minimum. The largest accepted parameters took 1.2-1.6 s on the
    /// machine described at `Policy.default`. The derived hash is compared in
    /// constant time.
    public func verify(_ password: String, against stored: String) -> PasswordVerification {
        guard let record = PasswordHashRecord(parsing: stored),
              let passwordBytes = try? Self.normalizedBytes(of: password),
              let derived = try? Self.derive(passwordBytes, salt: record.salt, algorithm: record.algorithm,
                                             keyByteCount: record.hash.count)
        else { return .invalid }

        guard constantTimeEquals(derived, record.hash) else {
            return .invalid
        }
        return needsRehash(record) ? .validButNeedsRehash : .valid
    }

    /// Does the work of one verification under the policy and returns `.invalid`.
    ///
    /// Call it when a login names an account that does not exist, so that the response
    /// takes as long as a wrong password for an existing account and does not reveal
    /// which accounts exist.
    public func verifyAgainstMissingAccount(_ password: String) -> PasswordVerification {
        let salt = SecureRandom.bytes(count: Self.saltByteCount)
        let passwordBytes = (try? Self.normalizedBytes(of: password)) ?? []
        let algorithm = policy.algorithm
        _ = try? Self.derive(passwordBytes, salt: salt, algorithm: algorithm, keyByteCount: Self.hashByteCount)
        return .invalid
    }

    /// Returns whether a matching stored hash falls short of the policy: another algorithm, a
    /// cost parameter below the policy's, or a salt or hash shorter than new ones.
    /// A parameter above the policy's does not count, so a hash made under a stronger
    /// policy is kept.
    private func needsRehash(_ record: PasswordHashRecord) -> Bool {
        guard record.salt.count >= Self.saltByteCount, record.hash.count >= Self.hashByteCount else {
            return true
        }
        switch (record.algorithm, policy.algorithm) {
        case let (.scrypt(stored), .scrypt(wanted)):
            return !stored.isAtLeast(wanted)
        case let (.pbkdf2SHA256(stored), .pbkdf2SHA256(wanted)):
            return stored.iterations < wanted.iterations
        default:
            return true
        }
    }

    private static func normalizedBytes(of password: String) throws -> [UInt8] {
        // Checking before normalizing keeps a huge input from being normalized at all.
        guard password.utf8.count <= maximumPasswordByteCount else {
            throw CryptoError.passwordTooLong(byteCount: password.utf8.count, maximum: maximumPasswordByteCount)
        }
        let bytes = Array(password.precomposedStringWithCanonicalMapping.utf8)
        guard bytes.count <= maximumPasswordByteCount else {
            throw CryptoError.passwordTooLong(byteCount: bytes.count, maximum: maximumPasswordByteCount)
        }
        return bytes
    }

    private static func derive(
        _ password: [UInt8], salt: [UInt8], algorithm: PasswordHashRecord.Algorithm, keyByteCount: Int
    ) throws -> [UInt8] {
        switch algorithm {
        case .scrypt(let parameters):
            return try KeyDerivation.scrypt(
                password: password, salt: salt, parameters: parameters, keyByteCount: keyByteCount)
        case .pbkdf2SHA256(let parameters):
            return try KeyDerivation.pbkdf2SHA256(
                password: password, salt: salt, parameters: parameters, keyByteCount: keyByteCount)
        }
    }
}
