import Foundation
import Mail
import Testing

/// SMTPTransport against a real aiosmtpd server on 127.0.0.1 (see Fixtures/smtp_server.py),
/// and against a scripted server for replies aiosmtpd never sends. Each test starts its own
/// server and stops it before returning.
@Suite struct SMTPTransportTests {
    /// A message whose content exercises dot-stuffing: quoted-printable keeps a line that
    /// starts with "." as it is.
    private func deliverableMessage(to recipient: String = "ana@example.com") throws -> MailMessage {
        try MailMessage(
            from: MailAddress("stores@storefleet.example", name: "Café Olé"),
            to: [MailAddress(recipient, name: "Ana")],
            subject: "Votre commande est expédiée",
            textBody: "Hello\n.\n..two dots\n.hidden line\nend\n",
            htmlBody: "<p>Hello</p>\n.<p>dot first</p>\n",
            messageIDDomain: "mail.storefleet.example"
        )
    }

    private func configuration(
        port: Int, host: String = "localhost", security: SMTPConfiguration.Security = .none,
        username: String? = nil, password: String? = nil, caFile: String? = nil, readTimeout: Duration = .seconds(10)
    ) -> SMTPConfiguration {
        SMTPConfiguration(
            host: host, port: port, security: security, username: username, password: password,
            heloName: "client.storefleet.test", connectTimeout: .seconds(5), readTimeout: readTimeout, caFile: caFile
        )
    }

    private func sendError(_ transport: SMTPTransport, _ message: MailMessage) -> MailTransportError? {
        do {
            try transport.send(message)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Delivery

    @Test func plainDeliveryReceivesRenderedBytes() throws {
        let folder = try TemporaryFolder()
        let server = try TestSMTPServer(in: folder)
        defer { server.stop() }
        let message = try deliverableMessage()

        try SMTPTransport(configuration: configuration(port: server.port)).send(message)

        let received = try server.receivedMessages()
        try #require(received.count == 1)
        #expect(received[0].content == message.render())
        #expect(received[0].mailFrom == "stores@storefleet.example")
        #expect(received[0].recipients == ["ana@example.com"])
        #expect(received[0].usedTLS == false)
        #expect(received[0].helo == "client.storefleet.test")
        #expect(received[0].mailOptions == ["SIZE=\(message.render().count)"])
    }

    @Test func startTLSDeliveryWithCAFile() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: ["--certificate", certificate.certificatePath, "--key", certificate.keyPath], in: folder)
        defer { server.stop() }
        let message = try deliverableMessage()

        try SMTPTransport(configuration: configuration(port: server.port, security: .startTLS, caFile: certificate.certificatePath)).send(message)

        let received = try server.receivedMessages()
        try #require(received.count == 1)
        #expect(received[0].usedTLS)
        #expect(received[0].content == message.render())
    }

