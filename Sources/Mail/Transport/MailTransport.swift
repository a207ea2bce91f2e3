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
}
