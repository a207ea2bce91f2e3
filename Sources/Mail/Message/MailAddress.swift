/// A mailbox: an email address with an optional display name, rendered as
/// `Display Name <local@domain>`.
///
/// The address check is a practical subset of RFC 5322, section 3.4.1: a dot-atom local
/// part and a host-name domain. Quoted local parts, domain literals (`[192.0.2.1]`),
/// comments and non-ASCII addresses (which need the SMTPUTF8 extension) are rejected.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// RFC 5321, section 4.5.3.1.3, limits a path to 256 octets including the angle
    /// brackets, which leaves 254 for the address.
    public static let maximumLength = 254
    /// RFC 5321, section 4.5.3.1.1.
    public static let maximumLocalPartLength = 64

    /// The address, `local@domain`, exactly as given.
    public let address: String
    /// The display name, or nil when the mailbox has none. An empty name is stored as nil.
    public let name: String?

    /// Creates a mailbox after checking the address and the name.
    ///
    /// - Throws: `MailMessageError.invalidAddress` for an address outside the accepted
    ///   form, `.lineBreakInHeader` or `.controlCharacter` for a name or address that
    ///   contains CR, LF or another control character.
    public init(_ address: String, name: String? = nil) throws(MailMessageError) {
        try HeaderText.checkPrintable(address, field: "email address")
        try Self.validate(address)
        if let name {
            try HeaderText.checkPrintable(name, field: "display name")
        }
        self.address = address
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        guard let name else {
            return address
        }
        return "\(name) <\(address)>"
    }

    /// The domain part, after the `@`.
    public var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@")!)...]
    }

    // MARK: - Validation

    private static func validate(_ address: String) throws(MailMessageError) {
        guard !address.isEmpty else {
            throw .invalidAddress(address, reason: "it is empty")
        }
        guard address.unicodeScalars.allSatisfy(\.isASCII) else {
            throw .invalidAddress(address, reason: "it contains non-ASCII characters, which need the SMTPUTF8 extension that this sender does not use; write the domain in its xn-- form")
        }
        guard !address.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "[" || $0 == "]" }) else {
            throw .invalidAddress(address, reason: "it contains a space or an angle or square bracket")
        }
        guard address.utf8.count <= maximumLength else {
            throw .invalidAddress(address, reason: "it is \(address.utf8.count) characters long, more than the maximum of \(maximumLength)")
        }

        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidAddress(address, reason: "it must contain exactly one @")
        }
        try validateLocalPart(parts[0], of: address)
        if let problem = HostNameRules.problem(in: parts[1]) {
            throw .invalidAddress(address, reason: "the domain \(problem)")
        }
    }

    /// The local part must be a dot-atom (RFC 5322, section 3.2.3): atext characters
    /// separated by single dots, with no dot at either end.
    private static func validateLocalPart(_ local: Substring, of address: String) throws(MailMessageError) {
        guard !local.isEmpty else {
            throw .invalidAddress(address, reason: "nothing comes before the @")
        }
        guard local.utf8.count <= maximumLocalPartLength else {
            throw .invalidAddress(address, reason: "the part before the @ is longer than \(maximumLocalPartLength) characters")
        }
        guard local.first != ".", local.last != ".", !local.contains("..") else {
            throw .invalidAddress(address, reason: "the part before the @ starts or ends with a dot or has two dots in a row")
        }
        if let bad = local.unicodeScalars.first(where: { $0 != "." && !HeaderText.isAtext($0) }) {
            throw .invalidAddress(address, reason: "the character \"\(bad)\" is not allowed before the @")
        }
    }
}

/// Rules for host names, used for address domains and Message-ID domains.
enum HostNameRules {
    /// Returns why `name` is not a host name with at least two labels, or nil when it is
    /// one. Labels are letters, digits and hyphens (RFC 1123, section 2.1), at most 63
    /// characters each, and the whole name at most 253. The last label must not be all
    /// digits, which rules out bare IPv4 addresses.
    static func problem(in name: Substring) -> String? {
        guard !name.isEmpty else {
            return "is empty"
        }
        guard name.utf8.count <= 253 else {
            return "is longer than 253 characters"
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else {
            return "\"\(name)\" has no dot; use a full domain such as example.com"
        }
        for label in labels {
            guard !label.isEmpty else {
                return "\"\(name)\" has an empty label (two dots in a row, or a dot at either end)"
            }
            guard label.utf8.count <= 63 else {
                return "\"\(name)\" has a label longer than 63 characters"
            }
            guard label.utf8.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else {
                return "\"\(name)\" may contain only letters, digits, hyphens and dots"
            }
            guard label.first != "-", label.last != "-" else {
                return "\"\(name)\" has a label that starts or ends with a hyphen"
            }
        }
        if labels.last!.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return "\"\(name)\" ends in a number; IP addresses are not accepted"
        }
        return nil
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
