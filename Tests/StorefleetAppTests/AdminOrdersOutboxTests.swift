import Commerce
import Foundation
import Testing
@testable import StorefleetApp

/// The admin outbox: the store's mails with their delivery state, and Send again.
@Suite struct AdminOrdersOutboxTests {
    private func mail(_ number: Int, to address: String = "ana@example.com", orderID: Int64? = nil) -> OutgoingMail {
        OutgoingMail(
            toAddress: address, toName: "Ana Ruiz", subject: "Mail number \(number)",
            textBody: "Body of mail \(number).", kind: .orderConfirmation, relatedOrderID: orderID
        )
    }

    /// Queues one sent, one failed and one waiting mail, and returns their ids in that order.
    private func queueThreeMails(_ shop: OrderShop, orderID: Int64) throws -> (sent: Int64, failed: Int64, queued: Int64) {
        try shop.write { database, now in
            // One attempt only, so the first failure is final.
            let outbox = Outbox(database: database, retryPolicy: .init(maximumAttempts: 1, initialDelay: 30, maximumDelay: 60), now: now)
            let sent = try outbox.enqueue(mail(1, to: "sent@example.com", orderID: orderID))
            let failed = try outbox.enqueue(mail(2, to: "failed@example.com", orderID: orderID))
            let claimed = try outbox.claimDue(limit: 2)
            #expect(claimed.map(\.id) == [sent, failed])
            try outbox.markSent(id: sent)
            try outbox.markFailed(id: failed, error: "550 5.1.1 <failed@example.com>: mailbox unavailable")
            let queued = try outbox.enqueue(mail(3, to: "queued@example.com"))
            return (sent, failed, queued)
        }
    }

    private func message(_ shop: OrderShop, _ id: Int64) throws -> OutboxMessage {
        try #require(try shop.write { database, _ in try Outbox(database: database).find(id: id) })
    }

