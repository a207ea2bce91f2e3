import Commerce
import Foundation
import Testing
@testable import StorefleetApp

/// One order's admin page and the changes staff post from it.
@Suite struct AdminOrdersDetailTests {
    /// Returns the `action` of every form on the page except the logout form.
    private func actions(_ page: HTTPResponse) -> [String] {
        HTML.formActions(in: page.text).filter { $0 != "/admin/logout" }
    }

    private func mails(_ shop: OrderShop, _ orderID: Int64) throws -> [OutboxMessage] {
        try shop.write { database, _ in try Outbox(database: database).messages(orderID: orderID) }
    }

    @Test func pageShowsTheWholeOrder() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let billing = Address(name: "Ana Ruiz SL", line1: "Gran Vía 5", city: "Madrid", postalCode: "28004", country: "ES")
        let order = try shop.placeOrder(
            [(shop.mug, 2), (shop.lamp, 1)], email: "ana@example.com", name: "Ana Ruiz", billing: billing, notes: "Leave it with the porter"
        )
        let browser = try shop.owner()

        let page = try browser.get("/admin/orders/\(order.id)", host: shop.host)
        #expect(page.status == 200)
        let text = page.pageText
        #expect(text.contains("Order #\(order.number)"))
        #expect(text.contains("Pending payment"))
        #expect(text.contains("Unfulfilled"))
        // A bank transfer not yet received gets a warning beside the ship form.
        #expect(text.contains("This order is not paid yet (Bank transfer)."))
        // Lines and totals: 2 × $12.50, 1 × $30.00, $5.00 shipping.
        #expect(text.contains("Camp Mug"))
        #expect(text.contains("Trail Lamp"))
        #expect(text.contains("$25.00"))
        #expect(text.contains("Subtotal (3 items)"))
        #expect(text.contains("$55.00"))
        #expect(text.contains("Shipping: Standard"))
        #expect(text.contains("$60.00"))
        // Addresses, contact and notes.
        #expect(text.contains("ana@example.com"))
        #expect(text.contains("Calle Mayor 1<br>2º B<br>28013 Madrid<br>Madrid<br>Spain"))
        #expect(text.contains("Ana Ruiz SL<br>Gran Vía 5<br>28004 Madrid<br>Spain"))
        #expect(text.contains("Leave it with the porter"))
        // Payment method with the instructions as they were when the order was placed.
        #expect(text.contains("Bank transfer"))
        #expect(text.contains(OrderShop.bankInstructions))
        // The timeline's first event, with its actor and time.
        #expect(text.contains("Order placed: 3 items, total $60.00, payment by Bank transfer."))
        #expect(text.contains("by Shopper · "))
        #expect(text.contains("Mar 15, 2026"))
        // A pending, unshipped order can be paid, shipped or canceled, but not delivered.
        #expect(actions(page) == [
            "/admin/orders/\(order.id)/mark-paid", "/admin/orders/\(order.id)/ship",
            "/admin/orders/\(order.id)/cancel", "/admin/orders/\(order.id)/notes",
        ])
    }

    @Test func unknownOrderIsNotFound() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let missing = try browser.get("/admin/orders/999", host: shop.host)
        #expect(missing.status == 404)
        #expect(missing.pageText.contains("There is no order with id 999."))
        let notANumber = try browser.get("/admin/orders/abc", host: shop.host)
        #expect(notANumber.status == 404)
        let post = try browser.submit("/admin/orders/999/mark-paid", host: shop.host, formPath: "/admin/orders", fields: [])
        #expect(post.status == 404)
    }

    @Test func payShipAndDeliverAsStaff() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)])
        let browser = try shop.owner()
        let path = "/admin/orders/\(order.id)"

        let paid = try browser.submit("\(path)/mark-paid", host: shop.host, formPath: path, fields: [("reference", "TRF-2026-0042")])
        #expect(paid.status == 303)
        #expect(paid.location == "\(path)?done=paid")
        let afterPaid = try browser.get("\(path)?done=paid", host: shop.host)
        #expect(afterPaid.pageText.contains("Order marked as paid."))
        #expect(afterPaid.pageText.contains("Payment of $17.50 received (reference TRF-2026-0042)."))
        #expect(afterPaid.pageText.contains("by Owner · "))
        #expect(actions(afterPaid) == ["\(path)/ship", "\(path)/cancel", "\(path)/notes"])
        #expect(!afterPaid.pageText.contains("not paid yet"))

        let stored = try shop.order(order.id)
        #expect(stored.status == .paid)
        #expect(stored.paymentReference == "TRF-2026-0042")
        #expect(stored.paidAt == OrderShop.now)
        let paidEvent = try #require(try shop.timeline(order.id).last)
        #expect(paidEvent.kind == .paid)
        let owner = try #require(try shop.app.app.pool.withStore(shop.store.id) { queue in
            try queue.read { database in try StaffDirectory(database: database).list().first }
        })
        #expect(paidEvent.actor == .staff(id: owner.id, name: "Owner"))

        let shipped = try browser.submit("\(path)/ship", host: shop.host, formPath: path, fields: [
            ("carrier", "Correos"), ("tracking_number", "PK4711ES"),
        ])
        #expect(shipped.status == 303)
        #expect(shipped.location == "\(path)?done=shipped")
        let afterShipped = try browser.get(path, host: shop.host)
        #expect(afterShipped.pageText.contains("Shipped with Correos, tracking number PK4711ES."))
        #expect(actions(afterShipped) == ["\(path)/mark-delivered", "\(path)/notes"])

        let delivered = try browser.submit("\(path)/mark-delivered", host: shop.host, formPath: path, fields: [])
        #expect(delivered.status == 303)
        let afterDelivered = try browser.get(path, host: shop.host)
        #expect(afterDelivered.pageText.contains("Delivered"))
        #expect(actions(afterDelivered) == ["\(path)/notes"])
        let final = try shop.order(order.id)
        #expect(final.fulfillment == .delivered)
        #expect(final.carrier == "Correos")
        #expect(final.trackingNumber == "PK4711ES")
        #expect(try shop.timeline(order.id).map(\.kind) == [.placed, .paid, .shipped, .delivered])

        // The shopper gets a mail for the payment and one for the shipment, and the store is
        // scheduled with the mail sender.
        let sent = try mails(shop, order.id)
        #expect(sent.map(\.mail.kind) == [.paymentReceived, .orderShipped])
        #expect(sent.map(\.mail.toAddress) == ["ana@example.com", "ana@example.com"])
        #expect(sent.map(\.mail.subject) == ["Payment received for order #\(order.number)", "Order #\(order.number) has shipped"])
        #expect(sent.last?.mail.textBody.contains("PK4711ES") == true)
        #expect(sent.allSatisfy { $0.status == .queued })
        #expect(shop.app.app.shopJobs.mail.snapshot[shop.store.id] != nil)
        #expect(afterDelivered.visibleText.contains("Queued Order #\(order.number) has shipped to ana@example.com"))
    }

    @Test func shipRequiresCarrierAndTrackingNumber() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)], payment: shop.cashOnDelivery)
        let browser = try shop.owner()
        let path = "/admin/orders/\(order.id)"

        let empty = try browser.submit("\(path)/ship", host: shop.host, formPath: path, fields: [("carrier", "  "), ("tracking_number", "")])
        #expect(empty.status == 422)
        #expect(HTML.fieldErrors("carrier", in: empty.text) == ["Carrier is required."])
        #expect(HTML.fieldErrors("tracking_number", in: empty.text) == ["Tracking number is required."])

        let half = try browser.submit("\(path)/ship", host: shop.host, formPath: path, fields: [("carrier", "SEUR"), ("tracking_number", "")])
        #expect(half.status == 422)
        #expect(HTML.inputValue(named: "carrier", in: half.text) == "SEUR")
        #expect(HTML.fieldErrors("tracking_number", in: half.text) == ["Tracking number is required."])
        #expect(try shop.order(order.id).fulfillment == .unfulfilled)
        #expect(try shop.timeline(order.id).count == 1)

        // Cash on delivery ships before it is paid.
        let shipped = try browser.submit("\(path)/ship", host: shop.host, formPath: path, fields: [("carrier", "SEUR"), ("tracking_number", "SE-1")])
        #expect(shipped.status == 303)
        let stored = try shop.order(order.id)
        #expect(stored.fulfillment == .shipped)
        #expect(stored.status == .pendingPayment)
    }

    @Test func invalidTransitionGivesAMessage() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)])
        let browser = try shop.owner()
        let path = "/admin/orders/\(order.id)"
        // A second tab still shows the buttons of the pending order.
        let staleToken = try browser.get(path, host: shop.host).csrfToken()
        try shop.write { database, now in
            let orders = OrderStore(database: database, now: now)
            try orders.markPaid(id: order.id, by: .system)
            try orders.ship(id: order.id, carrier: "Correos", trackingNumber: "PK1", by: .system)
        }

        let payAgain = try browser.post("\(path)/mark-paid", host: shop.host, form: [("csrf_token", staleToken), ("reference", "")])
        #expect(payAgain.status == 409)
        #expect(payAgain.pageText.contains("Order \(order.number) is already marked as paid."))
        #expect(payAgain.text.contains("role=\"alert\""))

        let cancel = try browser.post("\(path)/cancel", host: shop.host, form: [("csrf_token", staleToken), ("reason", "Too late")])
        #expect(cancel.status == 409)
        #expect(cancel.pageText.contains("Order \(order.number) has already shipped, so it cannot be canceled."))

        let shipAgain = try browser.post("\(path)/ship", host: shop.host, form: [
            ("csrf_token", staleToken), ("carrier", "SEUR"), ("tracking_number", "X"),
        ])
        #expect(shipAgain.status == 409)
        #expect(shipAgain.pageText.contains("has already shipped"))

        let stored = try shop.order(order.id)
        #expect(stored.status == .paid)
        #expect(stored.carrier == "Correos")
        #expect(try shop.timeline(order.id).map(\.kind) == [.placed, .paid, .shipped])
        #expect(try mails(shop, order.id).isEmpty)
    }

    @Test func cancelPutsStockBack() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 3), (shop.lamp, 2)])
        #expect(try shop.stock(shop.mug) == 47)
        #expect(try shop.stock(shop.lamp) == 18)
        let browser = try shop.owner()
        let path = "/admin/orders/\(order.id)"

        let canceled = try browser.submit("\(path)/cancel", host: shop.host, formPath: path, fields: [("reason", "Customer called to cancel")])
        #expect(canceled.status == 303)
        #expect(canceled.location == "\(path)?done=canceled")
        #expect(try shop.stock(shop.mug) == 50)
        #expect(try shop.stock(shop.lamp) == 20)

        let page = try browser.get("\(path)?done=canceled", host: shop.host)
        #expect(page.pageText.contains("Order canceled; its stock was put back."))
        #expect(page.pageText.contains("Canceled; stock put back. Reason: Customer called to cancel"))
        // A canceled order has no fulfilment left to do, so it shows no "Unfulfilled" badge.
        #expect(!page.text.contains(">Unfulfilled</span>"))
        #expect(actions(page) == ["\(path)/notes"])
        #expect(try shop.order(order.id).status == .canceled)
        let canceledMail = try #require(try mails(shop, order.id).last)
        #expect(canceledMail.mail.kind == .orderCanceled)
        #expect(canceledMail.mail.subject == "Order #\(order.number) canceled")

        // Posting the cancel again changes nothing and puts no stock back twice.
        let again = try browser.submit("\(path)/cancel", host: shop.host, formPath: path, fields: [("reason", "")])
        #expect(again.status == 409)
        #expect(again.pageText.contains("Order \(order.number) is already canceled; nothing was changed."))
        #expect(try shop.stock(shop.mug) == 50)
    }

    @Test func notesGoIntoTheTimeline() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let order = try shop.placeOrder([(shop.mug, 1)])
        let browser = try shop.owner()
        let path = "/admin/orders/\(order.id)"

        let empty = try browser.submit("\(path)/notes", host: shop.host, formPath: path, fields: [("note", "   ")])
        #expect(empty.status == 422)
        #expect(HTML.fieldErrors("note", in: empty.text) == ["Note is empty; write something to add it."])

        let tooLong = String(repeating: "a", count: 2_001)
        let long = try browser.submit("\(path)/notes", host: shop.host, formPath: path, fields: [("note", tooLong)])
        #expect(long.status == 422)
        #expect(HTML.fieldErrors("note", in: long.text) == ["Note must be at most 2,000 characters; it has 2,001."])
        #expect(HTML.textareaValue(named: "note", in: long.text) == tooLong)

        let added = try browser.submit("\(path)/notes", host: shop.host, formPath: path, fields: [("note", "Called the customer <b>twice</b>\nNo answer yet")])
        #expect(added.status == 303)
        #expect(added.location == "\(path)?done=note")
        let page = try browser.get("\(path)?done=note", host: shop.host)
        #expect(page.pageText.contains("Note added to the timeline."))
        #expect(page.pageText.contains("Internal note"))
        #expect(page.text.contains("Called the customer &lt;b&gt;twice&lt;/b&gt;\nNo answer yet"))
        let note = try #require(try shop.timeline(order.id).last)
        #expect(note.kind == .note)
        #expect(note.isInternal)
        if case .staff(_, let name) = note.actor {
            #expect(name == "Owner")
        } else {
            Issue.record("the note's actor is \(note.actor), not the staff member")
        }
        // Newest first: the note stands above the placed event.
        let notePosition = try #require(page.pageText.range(of: "Called the customer")?.lowerBound)
        let placedPosition = try #require(page.pageText.range(of: "Order placed:")?.lowerBound)
        #expect(notePosition < placedPosition)
    }
}
