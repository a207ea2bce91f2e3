import Commerce
import Foundation
import SQLite
import Testing

@Suite struct PlaceOrderTests {
    @Test func guestBuysTwoProducts() throws {
        let shop = try Shop(mugStock: 10, lampStock: 5)
        let token = try shop.cart([(shop.mug, 2), (shop.lamp, 1)])
        let details = shop.details(email: "  Ana@Example.com ")
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)

        let order = try shop.store.checkout.placeOrder(
            cartToken: token, details: details, confirmedFingerprint: quote.fingerprint
        ) { order in
            [
                confirmationMail(for: order),
                OutgoingMail(toAddress: "hello@trailhead.example", subject: "New order \(order.number)", textBody: "Order \(order.number) came in.", kind: .newOrderNotification),
            ]
        }

        #expect(order.number == 1001)
        #expect(order.status == .pendingPayment)
        #expect(order.fulfillment == .unfulfilled)
        #expect(order.customerID == nil)
        #expect(order.email == "Ana@Example.com")
        #expect(order.shippingAddress == shop.address)
        #expect(order.billingAddress == shop.address)
        #expect(order.subtotal == 5500)
        #expect(order.shippingPrice == 500)
        #expect(order.total == 6000)
        #expect(order.currencyCode == "USD")
        #expect(order.shippingMethodName == "Standard")
        #expect(order.paymentMethodKind == .bankTransfer)
        #expect(order.paymentInstructions == shop.bankTransfer.instructions)
        #expect(order.placedAt == shop.store.clock.now)
        #expect(order.accessToken.count == 43)

        #expect(order.lines.map(\.title) == ["Camp Mug", "Trail Lamp"])
        #expect(order.lines.map(\.sku) == ["MUG-1", "LAMP-1"])
        #expect(order.lines.map(\.unitPrice) == [1250, 3000])
        #expect(order.lines.map(\.quantity) == [2, 1])
        #expect(order.lines.map(\.lineTotal) == [2500, 3000])

        #expect(try shop.store.stock(of: shop.mug.id) == 8)
        #expect(try shop.store.stock(of: shop.lamp.id) == 4)
        #expect(try shop.store.carts.find(token: token)?.isEmpty == true)

        let timeline = try shop.store.orders.timeline(orderID: order.id)
        #expect(timeline.count == 1)
        #expect(timeline.first?.kind == .placed)
        #expect(timeline.first?.actor == .shopper)
        #expect(timeline.first?.message == "Order placed: 3 items, total $60.00, payment by Bank transfer.")

        let mails = try shop.store.outbox.messages(orderID: order.id)
        #expect(mails.map(\.mail.kind) == [.orderConfirmation, .newOrderNotification])
        #expect(mails.map(\.mail.toAddress) == ["Ana@Example.com", "hello@trailhead.example"])
        #expect(mails.map(\.status) == [.queued, .queued])
        #expect(mails.map(\.mail.relatedOrderID) == [order.id, order.id])