    @Test func listShowsEveryMailAndItsState() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)])
        let ids = try queueThreeMails(shop, orderID: order.id)
        let browser = try shop.owner()

        let page = try browser.get("/admin/outbox", host: shop.host)
        #expect(page.status == 200)
        let text = page.visibleText
        #expect(text.contains("Outbox 1 failed"))
        #expect(text.contains("Sent sent@example.com Mail number 1 Open order 1 Created Mar 15, 2026 at 12:00 PM UTC Sent Mar 15, 2026 at 12:00 PM UTC"))
        #expect(text.contains("Failed failed@example.com Mail number 2 Open order"))
        #expect(text.contains("Last error: 550 5.1.1 <failed@example.com>: mailbox unavailable 1 Created Mar 15, 2026"))
        #expect(text.contains("Queued queued@example.com Mail number 3 0 Created Mar 15, 2026 at 12:00 PM UTC Next attempt Mar 15, 2026 at 12:00 PM UTC"))
        #expect(HTML.links(in: page.text).contains("/admin/orders/\(order.id)"))
        // Newest first.
        let third = try #require(text.range(of: "Mail number 3")?.lowerBound)
        let first = try #require(text.range(of: "Mail number 1")?.lowerBound)
        #expect(third < first)
        // Only the failed mail can be sent again.
        let retries = HTML.formActions(in: page.text).filter { $0.hasSuffix("/retry") }
        #expect(retries == ["/admin/outbox/\(ids.failed)/retry"])

        let failedOnly = try browser.get("/admin/outbox?status=failed", host: shop.host)
        #expect(failedOnly.pageText.contains("Mail number 2"))
        #expect(!failedOnly.pageText.contains("Mail number 1"))
        #expect(failedOnly.text.contains("<option value=\"failed\" selected>"))

        // The order page lists the mails about the order.
        let orderPage = try browser.get("/admin/orders/\(order.id)", host: shop.host)
        #expect(orderPage.visibleText.contains("Failed Mail number 2 to failed@example.com"))
        #expect(orderPage.visibleText.contains("Sent Mail number 1 to sent@example.com"))
    }

    @Test func sendAgainQueuesAFailedMail() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)])
        let ids = try queueThreeMails(shop, orderID: order.id)
        let browser = try shop.owner()

        let dashboard = try browser.get("/admin", host: shop.host)
        #expect(dashboard.visibleText.contains("1 mail could not be sent. Review the outbox and send it again."))
        #expect(HTML.links(in: dashboard.text).contains("/admin/outbox?status=failed"))

        let retried = try browser.submit("/admin/outbox/\(ids.failed)/retry", host: shop.host, formPath: "/admin/outbox", fields: [])
        #expect(retried.status == 303)
        #expect(retried.location == "/admin/outbox?queued=1")
        let requeued = try message(shop, ids.failed)
        #expect(requeued.status == .queued)
        #expect(requeued.attempts == 0)
        #expect(requeued.nextAttemptAt == OrderShop.now)
        #expect(shop.app.log.contains { $0.contains("outbox.retried") && $0.contains("mail_id=\(ids.failed)") })

        let page = try browser.get("/admin/outbox?queued=1", host: shop.host)
        #expect(page.pageText.contains("The mail is queued and will be sent again shortly."))
        #expect(!page.visibleText.contains("1 failed"))
        let calm = try browser.get("/admin", host: shop.host)
        #expect(!calm.visibleText.contains("could not be sent"))

        // A stale button for a mail that is no longer failed queues nothing.
        for id in [ids.failed, ids.sent] {
            let again = try browser.submit("/admin/outbox/\(id)/retry", host: shop.host, formPath: "/admin/outbox", fields: [])
            #expect(again.status == 409)
            #expect(again.pageText.contains("Mail \(id) is "))
            #expect(again.pageText.contains(", not failed, so it was not queued again."))
        }
        #expect(try message(shop, ids.sent).status == .sent)

        let missing = try browser.submit("/admin/outbox/999/retry", host: shop.host, formPath: "/admin/outbox", fields: [])
        #expect(missing.status == 404)
    }

    @Test func sendAgainDeliversThroughTheSender() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)])
        let ids = try queueThreeMails(shop, orderID: order.id)
        let workers = ShopWorkers(app: shop.app.app, transport: try StoreMailTransport.make(shop.app.app.configuration))
        workers.start()
        defer { workers.stop() }
        let browser = try shop.owner()

        let retried = try browser.submit("/admin/outbox/\(ids.failed)/retry", host: shop.host, formPath: "/admin/outbox", fields: [])
        #expect(retried.status == 303)

        let deadline = Date().addingTimeInterval(10)
        while try message(shop, ids.failed).status != .sent && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try message(shop, ids.failed).status == .sent)
        // The file transport writes each delivered mail under outbox/<store id>/.
        let folder = shop.app.dataDirectory.appendingPathComponent("outbox/\(shop.store.id)", isDirectory: true)
        let files = try waitForMailFiles(in: folder, count: 1)
        let contents = try files.map { try String(contentsOf: $0, encoding: .utf8) }
        let delivered = try #require(contents.first { $0.contains("Subject: Mail number 2") })
        #expect(delivered.contains("To: Ana Ruiz <failed@example.com>"))
    }

    @Test func listPaginatesWithItsFilter() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        try shop.write { database, now in
            let outbox = Outbox(database: database, now: now)
            for number in 1...55 {
                try outbox.enqueue(mail(number))
            }
        }
        let browser = try shop.owner()

        let first = try browser.get("/admin/outbox?status=queued", host: shop.host)
        #expect(first.pageText.contains("Mail number 55"))
        #expect(first.pageText.contains("Mail number 6<"))
        #expect(!first.pageText.contains("Mail number 5<"))
        let next = try #require(HTML.links(in: first.text).first { $0.contains("page=2") })
        #expect(next == "/admin/outbox?status=queued&page=2")
        let second = try browser.get(next, host: shop.host)
        #expect(second.pageText.contains("Mail number 5<"))
        #expect(second.pageText.contains("Mail number 1<"))
        #expect(!second.pageText.contains("Mail number 6<"))

        let empty = try browser.get("/admin/outbox?status=failed", host: shop.host)
        #expect(empty.pageText.contains("No mails with this status."))
    }
}
