import Foundation

/// An extra header field for a `MailMessage`, such as `List-Unsubscribe` or
/// `X-Storefleet-Store`.
public struct MailHeader: Sendable, Hashable {
    /// Names that `MailMessage` writes itself, lower-cased. An extra header with one of
    /// these names is rejected, so a message never carries two `From` or `Content-Type`
    /// fields. `Bcc`, `Cc` and `Sender` are included because they change who receives or
    /// appears to send the message and belong in the envelope and the `from` property.
    static let reservedNames: Set<String> = [
        "date", "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "message-id",
        "mime-version", "content-type", "content-transfer-encoding", "return-path",
    ]

    /// The field name as given, such as `List-Unsubscribe`.
    public let name: String
    /// The value, trimmed of surrounding spaces. ASCII values are written as they are and
    /// folded at spaces; values with other characters are written as RFC 2047
    /// encoded-words.
    public let value: String

    /// Creates a header after checking its name and value.
    ///
    /// - Throws: `MailMessageError.invalidHeaderName` for a name outside RFC 5322's
    ///   `ftext`, `.reservedHeaderName` for a name that `MailMessage` writes itself, and
    ///   `.lineBreakInHeader` or `.controlCharacter` for a value with CR, LF or another
    ///   control character.
    public init(_ name: String, _ value: String) throws(MailMessageError) {
        // RFC 5322, section 3.6.8: ftext is printable US-ASCII (33 to 126) except ":".
        let nameIsValid = !name.isEmpty && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
        guard nameIsValid else {
            throw .invalidHeaderName(name)
        }
        guard !Self.reservedNames.contains(name.lowercased()) else {
            throw .reservedHeaderName(name)
        }
        try HeaderText.checkPrintable(value, field: "\(name) header")
        self.name = name
        self.value = value.trimmingCharacters(in: .whitespaces)
    }
}