        let second = try shop.buy([(shop.mug, 1)])
        #expect(second.number == 1002)
        #expect(second.total == 1250 + 500)
        #expect(try shop.store.stock(of: shop.mug.id) == 7)
    }

    @Test func lookupsFindThePlacedOrder() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)], email: "Ana@Example.com")

        #expect(try shop.store.orders.find(id: order.id) == order)
        #expect(try shop.store.orders.find(number: 1001) == order)
        #expect(try shop.store.orders.find(number: 1001, email: " ana@EXAMPLE.com ") == order)
        #expect(try shop.store.orders.find(number: 1001, email: "other@example.com") == nil)
        #expect(try shop.store.orders.find(number: 1002, email: "ana@example.com") == nil)
        #expect(try shop.store.orders.find(accessToken: order.accessToken) == order)
        // Swap the last character for a different one; appending a fixed letter failed
        // whenever the random token already ended in it.
        let lastCharacter = order.accessToken.last
        let otherToken = String(order.accessToken.dropLast()) + (lastCharacter == "A" ? "B" : "A")
        #expect(otherToken != order.accessToken)
        #expect(try shop.store.orders.find(accessToken: otherToken) == nil)
        #expect(try shop.store.orders.find(accessToken: "") == nil)
    }

    @Test func separateBillingAddressIsKept() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1)])
        var details = shop.details()
        details.billingAddress = Address(name: "Ruiz SL", line1: "Avenida 2", city: "Lisboa", postalCode: "1000-001", country: "pt")
        details.notes = "  Ring twice.  "
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)
        let order = try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)

        #expect(order.billingAddress.name == "Ruiz SL")
        #expect(order.billingAddress.country == "PT")
        #expect(order.shippingAddress.country == "ES")
        #expect(order.notes == "Ring twice.")
    }

    @Test func forgedFingerprintChangesNothing() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.lamp, 2)])
        let details = shop.details()
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)

        let forged = String(repeating: "0", count: 64)
        let error = try caught(CheckoutError.self) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: forged)
        }
        #expect(error == .pricesChanged(newQuote: quote))
        try expectNothingWritten(shop, cartToken: token, lampStock: 5)
    }

    @Test func quantityChangedAfterQuoteIsRejected() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.lamp, 1)])
        let details = shop.details()
        let confirmed = try shop.store.checkout.quote(cartToken: token, details: details)

        // Another tab raises the quantity after the shopper reviewed the total.
        try shop.store.carts.setQuantity(2, productID: shop.lamp.id, token: token)

        let error = try caught(CheckoutError.self) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: confirmed.fingerprint)
        }
        guard case .pricesChanged(let newQuote) = error else {
            Issue.record("expected pricesChanged, got \(String(describing: error))")
            return
        }
        #expect(newQuote.lines.map(\.quantity) == [2])
        #expect(newQuote.total == 6500)
        #expect(try shop.store.count("orders") == 0)

        let order = try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: newQuote.fingerprint)
        #expect(order.total == 6500)
        #expect(order.lines.map(\.quantity) == [2])
    }

    @Test func priceChangedBetweenQuoteAndConfirm() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 2), (shop.lamp, 1)])
        let details = shop.details()
        let confirmed = try shop.store.checkout.quote(cartToken: token, details: details)

        var input = ProductInput(shop.lamp)
        input.price = 3500
        try shop.store.products.update(id: shop.lamp.id, with: input)

        let error = try caught(CheckoutError.self) {
            try shop.store.checkout.placeOrder(
                cartToken: token, details: details, confirmedFingerprint: confirmed.fingerprint,
                composeMails: { [confirmationMail(for: $0)] }
            )
        }
        guard case .pricesChanged(let newQuote) = error else {
            Issue.record("expected pricesChanged, got \(String(describing: error))")
            return
        }
        #expect(newQuote.total == 2500 + 3500 + 500)
        #expect(newQuote.lines[1].unitPrice == 3500)
        #expect(newQuote.lines[1].seenUnitPrice == 3000)
        #expect(newQuote.hasPriceChanges)
        try expectNothingWritten(shop, cartToken: token, lampStock: 5)
        #expect(try shop.store.stock(of: shop.mug.id) == 10)

        let order = try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: newQuote.fingerprint)
        #expect(order.total == 6500)
        #expect(order.lines[1].unitPrice == 3500)
        #expect(order.number == 1001)
    }

    @Test func soldOutRollsBackEveryLine() throws {
        let shop = try Shop(mugStock: 10, lampStock: 5)
        let token = try shop.cart([(shop.mug, 3), (shop.lamp, 2)])
        let details = shop.details()
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)

        // Someone else buys most of the lamps between the review and the confirmation.
        try shop.buy([(shop.lamp, 4)])
        #expect(try shop.store.stock(of: shop.lamp.id) == 1)

        let error = try caught(CheckoutError.self) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
        }
        #expect(error == .soldOut(productTitles: ["Trail Lamp"]))
        #expect(error?.description == "Not enough stock is left of “Trail Lamp”. Your cart is unchanged; lower the quantities or remove these products.")
        #expect(try shop.store.stock(of: shop.mug.id) == 10)
        #expect(try shop.store.stock(of: shop.lamp.id) == 1)
        #expect(try shop.store.count("orders") == 1)
        #expect(try shop.store.carts.find(token: token)?.itemCount == 5)

        try shop.store.carts.setQuantity(1, productID: shop.lamp.id, token: token)
        let next = try shop.buy([(shop.mug, 1)])
        #expect(next.number == 1002)
    }

    @Test func failedMailRollsBackOrder() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.lamp, 1)])
        let details = shop.details()
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)

        struct TemplateMissing: Error {}
        #expect(throws: TemplateMissing.self) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint) { _ in
                throw TemplateMissing()
            }
        }
        try expectNothingWritten(shop, cartToken: token, lampStock: 5)

        let invalidMail = try validationErrors {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint) { order in
                [OutgoingMail(toAddress: "not an address", subject: "Order \(order.number)", textBody: "Thanks", kind: .orderConfirmation)]
            }
        }
        #expect(invalidMail?["toAddress"] == ["Recipient address “not an address” must not contain spaces or control characters."])
        try expectNothingWritten(shop, cartToken: token, lampStock: 5)

        let order = try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
        #expect(order.number == 1001)
    }

    @Test func invalidDetailsWriteNothing() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.lamp, 1)])
        let quote = try shop.store.checkout.quote(cartToken: token, details: shop.details())
        var details = shop.details()
        details.email = "ana"
        let errors = try validationErrors {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
        }
        #expect(errors?.fields == ["email"])
        try expectNothingWritten(shop, cartToken: token, lampStock: 5)
    }

    @Test func requiredLoginRejectsGuests() throws {
        let shop = try Shop()
        var settings = try StoreSettings.load(from: shop.store.database)
        settings.customerLoginMode = .required
        try settings.save(to: shop.store.database)

        let token = try shop.cart([(shop.mug, 1)])
        let details = shop.details()
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)
        #expect(throws: CheckoutError.customerAccountRequired) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
        }
        #expect(try shop.store.count("orders") == 0)

        let order = try shop.store.checkout.placeOrder(
            cartToken: token, details: details, confirmedFingerprint: quote.fingerprint, customerID: 7
        )
        #expect(order.customerID == 7)
    }

    @Test func optionalLoginAcceptsGuests() throws {
        let shop = try Shop()
        var settings = try StoreSettings.load(from: shop.store.database)
        settings.customerLoginMode = .optional
        try settings.save(to: shop.store.database)
        let order = try shop.buy([(shop.mug, 1)])
        #expect(order.customerID == nil)
    }

    @Test func placedCartCannotBeReplayed() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1)])
        let details = shop.details()
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)
        let order = try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)

        // The same submission again finds the order it placed; another one finds the empty cart.
        #expect(throws: CheckoutError.alreadyPlaced(order)) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
        }
        #expect(throws: CheckoutError.emptyCart) {
            try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: String(repeating: "0", count: 64))
        }
        #expect(try shop.store.count("orders") == 1)
        #expect(try shop.store.count("outbox") == 0)
    }

    private func expectNothingWritten(_ shop: Shop, cartToken: String, lampStock: Int) throws {
        #expect(try shop.store.count("orders") == 0)
        #expect(try shop.store.count("order_lines") == 0)
        #expect(try shop.store.count("order_events") == 0)
        #expect(try shop.store.count("outbox") == 0)
        #expect(try shop.store.stock(of: shop.lamp.id) == lampStock)
        #expect(try shop.store.carts.find(token: cartToken)?.isEmpty == false)
    }
}
