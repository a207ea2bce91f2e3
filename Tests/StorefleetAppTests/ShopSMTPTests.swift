import Commerce
import Foundation
import Glibc
import HTTPServer
import Mail
import Synchronization
import Testing
@testable import StorefleetApp

/// Store mail through the SMTP transport, chosen by the serve command's options, against a
/// real SMTP server on loopback.
@Suite struct ShopSMTPTests {
    @Test func optionsChooseAndCheckTheTransport() throws {
        func configuration(_ arguments: [String], _ environment: [String: String] = [:]) throws -> AppConfiguration {
            try AppConfiguration(options: ParsedOptions(arguments, specs: AppConfiguration.serveOptions, environment: environment))
        }

        let defaults = try configuration([])
        #expect(defaults.mailTransport == .file)

        let smtp = try configuration(
            ["--mail-transport", "smtp", "--smtp-host", "mail.example.com", "--smtp-security", "tls"],
            ["STOREFLEET_SMTP_USERNAME": "shop", "STOREFLEET_SMTP_PASSWORD": "secret"]
        )
        #expect(smtp.mailTransport == .smtp)
        #expect(smtp.smtp.host == "mail.example.com")
        #expect(smtp.smtp.security == .implicitTLS)
        #expect(smtp.smtp.username == "shop")
        #expect(smtp.smtp.password == "secret")

        let rejected: [([String], [String: String], String)] = [
            (["--mail-transport", "pigeon"], [:], "must be file or smtp"),
            (["--mail-transport", "smtp"], [:], "needs --smtp-host"),
            (["--mail-transport", "smtp", "--smtp-host", "h.example", "--smtp-username", "shop"], [:], "needs a password"),
            (["--smtp-security", "ssl"], [:], "must be starttls, tls or none"),
            (["--smtp-port", "70000"], [:], "--smtp-port must be a whole number"),
        ]
        for (arguments, environment, message) in rejected {
            #expect {
                try configuration(arguments, environment)
            } throws: { error in
                (error as? UsageError)?.message.contains(message) == true
            }
        }

        // Credentials without TLS stop the start instead of every send.
        var insecure = try configuration(["--mail-transport", "smtp", "--smtp-host", "127.0.0.1", "--smtp-security", "none"])
        insecure.smtp.username = "shop"
        insecure.smtp.password = "secret"
        #expect(throws: MailTransportError.self) { try StoreMailTransport.make(insecure) }
    }

    @Test func orderMailGoesThroughSMTP() throws {
        let server = try LoopbackSMTPServer(rejecting: "nobody@example.com")
        defer { server.stop() }
        let app = try TestApp { configuration in
            configuration.mailTransport = .smtp
            configuration.smtp.host = "127.0.0.1"
            configuration.smtp.port = server.port
            configuration.smtp.security = .none
        }
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let workers = try ShopWorkers.start(app.app)
        defer { workers.stop() }

        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(try shopper.placeOrder(from: review, host: shop.host).status == 303)

        let received = try server.waitForMessages(count: 2)
        try #require(received.count == 2)
        #expect(Set(received.map(\.recipients)) == [["ana@example.com"], [TestApp.ownerEmail("alpha")]])
        #expect(received.allSatisfy { $0.sender == "no-reply@shop.test" })
        #expect(received.contains { $0.content.contains("Subject: Order #1001 confirmed") })

        // A recipient the server rejects with 550 fails for good after one attempt, and
        // the log names neither address.
        let rejectedID = try shop.write { database in
            try Outbox(database: database, now: { app.clock.now() }).enqueue(
                OutgoingMail(toAddress: "nobody@example.com", subject: "Hello", textBody: "Hi", kind: .orderConfirmation)
            )
        }
        app.app.shopJobs.mail.schedule(shop.store.id, at: app.clock.now())
        let deadline = Date().addingTimeInterval(10)
        var rejected: OutboxMessage?
        while Date() < deadline {
            rejected = try shop.read { try Outbox(database: $0).find(id: rejectedID) }
            if rejected?.status == .failed { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(rejected?.status == .failed)
        #expect(rejected?.attempts == 1)
        #expect(rejected?.lastError?.contains("550") == true)
        let failureLines = app.waitForLog { $0.contains("mail.failed") && $0.contains("outbox_id=\(rejectedID)") }
        #expect(failureLines.count == 1)
        #expect(failureLines.allSatisfy { $0.contains("permanent=true") })
        #expect(failureLines.allSatisfy { !$0.contains("nobody@") })
        #expect(try server.waitForMessages(count: 2).count == 2)
    }
}

/// The aiosmtpd server of the Mail tests' fixtures, run as a child process on an ephemeral
/// port of 127.0.0.1, without TLS. It stores each message as `N.eml` and its envelope as
/// `N.json` in its own folder.
final class LoopbackSMTPServer {
    struct Message {
        let sender: String
        let recipients: [String]
        let content: String
    }

    let port: Int
    let inbox: URL
    private let process = Process()

    init(rejecting rejectedRecipient: String) throws {
        inbox = FileManager.default.temporaryDirectory.appendingPathComponent("shop-smtp-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let script = TestApp.packageRoot + "/Tests/MailTests/Fixtures/smtp_server.py"

        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--folder", inbox.path, "--reject-recipient", rejectedRecipient]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()

        // The script prints "listening PORT" once it accepts connections.
        let line = Mutex<String?>(nil)
        let printed = DispatchSemaphore(value: 0)
        let reader = output.fileHandleForReading
        Thread {
            var bytes: [UInt8] = []
            while let chunk = try? reader.read(upToCount: 1), let byte = chunk.first, byte != UInt8(ascii: "\n") {
                bytes.append(byte)
            }
            line.withLock { $0 = String(decoding: bytes, as: UTF8.self) }
            printed.signal()
        }.start()
        guard printed.wait(timeout: .now() + 15) == .success,
              let text = line.withLock({ $0 }), text.hasPrefix("listening "),
              let port = Int(text.dropFirst("listening ".count))
        else {
            process.terminate()
            throw TestFailure("the SMTP server in \(script) did not start; it needs python3 with aiosmtpd (pip install aiosmtpd)")
        }
        self.port = port
    }

    /// Waits until the server stored `count` messages, for at most 10 seconds, and returns
    /// those it has.
    func waitForMessages(count: Int) throws -> [Message] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let messages = try stored()
            if messages.count >= count || Date() > deadline { return messages }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private func stored() throws -> [Message] {
        var messages: [Message] = []
        var number = 1
        while let details = try? Data(contentsOf: inbox.appendingPathComponent("\(number).json")) {
            let content = try String(contentsOf: inbox.appendingPathComponent("\(number).eml"), encoding: .utf8)
            let object = try JSONSerialization.jsonObject(with: details) as? [String: Any] ?? [:]
            messages.append(Message(
                sender: object["mail_from"] as? String ?? "",
                recipients: object["rcpt_tos"] as? [String] ?? [],
                content: content
            ))
            number += 1
        }
        return messages
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: inbox)
    }
}
