/// The cost parameters of scrypt (RFC 7914, section 2): N = 2^logN, the CPU/memory
/// cost; r, the block size; p, the parallelization. scrypt's working memory is about
/// 128 * N * r bytes, and its CPU time grows with N * r * p.
///
/// Every instance is within the limits below, so a value of this type can be given to
/// OpenSSL without risking a hang or exhausting memory. The limits also bound what a
/// stored password hash can make a verification cost.
public struct ScryptParameters: Sendable, Hashable, CustomStringConvertible {
    /// The accepted range of logN. RFC 7914 requires N > 1.
    public static let logNRange = 1...20
    /// The accepted range of r.
    public static let rRange = 1...32
    /// The accepted range of p.
    public static let pRange = 1...64
    /// The maximum of 128 * N * r: 256 MiB, twice what OWASP's minimum of
    /// N = 2^17, r = 8 uses, which leaves room to raise the cost later.
    public static let maximumMemoryByteCount = 256 << 20
    /// The maximum of N * r * p: 2^22, four times the work of OWASP's minimum of
    /// N = 2^17, r = 8, p = 1.
    public static let maximumWork = 1 << 22

    /// log2 of N.
    public let logN: Int
    /// The block size.
    public let r: Int
    /// The parallelization.
    public let p: Int

    /// Creates parameters after checking them against the limits above and RFC 7914's
    /// constraint that N < 2^(128 * r / 8).
    ///
    /// - Throws: `CryptoError.invalidParameter` naming the first value out of range.
    public init(logN: Int, r: Int, p: Int) throws {
        guard Self.logNRange.contains(logN) else {
            throw CryptoError.invalidParameter(
                name: "scrypt logN", value: String(logN),
                allowed: "in \(Self.logNRange.lowerBound)...\(Self.logNRange.upperBound)")
        }
        guard Self.rRange.contains(r) else {
            throw CryptoError.invalidParameter(
                name: "scrypt r", value: String(r),
                allowed: "in \(Self.rRange.lowerBound)...\(Self.rRange.upperBound)")
        }
        guard Self.pRange.contains(p) else {
            throw CryptoError.invalidParameter(
                name: "scrypt p", value: String(p),
                allowed: "in \(Self.pRange.lowerBound)...\(Self.pRange.upperBound)")
        }
        // RFC 7914, section 2: "N ... must be larger than 1, a power of 2, and less
        // than 2^(128 * r / 8)".
        guard logN < 16 * r else {
            throw CryptoError.invalidParameter(
                name: "scrypt logN", value: String(logN),
                allowed: "less than 16 * r (\(16 * r)) as RFC 7914 requires")
        }
        let memory = (128 << logN) * r
        guard memory <= Self.maximumMemoryByteCount else {
            throw CryptoError.invalidParameter(
                name: "scrypt memory 128 * N * r", value: "\(memory) bytes (logN=\(logN), r=\(r))",
                allowed: "at most \(Self.maximumMemoryByteCount) bytes")
        }
        let work = (1 << logN) * r * p
        guard work <= Self.maximumWork else {
            throw CryptoError.invalidParameter(
                name: "scrypt work N * r * p", value: "\(work) (logN=\(logN), r=\(r), p=\(p))",
                allowed: "at most \(Self.maximumWork)")
        }

        self.logN = logN
        self.r = r
        self.p = p
    }

    /// N, the CPU/memory cost.
    public var n: Int { 1 << logN }

    /// The bytes OpenSSL allocates for one derivation: the V array of 128 * r * (N + 2)
    /// bytes plus the B array of 128 * r * p bytes. OpenSSL 3.0 checks this sum against
    /// maxmem_bytes, and one byte less makes the derivation fail.
    var openSSLMemoryByteCount: Int { 128 * r * (n + 2 + p) }

    /// Returns whether every parameter is at least the corresponding one in `other`.
    func isAtLeast(_ other: ScryptParameters) -> Bool {
        logN >= other.logN && r >= other.r && p >= other.p
    }

    public var description: String { "ln=\(logN),r=\(r),p=\(p)" }
}
