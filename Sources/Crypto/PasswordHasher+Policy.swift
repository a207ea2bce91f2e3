extension PasswordHasher {
    /// The algorithm and cost that new password hashes get. Stored hashes made under an
    /// older or weaker policy still verify, and `verify` reports them as
    /// `.validButNeedsRehash` so the caller can store a new hash on login.
    ///
    /// Production uses `.default`. The cheaper policies exist for tests and for
    /// deployments that must stay on PBKDF2.
    public struct Policy: Sendable, Hashable {
        /// A key derivation function with its cost parameters.
        public enum Algorithm: Sendable, Hashable {
            case scrypt(ScryptParameters)
            case pbkdf2SHA256(PBKDF2Parameters)
        }

        public let algorithm: Algorithm

        public init(_ algorithm: Algorithm) {
            self.algorithm = algorithm
        }

        /// scrypt with N = 2^13, r = 8, p = 10: 8 MiB of memory per hash.
        ///
        /// OWASP's Password Storage Cheat Sheet recommends N = 2^17, r = 8, p = 1 or an
        /// equivalent trade-off: 2^16/8/2, 2^15/8/3, 2^14/8/5 or 2^13/8/10. On a 2-core
        /// AMD EPYC virtual machine with OpenSSL 3.0.19, one EVP_KDF_derive call took
        /// about 290 ms at 2^17/8/1, 250 ms at 2^16/8/2, 175 ms at 2^15/8/3, 125-145 ms at
        /// 2^14/8/5 and 115-135 ms at 2^13/8/10 over a few runs, and the test
        /// `defaultPolicyRoundTripAndTiming` printed 120-160 ms per hash under this
        /// policy over ten runs. No listed setting stays under a 100 ms login budget
        /// there. This one comes closest and, at 8 MiB, needs the least memory per
        /// concurrent login.
        public static let `default` = Policy(.scrypt(Constants.defaultScrypt))

        /// PBKDF2-HMAC-SHA256 at 600,000 iterations, OWASP's current recommendation.
        /// About 115-120 ms per hash on the machine described at `default`.
        public static let pbkdf2SHA256 = Policy(.pbkdf2SHA256(Constants.owaspPBKDF2))

        /// scrypt with N = 2^10, r = 8, p = 1: 1/80 of the default's work, 1 MiB of memory.
        /// Only for test suites, so they can create many accounts quickly. Never use it
        /// in production.
        public static let insecureFastForTesting = Policy(.scrypt(Constants.testingScrypt))
    }
}

/// The built-in parameters. Each is a constant inside the checked ranges, so the
/// `try!` cannot fail.
private enum Constants {
    static let defaultScrypt = try! ScryptParameters(logN: 13, r: 8, p: 10)
    static let owaspPBKDF2 = try! PBKDF2Parameters(iterations: 600_000)
    static let testingScrypt = try! ScryptParameters(logN: 10, r: 8, p: 1)
}
