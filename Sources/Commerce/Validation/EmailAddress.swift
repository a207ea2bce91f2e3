import Foundation

/// Checks and normalises email addresses typed into forms.
///
/// The check accepts what real mailboxes use (`name+tag@shop.example`) and exactly the
/// addresses the platform's mail layer can send to: an ASCII dot-atom before the `@`
/// (RFC 5322, section 3.2.3) and a host name of letters, digits and hyphens after it. An
/// address taken here and refused by the sender later would leave a shopper without their
/// confirmation. Deliverability can only be proved by sending mail.
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
            return .failure(InvalidEmail(.missing, address: address, label: label))
        }
        guard address.utf8.count <= maximumLength else {
            return .failure(InvalidEmail(.tooLong, address: address, label: label))
        }
        guard !address.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            return .failure(InvalidEmail(.containsSpaces, address: address, label: label))
        }

        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else {
            return .failure(InvalidEmail(.notAnAddress, address: address, label: label))
        }
        guard local.utf8.count <= maximumLocalPartLength else {
            return .failure(InvalidEmail(.localPartTooLong, address: address, label: label))
        }
        guard isDotAtom(local) else {
            return .failure(InvalidEmail(.invalidLocalPart, address: address, label: label))
        }

        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let labelsAreValid = labels.allSatisfy { part in
            !part.isEmpty && part.utf8.count <= 63 && part.first != "-" && part.last != "-"
                && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType == .decimal || $0 == "-") }
        }
        // The last label is never all digits, which rules out a bare IPv4 address.
        let lastIsName = labels.last.map { !$0.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal } } ?? false
        guard labels.count >= 2, labelsAreValid, lastIsName, domain.utf8.count <= 253 else {
            return .failure(InvalidEmail(.invalidDomain, address: address, label: label))
        }
        return .success(address)
    }

    /// Returns whether `local` is ASCII atext characters (RFC 5322, section 3.2.3) in runs
    /// separated by single dots.
    private static func isDotAtom(_ local: Substring) -> Bool {
        guard local.first != ".", local.last != ".", !local.contains("..") else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".":
                return true
            case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
                return true
            default:
                return false
            }
        }
    }

    /// Returns the form used to compare addresses and to key unique indexes: lower-cased as a
    /// whole.
    /// RFC 5321 lets a server treat the local part case-sensitively, but no mail provider in
    /// common use does, and two staff accounts differing only in case would confuse people.
    public static func key(_ address: String) -> String {
        address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// The reason a typed email address is invalid, with the message for the form field.
public struct InvalidEmail: Error, Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        case missing
        case tooLong
        case containsSpaces
        case notAnAddress
        case localPartTooLong
        /// Characters before the `@` that an address cannot have, such as `<`, `:`, a
        /// letter outside ASCII, or a dot at either end.
        case invalidLocalPart
        case invalidDomain
    }

    public let reason: Reason
    /// The address with surrounding spaces removed.
    public let address: String
    /// The English message, beginning with the field's label.
    public let message: String

    init(_ reason: Reason, address: String, label: String) {
        self.reason = reason
        self.address = address
        self.message = Self.english(reason, address: address, label: label)
    }

    /// Returns the message for shoppers, whose field label is the text of `labelKey`.
    /// `label` is that text in English.
    public func translatable(labelKey: String, label: String) -> TranslatableMessage {
        var arguments: [String: TranslatableMessage.Argument] = ["field": .translated(key: labelKey), "address": .text(address)]
        switch reason {
        case .tooLong: arguments["maximum"] = .number(EmailAddress.maximumLength)
        case .localPartTooLong: arguments["maximum"] = .number(EmailAddress.maximumLocalPartLength)
        default: break
        }
        let key = reason == .missing ? "field.error.required" : "email.error.\(reason.rawValue)"
        return TranslatableMessage(key, arguments, english: Self.english(reason, address: address, label: label))
    }

    private static func english(_ reason: Reason, address: String, label: String) -> String {
        switch reason {
        case .missing:
            return "\(label) is required."
        case .tooLong:
            return "\(label) must be at most \(EmailAddress.maximumLength) characters."
        case .containsSpaces:
            return "\(label) “\(address)” must not contain spaces or control characters."
        case .notAnAddress:
            return "\(label) “\(address)” is not an email address; enter it as name@example.com."
        case .localPartTooLong:
            return "\(label) “\(address)” has more than \(EmailAddress.maximumLocalPartLength) characters before the @."
        case .invalidLocalPart:
            return "\(label) “\(address)” has characters before the @ that an email address cannot contain; enter it as name@example.com."
        case .invalidDomain:
            return "\(label) “\(address)” has an invalid domain after the @; enter it as name@example.com."
        }
    }
}
