/// An error from the Crypto target: a rejected parameter, an over-long password, or a
/// failure reported by OpenSSL.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is outside the range this target accepts. `name` is the parameter,
    /// `value` what was passed, and `allowed` the accepted range or form.
    case invalidParameter(name: String, value: String, allowed: String)

    /// A password is longer than `PasswordHasher.maximumPasswordByteCount` bytes of UTF-8.
    case passwordTooLong(byteCount: Int, maximum: Int)

    /// OpenSSL reported a failure in `operation`. `details` contains the entries from
    /// OpenSSL's error queue, or a note that the queue was empty.
    case openSSLFailure(operation: String, details: String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, allowed):
            return "Invalid \(name) \(value): it must be \(allowed). Choose a value in that range."
        case let .passwordTooLong(byteCount, maximum):
            return "Password is \(byteCount) bytes of UTF-8, more than the maximum of \(maximum). "
                + "Ask the user for a shorter password."
        case let .openSSLFailure(operation, details):
            return "OpenSSL failed in \(operation): \(details). "
                + "Check that the OpenSSL 3 default provider is installed and loadable."
        }
    }
}