    @Test func authOverStartTLS() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: [
            "--certificate", certificate.certificatePath, "--key", certificate.keyPath,
            "--user", "shop-mailer", "--password", "correct horse ⚡️",
        ], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(
            port: server.port, security: .startTLS, username: "shop-mailer", password: "correct horse ⚡️",
            caFile: certificate.certificatePath
        ))
        try transport.send(try deliverableMessage())

        let received = try server.receivedMessages()
        try #require(received.count == 1)
        #expect(received[0].login == "shop-mailer")
        #expect(received[0].usedTLS)
    }

    @Test func wrongPasswordIsTemporary() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: [
            "--certificate", certificate.certificatePath, "--key", certificate.keyPath,
            "--user", "shop-mailer", "--password", "right",
        ], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(
            port: server.port, security: .startTLS, username: "shop-mailer", password: "wrong", caFile: certificate.certificatePath
        ))
        let error = try #require(sendError(transport, try deliverableMessage()))

        guard case let .replyRejected(_, command, reply) = error else {
            Issue.record("expected a rejected AUTH, got \(error)")
            return
        }
        #expect(command == .auth(mechanism: "PLAIN"))
        #expect(reply.code == 535)
        #expect(!error.isPermanent)
        #expect(!error.description.contains("wrong"))
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test func concurrentSendsShareOneTransport() async throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: ["--certificate", certificate.certificatePath, "--key", certificate.keyPath], in: folder)
        defer { server.stop() }
        let transport = try SMTPTransport(configuration: configuration(port: server.port, security: .startTLS, caFile: certificate.certificatePath))
        let messages = try (0..<6).map { _ in try deliverableMessage() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for message in messages {
                group.addTask { try transport.send(message) }
            }
            try await group.waitForAll()
        }

        let received = try server.receivedMessages()
        #expect(received.count == messages.count)
        #expect(Set(received.map(\.content)) == Set(messages.map { $0.render() }))
    }

    @Test func implicitTLSDelivery() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: [
            "--certificate", certificate.certificatePath, "--key", certificate.keyPath, "--implicit-tls",
        ], in: folder)
        defer { server.stop() }
        let message = try deliverableMessage()

        try SMTPTransport(configuration: configuration(port: server.port, security: .implicitTLS, caFile: certificate.certificatePath)).send(message)

        let received = try server.receivedMessages()
        try #require(received.count == 1)
        #expect(received[0].usedTLS)
        #expect(received[0].content == message.render())
    }

    // MARK: - Rejections

    @Test func rejectedRecipientIsPermanent() throws {
        let folder = try TemporaryFolder()
        let server = try TestSMTPServer(arguments: ["--reject-recipient", "nobody@example.com"], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port))
        let error = try #require(sendError(transport, try deliverableMessage(to: "nobody@example.com")))

        guard case let .replyRejected(_, command, reply) = error else {
            Issue.record("expected a rejected RCPT TO, got \(error)")
            return
        }
        #expect(command == .rcptTo("nobody@example.com"))
        #expect(reply.code == 550)
        #expect(error.isPermanent)
        #expect(error.description.contains("RCPT TO:<nobody@example.com>"))
        #expect(error.description.contains("550 5.1.1 No such user here"))
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test func deferredRecipientIsTemporary() throws {
        let folder = try TemporaryFolder()
        let server = try TestSMTPServer(arguments: ["--defer-recipient", "busy@example.com"], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port))
        let error = try #require(sendError(transport, try deliverableMessage(to: "busy@example.com")))

        guard case let .replyRejected(_, _, reply) = error else {
            Issue.record("expected a rejected RCPT TO, got \(error)")
            return
        }
        #expect(reply.code == 450)
        #expect(!error.isPermanent)
    }

    @Test func messageOverSizeLimitIsPermanent() throws {
        let folder = try TemporaryFolder()
        let server = try TestSMTPServer(arguments: ["--size-limit", "500"], in: folder)
        defer { server.stop() }
        let message = try deliverableMessage()

        let error = try #require(sendError(try SMTPTransport(configuration: configuration(port: server.port)), message))

        #expect(error == .messageTooLarge(server: "localhost:\(server.port)", size: message.render().count, limit: 500))
        #expect(error.isPermanent)
        #expect(try server.receivedMessages().isEmpty)
    }

    // MARK: - Connection failures

    @Test func closedPortIsTemporary() throws {
        let port = try LoopbackListener.closedPort()
        let transport = try SMTPTransport(configuration: configuration(port: port, host: "127.0.0.1"))
        let error = try #require(sendError(transport, try deliverableMessage()))

        guard case let .connectionFailed(server, reason) = error else {
            Issue.record("expected a failed connection, got \(error)")
            return
        }
        #expect(server == "127.0.0.1:\(port)")
        #expect(reason.contains("Connection refused"))
        #expect(!error.isPermanent)
    }

    @Test func silentServerTimesOut() throws {
        // The kernel completes the TCP handshake for the listening socket's backlog, but
        // nothing ever sends a greeting.
        let listener = try LoopbackListener()
        let transport = try SMTPTransport(configuration: configuration(port: listener.port, host: "127.0.0.1", readTimeout: .milliseconds(300)))
        let started = ContinuousClock.now
        let error = try #require(sendError(transport, try deliverableMessage()))

        #expect(error == .timedOut(server: "127.0.0.1:\(listener.port)", waitingFor: "waiting for the reply to the connection (greeting)", seconds: 0.3))
        #expect(!error.isPermanent)
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func connectionDroppedInsideTLSIsClosed() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: [
            "--certificate", certificate.certificatePath, "--key", certificate.keyPath, "--drop-recipient", "gone@example.com",
        ], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port, security: .startTLS, caFile: certificate.certificatePath))
        let error = try #require(sendError(transport, try deliverableMessage(to: "gone@example.com")))

        #expect(error == .connectionClosed(server: "localhost:\(server.port)", waitingFor: "waiting for the reply to RCPT TO:<gone@example.com>"))
        #expect(!error.isPermanent)
    }

    // MARK: - TLS verification

    @Test func certificateForWrongHostRejected() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "mail.other.example", in: folder)
        let server = try TestSMTPServer(arguments: ["--certificate", certificate.certificatePath, "--key", certificate.keyPath], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port, security: .startTLS, caFile: certificate.certificatePath))
        let error = try #require(sendError(transport, try deliverableMessage()))

        guard case let .tlsFailed(_, reason) = error else {
            Issue.record("expected a TLS failure, got \(error)")
            return
        }
        #expect(reason.contains("hostname mismatch"))
        #expect(!error.isPermanent)
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test func ipAddressNotInCertificateRejected() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: ["--certificate", certificate.certificatePath, "--key", certificate.keyPath], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port, host: "127.0.0.1", security: .startTLS, caFile: certificate.certificatePath))
        let error = try #require(sendError(transport, try deliverableMessage()))

        guard case let .tlsFailed(_, reason) = error else {
            Issue.record("expected a TLS failure, got \(error)")
            return
        }
        #expect(reason.contains("IP address mismatch"))
    }

    @Test func untrustedCertificateRejected() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "localhost", in: folder)
        let server = try TestSMTPServer(arguments: ["--certificate", certificate.certificatePath, "--key", certificate.keyPath], in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port, security: .startTLS))
        let error = try #require(sendError(transport, try deliverableMessage()))

        guard case let .tlsFailed(_, reason) = error else {
            Issue.record("expected a TLS failure, got \(error)")
            return
        }
        #expect(reason.contains("self-signed certificate"))
        #expect(try server.receivedMessages().isEmpty)
    }

    @Test func allowInvalidCertificatesAcceptsUntrusted() throws {
        let folder = try TemporaryFolder()
        let certificate = try TestCertificate(dnsName: "mail.other.example", in: folder)
        let server = try TestSMTPServer(arguments: ["--certificate", certificate.certificatePath, "--key", certificate.keyPath], in: folder)
        defer { server.stop() }

        var settings = configuration(port: server.port, security: .startTLS)
        settings.allowInvalidCertificates = true
        try SMTPTransport(configuration: settings).send(try deliverableMessage())

        let received = try server.receivedMessages()
        try #require(received.count == 1)
        #expect(received[0].usedTLS)
    }

    @Test func requiredStartTLSMissingFails() throws {
        let folder = try TemporaryFolder()
        let server = try TestSMTPServer(in: folder)
        defer { server.stop() }

        let transport = try SMTPTransport(configuration: configuration(port: server.port, security: .startTLS))
        let error = try #require(sendError(transport, try deliverableMessage()))

        #expect(error == .startTLSNotOffered(server: "localhost:\(server.port)"))
        #expect(!error.isPermanent)
        #expect(try server.receivedMessages().isEmpty)
    }

    // MARK: - Configuration

    @Test func credentialsWithoutTLSRejected() {
        let settings = SMTPConfiguration(host: "smtp.example.com", port: 25, security: .none, username: "user", password: "secret")
        #expect {
            try SMTPTransport(configuration: settings)
        } throws: { error in
            guard let error = error as? MailTransportError, case let .invalidConfiguration(setting, _, reason) = error else {
                return false
            }
            return setting == "security" && reason.contains("without TLS") && !error.description.contains("secret")
        }
    }

    @Test func missingCAFileRejected() {
        let settings = SMTPConfiguration(host: "smtp.example.com", caFile: "/nonexistent/ca.pem")
        #expect(throws: MailTransportError.invalidConfiguration(
            setting: "caFile", value: "/nonexistent/ca.pem",
            reason: "the file does not exist or is not readable; give the path of a PEM file of CA certificates"
        )) {
            try SMTPTransport(configuration: settings)
        }
    }

    @Test func invalidSettingsRejected() {
        let cases: [(SMTPConfiguration, String)] = [
            (SMTPConfiguration(host: ""), "host"),
            (SMTPConfiguration(host: "smtp.example.com\r\nRCPT"), "host"),
            (SMTPConfiguration(host: "smtp.example.com", port: 0), "port"),
            (SMTPConfiguration(host: "smtp.example.com", port: 70000), "port"),
            (SMTPConfiguration(host: "smtp.example.com", heloName: "me\r\nRSET"), "heloName"),
            (SMTPConfiguration(host: "smtp.example.com", heloName: "two words"), "heloName"),
            (SMTPConfiguration(host: "smtp.example.com", readTimeout: .zero), "readTimeout"),
            (SMTPConfiguration(host: "smtp.example.com", username: "user"), "password"),
            (SMTPConfiguration(host: "smtp.example.com", username: "us\0er", password: "x"), "username"),
        ]
        for (settings, expectedSetting) in cases {
            do {
                _ = try SMTPTransport(configuration: settings)
                Issue.record("\(expectedSetting) was accepted")
            } catch let error {
                guard case let .invalidConfiguration(setting, _, _) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(setting == expectedSetting)
            }
        }
    }

    @Test func defaultPortsFollowSecurity() {
        #expect(SMTPConfiguration(host: "smtp.example.com", security: .none).port == 25)
        #expect(SMTPConfiguration(host: "smtp.example.com").port == 587)
        #expect(SMTPConfiguration(host: "smtp.example.com", security: .implicitTLS).port == 465)
        #expect(SMTPConfiguration(host: "smtp.example.com").readTimeout == .seconds(30))
        #expect(SMTPConfiguration(host: "smtp.example.com").connectTimeout == .seconds(30))
    }
}
