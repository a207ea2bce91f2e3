import Mail
import Commerce
import Foundation
import SQLite
import Tenancy
import Testing
@testable import StorefleetApp

/// Tests of the background work: delivering store mail with retries, and abandoning
/// unpaid orders.
@Suite struct ShopWorkerTests {
    /// Polls `condition` every 50 ms for at most `seconds`.
    private func waitUntil(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    private func outboxStatus(_ shop: ShopFixture, _ id: Int64) throws -> OutboxMessage? {
        try shop.read { try Outbox(database: $0).find(id: id) }
    }

    @Test func senderRetriesAndGivesUpOnPermanentFailures() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)

        // Mail queued before the workers start is found by the start-up scan. One of them
        // has an address that SMTP without SMTPUTF8 cannot carry. Checkout no longer takes
        // such an address, so the row is changed directly, as one queued by an older
        // version would be.
        let (good, bad) = try shop.write { database in
            let outbox = Outbox(database: database, now: { app.clock.now() })
            let good = try outbox.enqueue(OutgoingMail(toAddress: "ana@example.com", subject: "Hello", textBody: "Hi", kind: .orderConfirmation))
            let bad = try outbox.enqueue(OutgoingMail(toAddress: "an@example.com", subject: "Hello", textBody: "Hi", kind: .orderConfirmation))
            try database.run("UPDATE outbox SET to_address = 'añ@example.com' WHERE id = ?", bad)
            return (good, bad)
        }
        // A file where the store's mail folder belongs makes the file transport fail, as a
        // full or read-only disk would: a temporary failure.
        try FileManager.default.createDirectory(at: shop.mailFolder.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("in the way".utf8).write(to: shop.mailFolder)

        let workers = try ShopWorkers.start(app.app)
        defer { workers.stop() }
        #expect(try waitUntil { try outboxStatus(shop, bad)?.status == .failed })
        #expect(try waitUntil { try outboxStatus(shop, good)?.lastError != nil })
        let retried = try #require(try outboxStatus(shop, good))
        #expect(retried.attempts == 1)
        #expect(retried.status == .queued)
        #expect(retried.lastError?.contains("Could not write the mail file") == true)
        #expect(retried.nextAttemptAt == app.clock.now().addingTimeInterval(30))
        #expect(try outboxStatus(shop, bad)?.attempts == 1)
        #expect(!app.waitForLog { $0.contains("mail.failed") && $0.contains("outbox_id=\(bad)") && $0.contains("permanent=true") }.isEmpty)
        #expect(!app.log.contains { $0.contains("mail.failed") && $0.contains("añ@") })

        // Once the disk is fixed and the retry is due, the mail goes out.
        try FileManager.default.removeItem(at: shop.mailFolder)
        app.clock.advance(by: 31)
        app.app.shopJobs.mail.wake()
        #expect(try waitUntil { try outboxStatus(shop, good)?.status == .sent })
        let files = try waitForMailFiles(in: shop.mailFolder, count: 1)
        #expect(files.count == 1)
        let mail = try String(contentsOf: try #require(files.first), encoding: .utf8)
        #expect(mail.contains("Message-ID: <\(good).\(shop.store.id)@shop.test>"))
        #expect(!app.waitForLog { $0.contains("mail.sent") && $0.contains("outbox_id=\(good)") && $0.contains("attempt=2") }.isEmpty)
    }

    @Test func sweeperAbandonsStaleUnpaidOrders() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        try shopper.addToCart(shop.lamp, quantity: 2, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(try shopper.placeOrder(from: review, host: shop.host).status == 303)
        #expect(try shop.stock(shop.lamp) == 3)
        #expect(app.app.shopJobs.pendingOrders.all == [shop.store.id])

        // Eight days later, past the store's seven-day window, the start-up sweep runs.
        app.clock.advance(by: 8 * 24 * 60 * 60)
        let workers = ShopWorkers(app: app.app, transport: try StoreMailTransport.make(app.app.configuration))
        workers.start()
        defer { workers.stop() }

        #expect(try waitUntil { try shop.order(number: 1001)?.status == .abandoned })
        #expect(try shop.stock(shop.lamp) == 5)
        #expect(waitUntil { app.app.shopJobs.pendingOrders.all.isEmpty })
        #expect(!app.waitForLog { $0.contains("orders.abandoned") && $0.contains("store_id=\(shop.store.id)") && $0.contains("numbers=1001") }.isEmpty)

        let status = try shopper.get("/orders/1001?token=\(try #require(try shop.order(number: 1001)).accessToken)", host: shop.host)
        #expect(status.pageText.contains("Canceled because it was not paid in time"))
        #expect(!status.pageText.contains(ShopFixture.instructions))
    }
}

/// Every address that forms accept can be mailed: an address that checkout took and the
/// mail layer refused left the shopper without a confirmation.
@Suite struct EmailAddressAgreementTests {
    @Test(arguments: [
        "ana@example.com", "Ana.Ruiz+shop@mail.example.co", "o'brien@example.ie", "x@a-b.example", "a!#$%&'*+/=?^_`{|}~-@example.com",
        "<ann@x.com>", "ann@x.com?x=1", "mailto:ann@x.com", "añ@example.com", "ann@café.example", ".ann@x.com", "ann.@x.com",
        "ann..b@x.com", "ann@x_y.com", "ann@-x.com", "ann@x.com.", "ann@10.0.0.1", "ann@[10.0.0.1]", "\"ann\"@x.com", "ann@x",
        "a(b)@x.com", "a,b@x.com", "a;b@x.com", "a:b@x.com", "a\\b@x.com",
    ])
    func formsAcceptOnlyAddressesTheMailLayerSendsTo(address: String) {
        guard case .success(let accepted) = EmailAddress.validate(address) else { return }
        #expect(throws: Never.self, "\(address) was accepted by the form but not by the mail layer") {
            _ = try MailAddress(accepted)
        }
    }
}
