@testable import Mail
import Testing

@Suite struct SMTPProtocolTests {
    private func parse(_ lines: [String]) -> [SMTPReplyParser.Outcome] {
        var parser = SMTPReplyParser()
        return lines.map { parser.add(Array($0.utf8)) }
    }

    @Test func singleLineReply() {
        let outcomes = parse(["250 OK"])
        guard case let .complete(reply) = outcomes[0] else {
            Issue.record("expected a complete reply, got \(outcomes[0])")
            return
        }
        #expect(reply == SMTPReply(code: 250, lines: ["OK"]))
    }

    @Test func multiLineReply() {
        let outcomes = parse(["250-smtp.example.com greets you", "250-SIZE 1000", "250-8BITMIME", "250 STARTTLS"])
        guard case let .complete(reply) = outcomes[3] else {
            Issue.record("expected a complete reply, got \(outcomes[3])")
            return
        }
        #expect(outcomes.prefix(3).allSatisfy { if case .needMoreLines = $0 { true } else { false } })
        #expect(reply.code == 250)
        #expect(reply.lines == ["smtp.example.com greets you", "SIZE 1000", "8BITMIME", "STARTTLS"])
    }

    @Test func codeWithoutText() {
        guard case let .complete(reply) = parse(["354"])[0] else {
            Issue.record("a bare code is a complete reply")
            return
        }
        #expect(reply == SMTPReply(code: 354, lines: [""]))
    }

    @Test func malformedLinesRejected() {
        for line in ["", "25", "abc OK", "250OK", "250_OK", "199 too low", "600 too high", "+OK POP3 ready", "HTTP/1.1 400 Bad Request"] {
            let outcome = parse([line])[0]
            #expect({ if case .malformed = outcome { true } else { false } }(), "\(line.debugDescription) was accepted")
        }
    }

    @Test func changingCodeInsideReplyRejected() {
        let outcomes = parse(["250-first", "251 second"])
        #expect({ if case .malformed = outcomes[1] { true } else { false } }())
    }

    @Test func replyClassification() {
        #expect(SMTPReply(code: 250, lines: []).isPositive)
        #expect(SMTPReply(code: 354, lines: []).isPositive)
        #expect(SMTPReply(code: 451, lines: []).isTransientFailure)
        #expect(SMTPReply(code: 550, lines: []).isPermanentFailure)
        #expect(SMTPReply(code: 550, lines: ["5.1.1", "No such user"]).description == "550 5.1.1 No such user")
    }

    @Test func ehloExtensionsParsed() {
        let reply = SMTPReply(code: 250, lines: ["smtp.example.com", "SIZE 10240000", "auth PLAIN LOGIN", "STARTTLS", "8BITMIME"])
        let extensions = SMTPSession.parseExtensions(reply)

        #expect(extensions["SIZE"] == ["10240000"])
        #expect(extensions["AUTH"] == ["PLAIN", "LOGIN"])
        #expect(extensions["STARTTLS"] == [])
        #expect(extensions["SMTP.EXAMPLE.COM"] == nil)
        #expect(extensions.count == 4)
    }

    @Test func dotStuffingDoublesLeadingDots() {
        let content = Array("a\r\n.b\r\n..\r\n.\r\nc.d\r\n".utf8)
        let stuffed = String(decoding: DotStuffing.apply(content), as: UTF8.self)

        #expect(stuffed == "a\r\n..b\r\n...\r\n..\r\nc.d\r\n.\r\n")
    }

    @Test func dotStuffingFirstLineAndMissingCRLF() {
        #expect(String(decoding: DotStuffing.apply(Array(".x".utf8)), as: UTF8.self) == "..x\r\n.\r\n")
        #expect(String(decoding: DotStuffing.apply([]), as: UTF8.self) == "\r\n.\r\n")
    }

    @Test func permanenceFollowsCommandAndCode() {
        let server = "smtp.example.com:587"
        let rejected = SMTPReply(code: 550, lines: ["No such user"])
        let busy = SMTPReply(code: 450, lines: ["Mailbox busy"])
        let badPassword = SMTPReply(code: 535, lines: ["Authentication failed"])

        #expect(MailTransportError.replyRejected(server: server, command: .rcptTo("a@example.com"), reply: rejected).isPermanent)
        #expect(MailTransportError.replyRejected(server: server, command: .messageContent, reply: rejected).isPermanent)
        #expect(!MailTransportError.replyRejected(server: server, command: .rcptTo("a@example.com"), reply: busy).isPermanent)
        #expect(!MailTransportError.replyRejected(server: server, command: .auth(mechanism: "PLAIN"), reply: badPassword).isPermanent)
        #expect(!MailTransportError.replyRejected(server: server, command: .greeting, reply: SMTPReply(code: 554, lines: [])).isPermanent)
        #expect(MailTransportError.messageTooLarge(server: server, size: 10, limit: 5).isPermanent)
        #expect(!MailTransportError.connectionFailed(server: server, reason: "Connection refused").isPermanent)
        #expect(!MailTransportError.timedOut(server: server, waitingFor: "x", seconds: 1).isPermanent)
    }
}
