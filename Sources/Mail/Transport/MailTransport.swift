/// Something that delivers a `MailMessage`: the SMTP client, or the file transport that
/// writes `.eml` files for development.
///
/// `send` blocks until the message is handed over or has failed, so callers run it on a
/// background thread, never on an event loop. When it returns, the transport has taken
/// responsibility for the message: an SMTP server replied 250 to its content, or the
/// file is in place. When it throws, `MailTransportError.isPermanent` tells the caller whether
/// to retry later or to give up on the message.
public protocol MailTransport: Sendable {
    /// Delivers `message`, or throws why it could not.
    func send(_ message: MailMessage) throws(MailTransportError)

    /// Delivers each of `messages` and returns one result per message, in the same order.
    /// A failure affects only its own message. The default sends them one by one. A
    /// transport that can share work between messages, such as one flush for many files,
    /// does so here.
    func send(_ messages: [MailMessage]) -> [Result<Void, MailTransportError>]
}

extension MailTransport {
    public func send(_ messages: [MailMessage]) -> [Result<Void, MailTransportError>] {
        messages.map { message in
            Result { () throws(MailTransportError) in try send(message) }
        }
    }
}
