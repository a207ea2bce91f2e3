/// A store's address label: the `demo` in `demo.<platform domain>`.
///
/// A slug is one DNS label as RFC 1123 (section 2.1) allows it for host names, restricted
/// to lower case: the letters a-z, the digits 0-9 and hyphens, 1 to 63 characters, with
/// no hyphen at either end. Names the platform needs for itself are reserved, and so are
/// labels with hyphens in the third and fourth places, which RFC 5891 (section 4.2.3.1)
/// keeps for internationalised names such as `xn--…`.
public struct Slug: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Validates `text` exactly as given: nothing is trimmed or lower-cased, so the
    /// merchant sees the rule rather than a silently changed address.
    public init(_ text: String) throws(SlugError) {
        try Slug.validate(text)
        value = text
    }

    public var description: String { value }

    public static let maximumLength = 63

    /// Labels that would collide with the platform's own hosts or mail, or mislead people.
    public static let reserved: Set<String> = [
        "www", "admin", "administrator", "api", "app", "apps", "status", "mail", "email",
        "webmail", "operator", "operators", "platform", "help", "support", "billing",
        "static", "assets", "cdn", "media", "files", "uploads", "smtp", "imap", "pop",
        "pop3", "ftp", "sftp", "ssh", "ns", "ns1", "ns2", "ns3", "ns4", "dns", "mx",
        "localhost", "autoconfig", "autodiscover", "wpad", "postmaster", "hostmaster",
        "webmaster", "abuse", "security", "root", "system", "internal", "dashboard",
        "console", "account", "accounts", "login", "logout", "signup", "register", "auth",
        "oauth", "sso", "docs", "blog", "news", "about", "legal", "privacy", "terms",
        "pricing", "checkout", "store", "stores", "dev", "staging", "test", "example",
        "invalid", "local",
    ]

    /// The rule in one sentence, appended to every rejection.
    public static let rule = "Use 1 to 63 characters: lower-case letters a-z, digits and hyphens, starting and ending with a letter or digit."

    private static func validate(_ text: String) throws(SlugError) {
        guard !text.isEmpty else {
            throw SlugError(slug: text, reason: .empty)
        }
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumLength else {
            throw SlugError(slug: text, reason: .tooLong(bytes.count))
        }
        for byte in bytes {
            let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard isLower || isDigit || byte == UInt8(ascii: "-") else {
                throw SlugError(slug: text, reason: .invalidCharacter(describe(byte, in: text)))
            }
        }
        guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            throw SlugError(slug: text, reason: .hyphenAtEnd)
        }
        if bytes.count >= 4, bytes[2] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: "-") {
            throw SlugError(slug: text, reason: .doubleHyphenInThirdPlace)
        }
        guard !reserved.contains(text) else {
            throw SlugError(slug: text, reason: .reserved)
        }
    }

    /// Names the first offending character in words, so that invisible or confusing ones
    /// (a space, a dot, an upper-case letter) are clear in the message.
    private static func describe(_ byte: UInt8, in text: String) -> String {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            "the upper-case letter \"\(Character(Unicode.Scalar(byte)))\""
        case UInt8(ascii: " "):
            "a space"
        case UInt8(ascii: "."):
            "a dot"
        case UInt8(ascii: "/"), UInt8(ascii: "\\"):
            "a slash"
        case UInt8(ascii: "_"):
            "an underscore"
        case 0x21...0x7E:
            "the character \"\(Character(Unicode.Scalar(byte)))\""
        case 0x80...:
            "a character outside a-z"
        default:
            "a control character"
        }
    }
}

/// The reason a slug was rejected. `description` is a message for the merchant.
public struct SlugError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case empty
        case tooLong(Int)
        case invalidCharacter(String)
        case hyphenAtEnd
        case doubleHyphenInThirdPlace
        case reserved
    }

    public let slug: String
    public let reason: Reason

    public var description: String {
        let slug = self.slug.quotedForMessage(maximumLength: 40)
        return switch reason {
        case .empty:
            "The store address is empty. \(Slug.rule)"
        case .tooLong(let length):
            "The store address \(slug) has \(length) characters, more than 63. \(Slug.rule)"
        case .invalidCharacter(let what):
            "The store address \(slug) contains \(what). \(Slug.rule)"
        case .hyphenAtEnd:
            "The store address \(slug) starts or ends with a hyphen. \(Slug.rule)"
        case .doubleHyphenInThirdPlace:
            "The store address \(slug) has hyphens in the third and fourth places, which DNS keeps for internationalised names. \(Slug.rule)"
        case .reserved:
            "The store address \(slug) is reserved for the platform. Choose another name."
        }
    }
}
