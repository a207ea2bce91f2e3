/// The cost of PBKDF2 (RFC 8018, section 5.2): its iteration count.
///
/// Every instance is within `iterationRange`, which bounds what a stored password hash
/// can make a verification cost.
public struct PBKDF2Parameters: Sendable, Hashable, CustomStringConvertible {
    /// The accepted iteration counts: up to 6,000,000, ten times OWASP's current
    /// recommendation of 600,000 for PBKDF2-HMAC-SHA256.
    public static let iterationRange = 1...6_000_000

    /// The iteration count, c in RFC 8018.
    public let iterations: Int

    /// Creates parameters after checking the iteration count.
    ///
    /// - Throws: `CryptoError.invalidParameter` when `iterations` is outside `iterationRange`.
    public init(iterations: Int) throws {
        guard Self.iterationRange.contains(iterations) else {
            throw CryptoError.invalidParameter(
                name: "PBKDF2 iteration count", value: String(iterations),
                allowed: "in \(Self.iterationRange.lowerBound)...\(Self.iterationRange.upperBound)")
        }
        self.iterations = iterations
    }

    public var description: String { "i=\(iterations)" }
}
