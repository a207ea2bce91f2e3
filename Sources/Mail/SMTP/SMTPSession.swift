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
            // RFC 3207, section 4.2: discard the extensions announced before TLS and send
            // EHLO again.
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

    /// Parses the lines after the first of an EHLO reply as extension keywords with
    /// optional parameters (RFC 5321, section 4.1.1.1), for example `SIZE 10240000` or
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

    /// Runs one mail transaction: MAIL FROM, RCPT TO for each recipient, DATA, and the
    /// content with the final `.` line.
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
            // The transaction has already succeeded or failed, and a server that drops the
            // connection at QUIT does not change that.
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
