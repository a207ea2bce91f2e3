/// Sends messages to an SMTP server (RFC 5321), with STARTTLS (RFC 3207) or implicit TLS
/// (RFC 8314) and AUTH PLAIN (RFC 4954, RFC 4616).
///
/// Each `send` opens its own connection, runs one mail transaction and closes it. That
/// costs a TCP and TLS handshake per message but keeps no connection state between
/// sends, so one transport can be used from several threads at once and a server that
/// drops idle connections never fails a send. A message goes to all its recipients in one
/// transaction; if the server rejects any recipient, nothing is sent.
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

/// The client side of one SMTP session on an open connection.
struct SMTPSession {
    let connection: SMTPConnection
    let configuration: SMTPConfiguration
    let tlsContext: TLSClientContext?

    /// EHLO keywords, upper-cased, with their parameters. Empty after HELO.
    private(set) var extensions: [String: [String]] = [:]

    init(connection: SMTPConnection, configuration: SMTPConfiguration, tlsContext: TLSClientContext?) {
        self.connection = connection
        self.configuration = configuration
        self.tlsContext = tlsContext
    }

    private var server: String { connection.server }

    /// Runs the steps before a mail transaction: TLS for implicit TLS, the greeting, EHLO
    /// (or HELO), STARTTLS and EHLO again, and AUTH.
    mutating func open() throws(MailTransportError) {
        if configuration.security == .implicitTLS, let tlsContext {
            try connection.startTLS(context: tlsContext, host: configuration.host, timeout: configuration.connectTimeout)
        }

        // RFC 5321, section 4.3.1: a 220 greeting opens the session; 554 refuses it.
        try expect(connection.readReply(to: .greeting), toBe: 220, for: .greeting)
        try hello()

        if configuration.security == .startTLS, let tlsContext {
            guard extensions["STARTTLS"] != nil else {
                throw .startTLSNotOffered(server: server)
            }
            try command("STARTTLS", .startTLS, expecting: 220)
            // RFC 3207, section 4.2: anything the server sent after its 220 arrived before
            // the handshake, unprotected; an attacker may have injected it. Replies read
            // later must all come from inside TLS.
            guard !connection.hasUnreadInput else {
                throw .tlsFailed(server: server, reason: "the server sent data after its STARTTLS reply and before the TLS handshake, which may be an injection attack")
            }
            try connection.startTLS(context: tlsContext, host: configuration.host, timeout: configuration.connectTimeout)
            // RFC 3207, section 4.2: forget what the server said before TLS and ask again.
            extensions = [:]
            try hello()
        }

        if let username = configuration.username, let password = configuration.password {
            try authenticate(username: username, password: password)
        }
    }

    /// EHLO, falling back to HELO when the server does not know EHLO (RFC 5321, section
    /// 4.1.4: a 5xx reply to EHLO from an old server).
    private mutating func hello() throws(MailTransportError) {
        try connection.send(command: "EHLO \(configuration.heloName)", for: .ehlo)
        let reply = try connection.readReply(to: .ehlo)
        if reply.code == 250 {
            extensions = Self.parseExtensions(reply)
            return
        }
        guard reply.isPermanentFailure else {
            throw .replyRejected(server: server, command: .ehlo, reply: reply)
        }
        try command("HELO \(configuration.heloName)", .helo, expecting: 250)
        extensions = [:]
    }

