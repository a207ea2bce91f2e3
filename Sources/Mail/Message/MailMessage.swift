import Foundation

/// One email: sender, recipients, subject, a plain-text part and an optional HTML part.
///
/// Every value is checked when the message is created, so `render()` cannot fail. All
/// properties are constants, so a changed message is a new value that is checked again.
public struct MailMessage: Sendable {
    /// The author, usually a store's name with the platform's sending address:
    /// `Café Olé <stores@storefleet.example>`. Its address is also the SMTP envelope
    /// sender.
    public let from: MailAddress
    /// The recipients, in the `To` header and the SMTP envelope. At least one.
    public let to: [MailAddress]
    /// The address for replies, such as the store's own contact address. With nil,
    /// replies go to `from`.
    public let replyTo: MailAddress?
    /// The subject, trimmed of surrounding spaces.
    public let subject: String
    /// The plain-text part, always present: readers that show no HTML display it.
    public let textBody: String
    /// The HTML part, or nil for a text-only message.
    public let htmlBody: String?
    /// The Message-ID without angle brackets, `random@domain`. A sender that retries
    /// should keep it, so that receivers can recognise a duplicate.
    public let messageID: String
    /// The `Date` header's time, written in UTC to the second.
    public let date: Date
    /// Extra header fields, written after the standard ones in this order.
    public let extraHeaders: [MailHeader]
    /// The transfer encoding of the text and HTML parts.
    public let bodyEncoding: BodyEncoding
    /// The boundary between the parts of a `multipart/alternative` message, random per
    /// message. It starts with `=_`, a sequence that neither quoted-printable nor base64
    /// output can contain, so it never occurs inside a part (RFC 2045, section 6.7, and
    /// RFC 2046, section 5.1.1).
    public let mimeBoundary: String

    /// Creates a message with a new random Message-ID on `messageIDDomain`, such as the
    /// platform's mail domain.
    ///
    /// - Throws: `MailMessageError` for an empty `to`, a subject with a control character,
    ///   an invalid domain, or a header line that cannot be kept within 998 characters.
    public init(
        from: MailAddress,
        to: [MailAddress],
        replyTo: MailAddress? = nil,
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        messageIDDomain: String,
        date: Date = Date(),
        extraHeaders: [MailHeader] = [],
        bodyEncoding: BodyEncoding = .quotedPrintable
    ) throws(MailMessageError) {
        try self.init(
            from: from, to: to, replyTo: replyTo, subject: subject, textBody: textBody, htmlBody: htmlBody,
            messageID: try Self.makeMessageID(domain: messageIDDomain), date: date,
            extraHeaders: extraHeaders, bodyEncoding: bodyEncoding
        )
    }

    /// Creates a message with a given Message-ID (without angle brackets), for a sender
    /// that rebuilds a queued message on each attempt and must keep its identity.
    ///
    /// - Throws: `MailMessageError` as the other initializer, and `.invalidMessageID` for
    ///   an id that is not `dot-atom@host.name`.
    public init(
        from: MailAddress,
        to: [MailAddress],
        replyTo: MailAddress? = nil,
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        messageID: String,
        date: Date = Date(),
        extraHeaders: [MailHeader] = [],
        bodyEncoding: BodyEncoding = .quotedPrintable
    ) throws(MailMessageError) {
        guard !to.isEmpty else {
            throw .noRecipients
        }
        try HeaderText.checkPrintable(subject, field: "subject")
        try Self.validateMessageID(messageID)

        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject.trimmingCharacters(in: .whitespaces)
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
        self.bodyEncoding = bodyEncoding
        self.mimeBoundary = "=_" + Self.randomHex(byteCount: 16)

        // Only an extra header's value can hold a word too long to fold: subjects and
        // names fall back to encoded-words, which split anywhere.
        for header in extraHeaders {
            let field = Self.foldedField(header)
            let longest = HeaderText.maximumLineLength(in: field)
            guard longest <= HeaderText.hardLineLimit else {
                throw .headerLineTooLong(field: header.name, length: longest)
            }
        }
    }

    /// Returns a new random Message-ID, `<32 hex digits>@domain`, without angle brackets.
    /// 128 random bits make a collision as unlikely as a UUID's.
    ///
    /// - Throws: `MailMessageError.invalidMessageID` when `domain` is not a host name.
    public static func makeMessageID(domain: String) throws(MailMessageError) -> String {
        if let problem = HostNameRules.problem(in: Substring(domain)) {
            throw .invalidMessageID(domain, reason: "the domain \(problem)")
        }
        return randomHex(byteCount: 16) + "@" + domain
    }

    /// Checks a Message-ID, which is `id-left "@" id-right` (RFC 5322, section 3.6.4).
    /// Only the dot-atom form of both sides is accepted, with a host name on the right.
    private static func validateMessageID(_ id: String) throws(MailMessageError) {
        try HeaderText.checkPrintable(id, field: "Message-ID")
        let parts = id.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw .invalidMessageID(id, reason: "it must be one local part, an @ and a domain, without angle brackets")
        }
        let left = parts[0]
        let leftIsDotAtom = left.first != "." && left.last != "." && !left.contains("..")
            && left.unicodeScalars.allSatisfy { $0 == "." || HeaderText.isAtext($0) }
        guard leftIsDotAtom, left.utf8.count <= 128 else {
            throw .invalidMessageID(id, reason: "the part before the @ must be at most 128 letters, digits, dots or other atom characters")
        }
        if let problem = HostNameRules.problem(in: parts[1]) {
            throw .invalidMessageID(id, reason: "the domain \(problem)")
        }
    }

    static func randomHex(byteCount: Int) -> String {
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom on Linux).
        var generator = SystemRandomNumberGenerator()
        var text = ""
        for _ in 0..<byteCount {
            text += Hex.byte(UInt8.random(in: 0...255, using: &generator)).lowercased()
        }
        return text
    }
}
