import Foundation

/// The purpose of a mail, so the admin can tell mails apart and a sender can pick a template
/// or a priority. Other parts of the app add their own kinds as static members.
public struct MailKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// To the shopper, when the order is placed.
    public static let orderConfirmation = MailKind(rawValue: "order_confirmation")
    /// To the merchant, when an order is placed.
    public static let newOrderNotification = MailKind(rawValue: "new_order_notification")
    public static let paymentReceived = MailKind(rawValue: "payment_received")
    public static let orderShipped = MailKind(rawValue: "order_shipped")
    public static let orderCanceled = MailKind(rawValue: "order_canceled")
    public static let orderAbandoned = MailKind(rawValue: "order_abandoned")

    public var description: String { rawValue }
}

/// A mail to put in the outbox: one recipient, a plain-text body and an optional HTML
/// alternative. The sender that reads the outbox builds the MIME message.
public struct OutgoingMail: Sendable, Hashable {
    public static let maximumNameLength = 200
    public static let maximumSubjectLength = 250
    /// Bodies above 1 MB are certainly a bug in the code composing them.
    public static let maximumBodyBytes = 1_000_000

    public var toAddress: String
    /// The recipient's display name; may be empty.
    public var toName: String
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var kind: MailKind
    /// The order the mail is about, if any, so the order page can list its mails.
    public var relatedOrderID: Int64?

    public init(
        toAddress: String,
        toName: String = "",
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        kind: MailKind,
        relatedOrderID: Int64? = nil
    ) {
        self.toAddress = toAddress
        self.toName = toName
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.kind = kind
        self.relatedOrderID = relatedOrderID
    }

    /// Returns the mail with address, name and subject trimmed, or throws a message for each
    /// invalid field (`toAddress`, `toName`, `subject`, `textBody`, `htmlBody`, `kind`).
    /// Line breaks are rejected in the header fields, because a sender that copies them
    /// into headers would let them add headers of their own.
    func validated() throws -> OutgoingMail {
        var mail = self
        var errors = ValidationErrors()

        switch EmailAddress.validate(toAddress, label: "Recipient address") {
        case .success(let address): mail.toAddress = address
        case .failure(let invalid): errors.add(invalid.message, for: "toAddress")
        }

        mail.toName = toName.trimmingCharacters(in: .whitespacesAndNewlines)
        if mail.toName.count > Self.maximumNameLength {
            errors.add("Recipient name must be at most \(Self.maximumNameLength) characters; it has \(mail.toName.count).", for: "toName")
        } else if mail.toName.containsControlCharacters {
            errors.add("Recipient name must not contain line breaks or control characters.", for: "toName")
        }

        mail.subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if mail.subject.isEmpty {
            errors.add("Subject is required.", for: "subject")
        } else if mail.subject.count > Self.maximumSubjectLength {
            errors.add("Subject must be at most \(Self.maximumSubjectLength) characters; it has \(mail.subject.count).", for: "subject")
        } else if mail.subject.containsControlCharacters {
            errors.add("Subject must not contain line breaks or control characters.", for: "subject")
        }

        if textBody.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.add("Text body is required; every mail has a plain-text part.", for: "textBody")
        } else if textBody.utf8.count > Self.maximumBodyBytes {
            errors.add("Text body must be at most \(formatWithGrouping(Self.maximumBodyBytes)) bytes.", for: "textBody")
        }
        if let htmlBody, htmlBody.utf8.count > Self.maximumBodyBytes {
            errors.add("HTML body must be at most \(formatWithGrouping(Self.maximumBodyBytes)) bytes.", for: "htmlBody")
        }

        if kind.rawValue.isEmpty || kind.rawValue.count > 64 || kind.rawValue.containsControlCharacters {
            errors.add("Mail kind must be a short name such as order_confirmation.", for: "kind")
        }
        try errors.throwIfAny()
        return mail
    }
}
