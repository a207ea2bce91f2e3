/// An error in building a `MailMessage` or one of its addresses. Each case names the field
/// and the rejected value, so the caller can show which input to correct.
public enum MailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `address` is not an address this target sends to. `reason` says which rule it breaks.
    case invalidAddress(String, reason: String)

    /// A header value, address or display name contains a carriage return or line feed.
    /// Either would end the header line and let the rest of the value inject headers or a
    /// body, so it is rejected rather than stripped.
    case lineBreakInHeader(field: String, value: String)

    /// A header value or display name contains a control character other than CR or LF.
    case controlCharacter(field: String, value: String)

    /// An extra header's name is not a valid field name (RFC 5322, section 2.2: printable
    /// US-ASCII except the colon).
    case invalidHeaderName(String)

    /// An extra header repeats one that `MailMessage` writes itself, such as `From` or
    /// `Content-Type`.
    case reservedHeaderName(String)

    /// The domain for generated Message-IDs, or the domain of a given Message-ID, is not a
    /// host name.
    case invalidMessageID(String, reason: String)

    /// The message has no recipient.
    case noRecipients

    /// A header line would be longer than the 998 characters that RFC 5322, section 2.1.1,
    /// allows, because its value has no space to fold at.
    case headerLineTooLong(field: String, length: Int)

    public var description: String {
        switch self {
        case let .invalidAddress(address, reason):
            return "Invalid email address \(Self.quoted(address)): \(reason). Correct the address; only the form name@example.com is accepted."
        case let .lineBreakInHeader(field, value):
            return "The \(field) \(Self.quoted(value)) contains a line break (CR or LF), which would inject mail headers. Remove the line break from the value."
        case let .controlCharacter(field, value):
            return "The \(field) \(Self.quoted(value)) contains a control character. Remove it; header values must be printable text."
        case let .invalidHeaderName(name):
            return "Invalid header name \(Self.quoted(name)): a name must be 1 or more printable ASCII characters without spaces or a colon, such as List-Unsubscribe."
        case let .reservedHeaderName(name):
            return "The extra header \(Self.quoted(name)) is written by MailMessage itself. Set it through the matching MailMessage property instead."
        case let .invalidMessageID(value, reason):
            return "Invalid Message-ID or Message-ID domain \(Self.quoted(value)): \(reason). Use a host name you control, such as mail.example.com."
        case .noRecipients:
            return "The message has no recipient. Pass at least one address in `to`."
        case let .headerLineTooLong(field, length):
            return "The \(field) header would need a line of \(length) characters, more than the 998 that RFC 5322 allows. Shorten the value or add spaces where it may be folded."
        }
    }

    /// The value in quotes with control characters written as escapes, so the message
    /// stays on one line and shows exactly what was rejected. Long values are cut at
    /// 120 characters.
    static func quoted(_ value: String) -> String {
        var shown = ""
        for scalar in value.unicodeScalars.prefix(120) {
            switch scalar {
            case "\r": shown += "\\r"
            case "\n": shown += "\\n"
            case "\t": shown += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                shown.unicodeScalars.append(scalar)
            }
        }
        if value.unicodeScalars.count > 120 {
            shown += "…"
        }
        return "\"\(shown)\""
    }
}
