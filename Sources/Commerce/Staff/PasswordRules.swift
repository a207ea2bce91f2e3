import Foundation

/// Rules for staff passwords: a length range, and not the account's own email. There are no
/// required character classes.
public enum PasswordRules {
    public static let minimumLength = 10
    /// An upper bound keeps hashing cost predictable; no remembered password is longer.
    public static let maximumLength = 200

    /// Returns messages for the `password` field, none when `password` is acceptable. Lengths
    /// count grapheme clusters (characters as displayed), not bytes.
    public static func validate(_ password: String, email: String) -> [String] {
        var messages: [String] = []
        if password.count < minimumLength {
            messages.append("Password must be at least \(minimumLength) characters; it has \(password.count).")
        } else if password.count > maximumLength {
            messages.append("Password must be at most \(maximumLength) characters; it has \(password.count).")
        }
        if !email.isEmpty && EmailAddress.key(password) == EmailAddress.key(email) {
            messages.append("Password must not be your email address.")
        }
        return messages
    }
}