    /// The lines after the first of an EHLO reply are extension keywords with optional
    /// parameters (RFC 5321, section 4.1.1.1), for example `SIZE 10240000` or
    /// `AUTH PLAIN LOGIN`.
    static func parseExtensions(_ reply: SMTPReply) -> [String: [String]] {
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let fields = line.split(separator: " ").map(String.init)
            guard let keyword = fields.first else {
                continue
            }
            extensions[keyword.uppercased()] = Array(fields.dropFirst())
        }
        return extensions
    }

    /// AUTH PLAIN with an initial response (RFC 4954, section 4): base64 of
    /// NUL, user name, NUL, password (RFC 4616, section 2).
    private func authenticate(username: String, password: String) throws(MailTransportError) {
        guard connection.isTLSActive || configuration.allowInsecureAuth else {
            throw .invalidConfiguration(setting: "security", value: "none", reason: "credentials must not be sent without TLS")
        }
        guard let mechanisms = extensions["AUTH"] else {
            throw .authenticationNotOffered(server: server, offeredMechanisms: [])
        }
        guard mechanisms.contains(where: { $0.uppercased() == "PLAIN" }) else {
            throw .authenticationNotOffered(server: server, offeredMechanisms: mechanisms)
        }
        let response = Base64.encode([0] + Array(username.utf8) + [0] + Array(password.utf8))
        try command("AUTH PLAIN \(response)", .auth(mechanism: "PLAIN"), expecting: 235)
    }

    /// One mail transaction: MAIL FROM, RCPT TO for each recipient, DATA and the content
    /// with the final `.` line.
    func transfer(_ content: [UInt8], from sender: String, to recipients: [String]) throws(MailTransportError) {
        let stuffed = DotStuffing.apply(content)

        // RFC 1870: a server that announces SIZE with a limit rejects larger messages, and
        // accepts the declared size on MAIL FROM to refuse early.
        var sizeParameter = ""
        if let parameters = extensions["SIZE"] {
            if let limit = parameters.first.flatMap({ Int($0) }), limit > 0, content.count > limit {
                throw .messageTooLarge(server: server, size: content.count, limit: limit)
            }
            sizeParameter = " SIZE=\(content.count)"
        }

        try command("MAIL FROM:<\(sender)>\(sizeParameter)", .mailFrom(sender), expecting: 250)
        for recipient in recipients {
            // 251 "user not local; will forward" also accepts the recipient (section 4.2.2).
            try command("RCPT TO:<\(recipient)>", .rcptTo(recipient), expecting: 250, 251)
        }
        try command("DATA", .data, expecting: 354)
        try connection.write(stuffed, waitingFor: "sending the message content")
        try expect(connection.readReply(to: .messageContent), toBe: 250, for: .messageContent)
    }

    /// Sends QUIT and reads its reply, ignoring every failure: the outcome of the
    /// transaction is already known.
    func quitQuietly() {
        do {
            try connection.send(command: "QUIT", for: .quit)
            _ = try connection.readReply(to: .quit)
        } catch {
            // The transaction's outcome stands; a server that drops the connection at QUIT
            // changes nothing.
        }
    }

    private func command(_ line: String, _ command: SMTPCommand, expecting codes: Int...) throws(MailTransportError) {
        try connection.send(command: line, for: command)
        let reply = try connection.readReply(to: command)
        guard codes.contains(reply.code) else {
            throw .replyRejected(server: server, command: command, reply: reply)
        }
    }

    private func expect(_ reply: SMTPReply, toBe code: Int, for command: SMTPCommand) throws(MailTransportError) {
        guard reply.code == code else {
            throw .replyRejected(server: server, command: command, reply: reply)
        }
    }
}

/// Transparency for the DATA content (RFC 5321, section 4.5.2): a line that starts with a
/// period gets one more period, so no content line reads as the end-of-data `.` line.
enum DotStuffing {
    /// Returns `content` with each line that starts with "." prefixed by another ".",
    /// ending with CRLF (added when missing) followed by the end-of-data line `.` CRLF.
    static func apply(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count + content.count / 64 + 5)
        var atLineStart = true
        for byte in content {
            if atLineStart && byte == UInt8(ascii: ".") {
                output.append(UInt8(ascii: "."))
            }
            output.append(byte)
            atLineStart = byte == 10
        }
        if !output.ends(with: [13, 10]) {
            output += [13, 10]
        }
        output += [UInt8(ascii: "."), 13, 10]
        return output
    }
}
