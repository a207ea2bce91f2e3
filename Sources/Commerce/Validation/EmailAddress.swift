import Foundation

/// Checks and normalises email addresses typed into forms.
///
/// The check is deliberately practical rather than a full RFC 5321 parser: it accepts what
/// real mailboxes use (`name+tag@shop.example`) and rejects what is certainly not an address
/// (no `@`, spaces, no dot in the domain). Deliverability can only be proved by sending mail.
public enum EmailAddress {
    /// RFC 5321, section 4.5.3.1.3, limits a forward path to 256 octets including the angle
    /// brackets, which leaves 254 for the address.
    public static let maximumLength = 254
    /// RFC 5321, section 4.5.3.1.1.
    public static let maximumLocalPartLength = 64

    /// Returns the address with surrounding spaces removed, or a message saying why it is
    /// invalid.
    /// `label` names the field in the message ("Email", "Contact email").
    public static func validate(_ text: String, label: String = "Email") -> Result<String, InvalidEmail> {
        let address = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !address.isEmpty else {
            return .failure(InvalidEmail(message: "\(label) is required."))
        }
        guard address.utf8.count <= maximumLength else {
            return .failure(InvalidEmail(message: "\(label) must be at most \(maximumLength) characters."))
        }
        guard !address.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            return .failure(InvalidEmail(message: "\(label) “\(address)” must not contain spaces or control characters."))
        }

        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else {
            return .failure(InvalidEmail(message: "\(label) “\(address)” is not an email address; enter it as name@example.com."))
        }
        guard local.utf8.count <= maximumLocalPartLength else {
            return .failure(InvalidEmail(message: "\(label) “\(address)” has more than \(maximumLocalPartLength) characters before the @."))
        }

        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let labelsAreValid = labels.allSatisfy { part in
            !part.isEmpty && part.utf8.count <= 63 && part.first != "-" && part.last != "-"
        }
        guard labels.count >= 2, labelsAreValid else {
            return .failure(InvalidEmail(message: "\(label) “\(address)” has an invalid domain after the @; enter it as name@example.com."))
        }
        return .success(address)
    }

    /// Returns the form used to compare addresses and to key unique indexes: lower-cased as a
    /// whole.
    /// RFC 5321 lets a server treat the local part case-sensitively, but no mail provider in
    /// common use does, and two staff accounts differing only in case would confuse people.
    public static func key(_ address: String) -> String {
        address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

public struct InvalidEmail: Error, Sendable, Equatable {
    public let message: String
}
