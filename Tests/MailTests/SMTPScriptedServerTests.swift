import Foundation
import Mail
import Testing

/// SMTPTransport against `ScriptedSMTPServer`, for server behaviour that aiosmtpd does
/// not produce.
@Suite struct SMTPScriptedServerTests {
    private func transport(port: Int, security: SMTPConfiguration.Security = .none) throws -> SMTPTransport {
        try SMTPTransport(configuration: SMTPConfiguration(
            host: "127.0.0.1", port: port, security: security, heloName: "client.storefleet.test",
            connectTimeout: .seconds(5), readTimeout: .seconds(5)
        ))
    }

    private func message() throws -> MailMessage {
        try MailMessage(
            from: MailAddress("stores@storefleet.example"), to: [MailAddress("ana@example.com")],
            subject: "Hi", textBody: "Hi", messageIDDomain: "mail.storefleet.example"
        )
    }

    /// Replies that let a plain transaction through.
    private static func standardReply(_ command: String) -> String? {
        switch command.split(separator: " ").first?.uppercased() {
        case "EHLO": "250-scripted.test\r\n250 8BITMIME\r\n"
        case "HELO": "250 scripted.test\r\n"
        case "DATA": "354 go ahead\r\n"
        case "QUIT": "221 bye\r\n"
        default: "250 OK\r\n"
        }
    }

    @Test func ehloRejectedFallsBackToHelo() throws {
        let server = try ScriptedSMTPServer { command in
            command.hasPrefix("EHLO") ? "502 5.5.1 Command not implemented\r\n" : Self.standardReply(command)
        }

        try transport(port: server.port).send(try message())
        server.waitUntilFinished()

        #expect(server.commands == [
            "EHLO client.storefleet.test",
            "HELO client.storefleet.test",
            "MAIL FROM:<stores@storefleet.example>",
            "RCPT TO:<ana@example.com>",
            "DATA",
            "QUIT",
        ])
    }

    @Test func malformedGreetingRejected() throws {
        let server = try ScriptedSMTPServer(greeting: "HTTP/1.1 400 Bad Request\r\n") { _ in nil }
        let error = try #require(sendError(try transport(port: server.port), try message()))

        #expect(error == .malformedReply(server: "127.0.0.1:\(server.port)", command: .greeting, line: "HTTP/1.1 400 Bad Request"))
        #expect(!error.isPermanent)
    }

    @Test func refusingGreetingIsTemporary() throws {
        let server = try ScriptedSMTPServer(greeting: "554 5.7.1 No service for you\r\n") { Self.standardReply($0) }
        let error = try #require(sendError(try transport(port: server.port), try message()))

        guard case let .replyRejected(_, command, reply) = error else {
            Issue.record("expected a rejected greeting, got \(error)")
            return
        }
        #expect(command == .greeting)
        #expect(reply.code == 554)
        #expect(!error.isPermanent)
        server.waitUntilFinished()
        #expect(server.commands == ["QUIT"])
    }

    @Test func dataAfterStartTLSReplyRejected() throws {
        // A man in the middle appends a reply after the 220, hoping the client reads it
        // as if it came through TLS.
        let server = try ScriptedSMTPServer { command in
            switch command {
            case _ where command.hasPrefix("EHLO"): "250-scripted.test\r\n250 STARTTLS\r\n"
            case "STARTTLS": "220 ready\r\n250-injected\r\n250 AUTH PLAIN\r\n"
            default: nil
            }
        }
        let error = try #require(sendError(try transport(port: server.port, security: .startTLS), try message()))

        guard case let .tlsFailed(_, reason) = error else {
            Issue.record("expected a TLS failure, got \(error)")
            return
        }
        #expect(reason.contains("after its STARTTLS reply"))
    }

    @Test func rejectedContentIsPermanent() throws {
        let server = try ScriptedSMTPServer(dataReply: "554 5.6.0 Message content rejected\r\n") { Self.standardReply($0) }
        let error = try #require(sendError(try transport(port: server.port), try message()))

        guard case let .replyRejected(_, command, reply) = error else {
            Issue.record("expected rejected content, got \(error)")
            return
        }
        #expect(command == .messageContent)
        #expect(reply.code == 554)
        #expect(error.isPermanent)
    }

    @Test func droppedConnectionAfterAcceptanceSucceeds() throws {
        // The message is delivered once the server replies 250 to its content, so a
        // connection lost at QUIT must not turn into an error and a duplicate on retry.
        let server = try ScriptedSMTPServer { command in
            command == "QUIT" ? nil : Self.standardReply(command)
        }

        try transport(port: server.port).send(try message())
        server.waitUntilFinished()

        #expect(server.commands.last == "QUIT")
    }

    @Test func connectionClosedMidDialogueIsTemporary() throws {
        let server = try ScriptedSMTPServer { command in
            command.hasPrefix("RCPT") ? nil : Self.standardReply(command)
        }
        let error = try #require(sendError(try transport(port: server.port), try message()))

        #expect(error == .connectionClosed(server: "127.0.0.1:\(server.port)", waitingFor: "waiting for the reply to RCPT TO:<ana@example.com>"))
        #expect(!error.isPermanent)
    }

    @Test func authNotOfferedFails() throws {
        let server = try ScriptedSMTPServer { Self.standardReply($0) }
        let settings = SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .none, username: "user", password: "secret",
            allowInsecureAuth: true, heloName: "client.storefleet.test", readTimeout: .seconds(5)
        )
        let error = try #require(sendError(try SMTPTransport(configuration: settings), try message()))

        #expect(error == .authenticationNotOffered(server: "127.0.0.1:\(server.port)", offeredMechanisms: []))
    }

    @Test func insecureAuthSendsPlainCredentials() throws {
        let server = try ScriptedSMTPServer { command in
            switch command {
            case _ where command.hasPrefix("EHLO"): "250-scripted.test\r\n250 AUTH LOGIN PLAIN\r\n"
            case _ where command.hasPrefix("AUTH"): "235 2.7.0 Authentication successful\r\n"
            default: Self.standardReply(command)
            }
        }
        let settings = SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .none, username: "user", password: "secret",
            allowInsecureAuth: true, heloName: "client.storefleet.test", readTimeout: .seconds(5)
        )

        try SMTPTransport(configuration: settings).send(try message())
        server.waitUntilFinished()

        // base64 of "\0user\0secret" (RFC 4616).
        #expect(server.commands.contains("AUTH PLAIN AHVzZXIAc2VjcmV0"))
    }

    private func sendError(_ transport: SMTPTransport, _ message: MailMessage) -> MailTransportError? {
        do {
            try transport.send(message)
            return nil
        } catch {
            return error
        }
    }
}
