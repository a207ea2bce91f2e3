import Commerce
import Foundation
import Testing

@Suite struct OrderTransitionTests {
    let staff = OrderActor.staff(id: 12, name: "Ann")

    @Test func payShipDeliver() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])

        shop.store.clock.advance(by: 3600)
        let paid = try shop.store.orders.markPaid(id: order.id, by: staff, reference: " TR-991 ") { order in
            [OutgoingMail(toAddress: order.email, subject: "Payment received", textBody: "Thanks.", kind: .paymentReceived)]
        }
        #expect(paid.status == .paid)
        #expect(paid.paidAt == shop.store.clock.now)
        #expect(paid.paymentReference == "TR-991")

        shop.store.clock.advance(by: 3600)
        let shipped = try shop.store.orders.ship(id: order.id, carrier: " Correos ", trackingNumber: "PK123ES", by: staff) { order in
            [OutgoingMail(toAddress: order.email, subject: "Shipped", textBody: "Tracking \(order.trackingNumber ?? "")", kind: .orderShipped)]
        }
        #expect(shipped.fulfillment == .shipped)
        #expect(shipped.carrier == "Correos")
        #expect(shipped.trackingNumber == "PK123ES")
        #expect(shipped.shippedAt == shop.store.clock.now)

        let delivered = try shop.store.orders.markDelivered(id: order.id, by: .system)
        #expect(delivered.fulfillment == .delivered)
        #expect(delivered.status == .paid)

        let timeline = try shop.store.orders.timeline(orderID: order.id)
        #expect(timeline.map(\.kind) == [.placed, .paid, .shipped, .delivered])
        #expect(timeline.map(\.actor) == [.shopper, staff, staff, .system])
        #expect(timeline[1].message == "Payment of $17.50 received (reference TR-991).")
        #expect(timeline[2].message == "Shipped with Correos, tracking number PK123ES.")

        let mails = try shop.store.outbox.messages(orderID: order.id)
        #expect(mails.map(\.mail.kind) == [.paymentReceived, .orderShipped])
        #expect(mails[1].mail.textBody == "Tracking PK123ES")
    }

    @Test func cashOnDeliveryShipsBeforePayment() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])
        _ = try shop.store.orders.ship(id: order.id, carrier: "SEUR", trackingNumber: "1", by: staff)
        _ = try shop.store.orders.markDelivered(id: order.id, by: staff)
        let paid = try shop.store.orders.markPaid(id: order.id, by: staff)
        #expect(paid.status == .paid)
        #expect(paid.fulfillment == .delivered)
        #expect(paid.paymentReference == nil)
    }

    @Test func invalidTransitionsAreRejected() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])

        let notShipped = try caught(OrderError.self) { _ = try shop.store.orders.markDelivered(id: order.id, by: staff) }
        #expect(notShipped == .invalidTransition(number: 1001, action: .markDelivered, status: .pendingPayment, fulfillment: .unfulfilled))
        #expect(notShipped?.description == "Order 1001 has not shipped yet; ship it with a carrier and tracking number first.")

        _ = try shop.store.orders.markPaid(id: order.id, by: staff)
        let twice = try caught(OrderError.self) { _ = try shop.store.orders.markPaid(id: order.id, by: staff) }
        #expect(twice?.description == "Order 1001 is already marked as paid.")

        _ = try shop.store.orders.ship(id: order.id, carrier: "UPS", trackingNumber: "1Z", by: staff)
        let shipTwice = try caught(OrderError.self) { _ = try shop.store.orders.ship(id: order.id, carrier: "UPS", trackingNumber: "1Z", by: staff) }
        #expect(shipTwice?.description == "Order 1001 has already shipped; correct the tracking details with a note if they were wrong.")

        let cancelShipped = try caught(OrderError.self) { _ = try shop.store.orders.cancel(id: order.id, by: staff) }
        #expect(cancelShipped?.description == "Order 1001 has already shipped, so it cannot be canceled.")

        #expect(try shop.store.orders.timeline(orderID: order.id).map(\.kind) == [.placed, .paid, .shipped])
    }

    @Test func canceledOrderAcceptsNoChange() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])
        _ = try shop.store.orders.cancel(id: order.id, by: staff)

        for action in [OrderAction.markPaid, .ship, .cancel] {
            let error = try caught(OrderError.self) {
                switch action {
                case .markPaid: _ = try shop.store.orders.markPaid(id: order.id, by: staff)
                case .ship: _ = try shop.store.orders.ship(id: order.id, carrier: "UPS", trackingNumber: "1", by: staff)
                default: _ = try shop.store.orders.cancel(id: order.id, by: staff)
                }
            }
            #expect(error == .invalidTransition(number: 1001, action: action, status: .canceled, fulfillment: .unfulfilled))
        }
        let message = OrderError.invalidTransition(number: 1001, action: .markPaid, status: .canceled, fulfillment: .unfulfilled).description
        #expect(message == "Order 1001 is canceled, so it cannot be marked as paid; nothing was changed.")
    }

    @Test func shipNeedsCarrierAndTracking() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])
        let errors = try validationErrors {
            _ = try shop.store.orders.ship(id: order.id, carrier: " ", trackingNumber: "", by: staff)
        }
        #expect(errors?["carrier"] == ["Carrier is required."])
        #expect(errors?["trackingNumber"] == ["Tracking number is required."])
        #expect(try shop.store.orders.find(id: order.id)?.fulfillment == .unfulfilled)
    }

    @Test func cancelRestoresStock() throws {
        let shop = try Shop(mugStock: 10, lampStock: 5)
        let order = try shop.buy([(shop.mug, 3), (shop.lamp, 2)])
        _ = try shop.store.orders.markPaid(id: order.id, by: staff)
        #expect(try shop.store.stock(of: shop.mug.id) == 7)

        try shop.store.products.delete(id: shop.lamp.id)
        let canceled = try shop.store.orders.cancel(id: order.id, reason: "Customer asked.", by: staff) { order in
            [OutgoingMail(toAddress: order.email, subject: "Canceled", textBody: "Your order was canceled.", kind: .orderCanceled)]
        }
        #expect(canceled.status == .canceled)
        #expect(canceled.canceledAt == shop.store.clock.now)
        #expect(canceled.lines.map(\.productID) == [shop.mug.id, nil])
        #expect(canceled.lines.map(\.title) == ["Camp Mug", "Trail Lamp"])
        #expect(try shop.store.stock(of: shop.mug.id) == 10)

        let event = try #require(try shop.store.orders.timeline(orderID: order.id).last)
        #expect(event.kind == .canceled)
        #expect(event.message == "Canceled; stock put back. The payment of $102.50 needs a refund. Reason: Customer asked.")
        #expect(try shop.store.outbox.messages(orderID: order.id).map(\.mail.kind) == [.orderCanceled])
    }

    @Test func notesAreInternal() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])
        let note = try shop.store.orders.addNote(id: order.id, text: " Called the shopper. ", by: staff)
        #expect(note.kind == .note)
        #expect(note.isInternal)
        #expect(note.message == "Called the shopper.")
        #expect(note.actor == staff)

        #expect(try shop.store.orders.timeline(orderID: order.id).count == 2)
        #expect(try shop.store.orders.timeline(orderID: order.id, includeInternal: false).map(\.kind) == [.placed])

        let empty = try validationErrors { _ = try shop.store.orders.addNote(id: order.id, text: "  ", by: staff) }
        #expect(empty?["note"] == ["Note is empty; write something to add it."])
        #expect(throws: CommerceError.notFound(entity: "order", id: "999")) {
            _ = try shop.store.orders.addNote(id: 999, text: "Hi", by: staff)
        }
    }

    @Test func actorStoredForm() {
        #expect(OrderActor.staff(id: 12, name: "Ann Lee").storedValue == "staff:12 Ann Lee")
        #expect(OrderActor(storedValue: "staff:12 Ann Lee") == .staff(id: 12, name: "Ann Lee"))
        #expect(OrderActor(storedValue: "shopper") == .shopper)
        #expect(OrderActor(storedValue: "system") == .system)
        #expect(OrderActor.staff(id: 3, name: "Ann\nEvil").storedValue == "staff:3 Ann Evil")
    }

    @Test func abandonmentAfterWindow() throws {
        let shop = try Shop(mugStock: 10, lampStock: 5)
        let stale = try shop.buy([(shop.mug, 2)])
        let shipped = try shop.buy([(shop.mug, 1)])
        _ = try shop.store.orders.ship(id: shipped.id, carrier: "UPS", trackingNumber: "1", by: staff)
        let paid = try shop.buy([(shop.lamp, 1)])
        _ = try shop.store.orders.markPaid(id: paid.id, by: staff)

        shop.store.clock.advance(by: 3 * 24 * 3600)
        let fresh = try shop.buy([(shop.lamp, 2)])
        #expect(try shop.store.stock(of: shop.mug.id) == 7)
        #expect(try shop.store.stock(of: shop.lamp.id) == 2)

        shop.store.clock.advance(by: 4 * 24 * 3600 - 1)
        #expect(try shop.store.orders.abandonStalePendingOrders().isEmpty)

        shop.store.clock.advance(by: 1)
        let abandoned = try shop.store.orders.abandonStalePendingOrders()
        #expect(abandoned.map(\.id) == [stale.id])
        #expect(abandoned.first?.status == .abandoned)
        #expect(abandoned.first?.abandonedAt == shop.store.clock.now)
        #expect(try shop.store.stock(of: shop.mug.id) == 9)

        let event = try #require(try shop.store.orders.timeline(orderID: stale.id).last)
        #expect(event.kind == .abandoned)
        #expect(event.actor == .system)
        #expect(event.message == "Abandoned: not paid within 7 days; stock put back.")

        #expect(try shop.store.orders.find(id: shipped.id)?.status == .pendingPayment)
        #expect(try shop.store.orders.find(id: paid.id)?.status == .paid)
        #expect(try shop.store.orders.find(id: fresh.id)?.status == .pendingPayment)

        let late = try caught(OrderError.self) { _ = try shop.store.orders.markPaid(id: stale.id, by: staff) }
        #expect(late?.description == "Order 1001 was abandoned unpaid and its stock released, so it cannot be marked as paid; ask the shopper to order again.")
    }

    @Test func abandonmentWindowFromSettings() throws {
        let shop = try Shop()
        #expect(try OrderSettings.load(from: shop.store.database).abandonAfterDays == 7)
        try OrderSettings(abandonAfterDays: 2).save(to: shop.store.database)
        // Saving the general settings keeps the order settings.
        try shop.store.saveSettings()
        #expect(try OrderSettings.load(from: shop.store.database).abandonAfterDays == 2)

        let order = try shop.buy([(shop.mug, 1)])
        shop.store.clock.advance(by: 2 * 24 * 3600)
        #expect(try shop.store.orders.abandonStalePendingOrders().map(\.id) == [order.id])
        #expect(try shop.store.orders.abandonStalePendingOrders(olderThan: 0).isEmpty)

        let errors = try validationErrors { try OrderSettings(abandonAfterDays: 0).save(to: shop.store.database) }
        #expect(errors?["abandonAfterDays"] == ["Days before an unpaid order is abandoned must be between 1 and 90."])
    }
}
