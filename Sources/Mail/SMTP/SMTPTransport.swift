/// Sends messages to an SMTP server (RFC 5321), with STARTTLS (RFC 3207) or implicit TLS
/// (RFC 8314) and AUTH PLAIN (RFC 4954, RFC 4616).
///
/// Each `send` opens its own connection, runs one mail transaction and closes it. That
/// costs a TCP and TLS handshake per message but keeps no connection state between
/// sends, so one transport can be used from several threads at once and a server that
/// drops idle connections never fails a send. A message goes to all its recipients in one
/// transaction, so if the server rejects any recipient, nothing is sent.
public struct SMTPTransport: MailTransport {
    public let configuration: SMTPConfiguration
    private let tlsContext: TLSClientContext?

    /// Creates a transport after checking the configuration and loading the TLS settings.
    ///
    /// - Throws: `MailTransportError.invalidConfiguration` for an unusable setting, such as
    ///   credentials without TLS or a CA file that cannot be read.
    public init(configuration: SMTPConfiguration) throws(MailTransportError) {
        try configuration.validate()
        self.configuration = configuration
        if configuration.security == .none {
            tlsContext = nil
        } else {
            tlsContext = try TLSClientContext(caFile: configuration.caFile, allowInvalidCertificates: configuration.allowInvalidCertificates)
        }
    }

    /// Delivers `message` to the server, blocking until the server accepts its content or
    /// a step fails. A failure after the server accepted the content (during QUIT) is
    /// ignored, because the message is delivered and a retry would send it twice.
    public func send(_ message: MailMessage) throws(MailTransportError) {
        let content = message.render()
        let connection = try SMTPConnection(
            host: configuration.host, port: configuration.port,
            connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout,
            server: configuration.serverDescription
        )
        defer { connection.close() }

        var session = SMTPSession(connection: connection, configuration: configuration, tlsContext: tlsContext)
        do {
            try session.open()
            try session.transfer(content, from: message.from.address, to: message.to.map(\.address))
        } catch {
            // RFC 5321, section 4.1.1.10: the client should end with QUIT even after a
            // rejection. Pointless when the connection itself failed.
            if case .replyRejected = error {
                session.quitQuietly()
            }
            throw error
        }
        session.quitQuietly()
    }
}
