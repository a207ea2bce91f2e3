import Commerce
import Foundation
import SQLite
import Tenancy
import Testing
@testable import StorefleetApp

/// Buying through the real server: cart, checkout, the order it creates and its mails.
@Suite struct ShopCheckoutTests {
    @Test func guestBuysTwoProductsEndToEnd() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let workers = try ShopWorkers.start(app.app)
        defer { workers.stop() }
        let shopper = app.browser()

        // Two mugs from the product grid, one lamp from its page with the quantity field.
        let home = try shopper.get("/", host: shop.host)
        #expect(HTML.formActions(in: home.text).filter { $0 == "/cart/add" }.count == 2)
        let added = try shopper.post("/cart/add", host: shop.host, form: [
            ("csrf_token", try home.csrfToken()), ("product_id", String(shop.mug.id)), ("quantity", "2"),
        ])
        #expect(added.status == 303)
        #expect(added.location == "/cart?added=\(shop.mug.id)")
        let cookie = try #require(shopper.cookies.cookie("storefleet_cart", forHost: shop.host))
        #expect(cookie.httpOnly)
        #expect(cookie.sameSite == "Lax")
        #expect(added.headerValues("Set-Cookie").allSatisfy { !$0.contains("Secure") })
        #expect(try shopper.addToCart(shop.lamp, quantity: 1, host: shop.host).status == 303)

        let cart = try shopper.get("/cart", host: shop.host)
        #expect(cart.status == 200)
        #expect(cart.text.contains("<span class=\"cart-count\">3<"))
        #expect(cart.pageText.contains("Camp Mug"))
        #expect(cart.pageText.contains("Trail Lamp"))
        #expect(cart.pageText.contains("$55.00"))
        #expect(HTML.links(in: cart.text).contains("/checkout"))

        // The review shows exactly what the order will cost: 2 × $12.50 + $30.00 + $5.00.
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.status == 200, "\(review.summary)")
        #expect(review.pageText.contains("Review your order"))
        #expect(review.pageText.contains("$25.00"))
        #expect(review.pageText.contains("$60.00"))
        let fingerprint = HTML.hiddenInputs(in: review.text).first { $0.0 == "fingerprint" }?.1
        #expect(fingerprint?.count == 64)

        let placed = try shopper.placeOrder(from: review, host: shop.host)
        #expect(placed.status == 303, "\(placed.summary)")
        let location = try #require(placed.location)
        #expect(location.hasPrefix("/orders/1001?token="))
        #expect(location.hasSuffix("&placed=1"))

        // The order, its lines, stock and timeline in the store's file.
        let order = try #require(try shop.order(number: 1001))
        #expect(order.status == .pendingPayment)
        #expect(order.email == "ana@example.com")
        #expect(order.subtotal == 5500)
        #expect(order.shippingPrice == 500)
        #expect(order.total == 6000)
        #expect(order.lines.map(\.title) == ["Camp Mug", "Trail Lamp"])
        #expect(order.lines.map(\.quantity) == [2, 1])
        #expect(order.lines.map(\.lineTotal) == [2500, 3000])
        #expect(order.paymentInstructions == ShopFixture.instructions)
        #expect(order.notes == "Please ring twice.")
        #expect(try shop.stock(shop.mug) == 8)
        #expect(try shop.stock(shop.lamp) == 4)
        let timeline = try shop.read { try OrderStore(database: $0).timeline(orderID: order.id, includeInternal: false) }
        #expect(timeline.map(\.kind) == [.placed])

        // The confirmation page is the status page.
        let status = try shopper.get(location, host: shop.host)
        #expect(status.status == 200)
        #expect(status.header("Referrer-Policy") == "no-referrer")
        let statusText = status.pageText
        #expect(statusText.contains("Thank you for your order!"))
        #expect(statusText.contains("Order #1001"))
        #expect(statusText.contains("Awaiting payment"))
        #expect(statusText.contains(ShopFixture.instructions))
        #expect(statusText.contains("$60.00"))
        #expect(statusText.contains("Calle Mayor 1"))
        #expect(statusText.contains("Spain"))
        #expect(statusText.contains("Order placed"))
        #expect(!statusText.contains("<span class=\"cart-count\">"))

        // The cart page shows the emptied cart.
        let emptied = try shopper.get("/cart", host: shop.host)
        #expect(emptied.pageText.contains("Your cart is empty."))

        // Both mails, rendered in both parts and delivered by the file transport.
        let files = try waitForMailFiles(in: shop.mailFolder, count: 2)
        try #require(files.count == 2)
        let mails = try files.map(ReceivedMail.init(file:))
        let confirmation = try #require(mails.first { $0.header("To")?.contains("ana@example.com") == true })
        let notice = try #require(mails.first { $0.header("To")?.contains(TestApp.ownerEmail("alpha")) == true })

        #expect(confirmation.header("From") == "Store alpha <no-reply@shop.test>")
        #expect(confirmation.header("Reply-To") == TestApp.ownerEmail("alpha"))
        #expect(confirmation.header("Subject") == "Order #1001 confirmed")
        #expect(confirmation.header("To") == "Ana Ruiz <ana@example.com>")
        for part in [confirmation.text, HTML.unescape(confirmation.html)] {
            #expect(part.contains("Hello Ana Ruiz,"))
            #expect(part.contains("Camp Mug"))
            #expect(part.contains("Trail Lamp"))
            #expect(part.contains("$60.00"))
            #expect(part.contains(ShopFixture.instructions))
            #expect(part.contains("http://alpha.shop.test:\(app.port)" + location.replacingOccurrences(of: "&placed=1", with: "")))
            // The shopper gets their own notes back, as the merchant does.
            #expect(part.contains("Order notes:"))
            #expect(part.contains("Please ring twice."))
        }
        #expect(confirmation.text.contains("- Camp Mug (MUG-1) x 2: $25.00"))
        #expect(confirmation.html.contains("<table role=\"presentation\""))

        #expect(notice.header("From") == "Store alpha <no-reply@shop.test>")
        #expect(notice.header("Reply-To") == "ana@example.com")
        #expect(notice.header("Subject") == "New order #1001 for $60.00")
        for part in [notice.text, HTML.unescape(notice.html)] {
            #expect(part.contains("#1001"))
            #expect(part.contains("Ana Ruiz (ana@example.com)"))
            #expect(part.contains("Please ring twice."))
            #expect(part.contains("http://alpha.shop.test:\(app.port)/admin/orders/\(order.id)"))
        }

        let sent = try shop.read { try Outbox(database: $0).list(status: .sent).items }
        #expect(sent.count == 2)
        #expect(app.waitForLog(count: 2) { $0.contains("mail.sent") && $0.contains("store_id=\(shop.store.id)") }.count == 2)
        #expect(!app.log.contains { $0.contains("mail.sent") && $0.contains("@") })
    }

    /// The review page promises payment details only for a method that has some to send.
    @Test func reviewMentionsPaymentDetailsOnlyWhenThereAreSome() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let cashID = try shop.write { database in
            let payments = PaymentMethodStore(database: database)
            let cash = try #require(try payments.find(kind: .cashOnDelivery))
            try payments.update(id: cash.id, with: PaymentMethodInput(name: "Cash on delivery", instructions: "", isEnabled: true))
            return cash.id
        }
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)
        let byBank = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(byBank.status == 200, "\(byBank.summary)")
        #expect(byBank.pageText.contains("You get the payment details after placing the order."))

        let fields = shop.detailFields().map { $0.0 == "payment_method" ? ($0.0, String(cashID)) : $0 }
        let byCash = try shopper.reviewOrder(host: shop.host, fields: fields)
        #expect(byCash.status == 200, "\(byCash.summary)")
        #expect(byCash.pageText.contains("Cash on delivery"))
        #expect(!byCash.pageText.contains("payment details"))
    }

    @Test func tamperedPriceOrQuantityChargesServerNumbers() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, quantity: 2, host: shop.host)

        // A quantity above the stock in the cart form changes nothing.
        let cartPage = try shopper.get("/cart", host: shop.host)
        let tooMany = try shopper.post("/cart/update", host: shop.host, form: [
            ("csrf_token", try cartPage.csrfToken()), ("quantity_\(shop.mug.id)", "500"),
        ])
        #expect(tooMany.status == 422)
        #expect(HTML.fieldErrors("quantity_\(shop.mug.id)", in: tooMany.text) == ["Only 10 in stock. Choose a smaller quantity."])
        #expect(HTML.inputValue(named: "quantity_\(shop.mug.id)", in: tooMany.text) == "500")
        let negative = try shopper.post("/cart/add", host: shop.host, form: [
            ("csrf_token", try cartPage.csrfToken()), ("product_id", String(shop.mug.id)), ("quantity", "-5"),
        ])
        #expect(negative.status == 422)
        #expect(negative.pageText.contains("Enter a quantity of 1 or more."))

        // Fields that name prices, quantities or totals are ignored when placing the order.
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.status == 200, "\(review.summary)")
        let placed = try shopper.placeOrder(from: review, host: shop.host, extra: [
            ("price", "1"), ("unit_price", "1"), ("quantity", "50"), ("quantity_\(shop.mug.id)", "50"),
            ("subtotal", "1"), ("total", "1"), ("shipping_price", "0"),
        ], replacing: ["quoted_\(shop.mug.id)": "1"])
        #expect(placed.status == 303, "\(placed.summary)")
        let order = try #require(try shop.order(number: 1001))
        #expect(order.lines.map(\.quantity) == [2])
        #expect(order.lines.map(\.unitPrice) == [1250])
        #expect(order.total == 2500 + 500)
        #expect(try shop.stock(shop.mug) == 8)

        // A forged fingerprint places nothing and shows the real total to confirm again.
        try shopper.addToCart(shop.lamp, quantity: 1, host: shop.host)
        let second = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        let forged = try shopper.placeOrder(from: second, host: shop.host, replacing: ["fingerprint": String(repeating: "0", count: 64)])
        #expect(forged.status == 409)
        #expect(forged.pageText.contains("Your cart, its prices or the shipping changed"))
        #expect(forged.pageText.contains("$35.00"))
        #expect(try shop.orderCount() == 1)
        #expect(try shop.stock(shop.lamp) == 5)
    }

    @Test func priceChangeAfterReviewAsksToConfirm() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        try shopper.addToCart(shop.lamp, quantity: 1, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.pageText.contains("$35.00"))

        // The merchant raises the price while the shopper reads the review.
        try app.withProducts(shop.store) { products in
            var input = ProductInput(shop.lamp)
            input.price = 3500
            _ = try products.update(id: shop.lamp.id, with: input)
        }
        let changed = try shopper.placeOrder(from: review, host: shop.host)
        #expect(changed.status == 409)
        #expect(changed.pageText.contains("Price changed from $30.00 to $35.00."))
        #expect(changed.pageText.contains("Confirm and place order: $40.00"))
        #expect(try shop.orderCount() == 0)

        // The cart page flags the line too, until the shopper accepts the new price.
        let cart = try shopper.get("/cart", host: shop.host)
        #expect(cart.pageText.contains("Some prices have changed"))

        let accepted = try shopper.post("/cart/accept-prices", host: shop.host, form: [("csrf_token", try cart.csrfToken())])
        #expect(accepted.status == 303)
        let acceptedCart = try shopper.get("/cart", host: shop.host)
        #expect(!acceptedCart.pageText.contains("Some prices have changed"))
        #expect(!acceptedCart.pageText.contains("Price changed from"))

        let confirmed = try shopper.placeOrder(from: changed, host: shop.host)
        #expect(confirmed.status == 303, "\(confirmed.summary)")
        #expect(try shop.order(number: 1001)?.total == 4000)
    }

    @Test func checkoutFormKeepsValuesAndShowsErrors() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)

        var fields = shop.detailFields().filter { !["shipping_line1", "billing_same"].contains($0.0) }
        fields = fields.map { $0.0 == "email" ? ("email", "ana-at-example") : $0 }
        fields += [("billing_name", "Luis Ruiz"), ("billing_country", "FR")]
        let page = try shopper.reviewOrder(host: shop.host, fields: fields)
        #expect(page.status == 422)
        #expect(page.pageText.contains("Please correct the fields marked below."))
        #expect(HTML.fieldErrors("email", in: page.text).count == 1)
        #expect(HTML.fieldErrors("shipping_line1", in: page.text) == ["Shipping address is required."])
        #expect(HTML.fieldErrors("billing_line1", in: page.text) == ["Billing address is required."])
        #expect(HTML.fieldErrors("billing_city", in: page.text) == ["Billing city is required."])
        #expect(HTML.inputValue(named: "email", in: page.text) == "ana-at-example")
        #expect(HTML.inputValue(named: "shipping_city", in: page.text) == "Madrid")
        #expect(HTML.inputValue(named: "billing_name", in: page.text) == "Luis Ruiz")
        #expect(HTML.textareaValue(named: "notes", in: page.text) == "Please ring twice.")
        #expect(page.text.contains("<option value=\"FR\" selected>France</option>"))
        #expect(!page.text.contains("name=\"billing_same\" value=\"1\" checked"))
        // Screen readers learn which fields are wrong, and for the email which message
        // belongs to it; valid fields carry no mark.
        #expect(page.text.contains("autocomplete=\"email\" aria-invalid=\"true\" aria-describedby=\"email-error\">"))
        #expect(page.text.contains("<span class=\"field-errors\" id=\"email-error\"><span class=\"error\">"))
        #expect(page.text.contains("autocomplete=\"shipping address-line1\" aria-invalid=\"true\" aria-describedby=\"shipping-line1-error\">"))
        #expect(page.text.contains("<span class=\"field-errors\" id=\"shipping-line1-error\">"))
        #expect(page.text.contains("<span class=\"field-errors\" id=\"billing-city-error\">"))
        #expect(page.text.contains("autocomplete=\"shipping address-level2\">"))

        // A country the store does not ship to is named beside the country field.
        let elsewhere = shop.detailFields().map { $0.0 == "shipping_country" ? ("shipping_country", "US") : $0 }
        let notShipped = try shopper.reviewOrder(host: shop.host, fields: elsewhere)
        #expect(notShipped.status == 422)
        #expect(HTML.fieldErrors("shipping_country", in: notShipped.text).contains("This store does not deliver to United States; choose another country."))
        #expect(try shop.orderCount() == 0)
    }

    @Test func soldOutAtPlacementKeepsCart() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app, lampStock: 2)
        let shopper = app.browser()
        try shopper.addToCart(shop.lamp, quantity: 2, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.status == 200)

        // Another sale takes one lamp before the shopper places the order.
        try shop.write { try $0.run("UPDATE products SET stock = 1 WHERE id = ?", shop.lamp.id) }
        let placed = try shopper.placeOrder(from: review, host: shop.host)
        #expect(placed.status == 409)
        #expect(placed.pageText.contains("Not enough stock is left of “Trail Lamp”"))
        #expect(HTML.inputValue(named: "shipping_name", in: placed.text) == "Ana Ruiz")
        #expect(try shop.orderCount() == 0)
        #expect(try shop.stock(shop.lamp) == 1)

        let cart = try shopper.get("/cart", host: shop.host)
        #expect(cart.pageText.contains("Only 1 left. Lower the quantity to check out."))
        #expect(!HTML.links(in: cart.text).contains("/checkout"))
    }

    @Test func addingSoldOutProductSaysSo() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app, mugStock: 1)
        let shopper = app.browser()
        // The shopper loads the page while one mug is left; another shopper buys it.
        let page = try shopper.get("/products/\(shop.mug.slug)", host: shop.host)
        try shop.write { database in
            try database.run("UPDATE products SET stock = 0 WHERE id = ?", shop.mug.id)
        }

        let added = try shopper.post("/cart/add", host: shop.host, form: [
            ("csrf_token", try page.csrfToken()), ("product_id", String(shop.mug.id)), ("quantity", "1"),
        ])
        #expect(added.status == 422)
        #expect(added.pageText.contains("This product is sold out."))
        #expect(try shopper.get("/cart", host: shop.host).pageText.contains("Your cart is empty"))
    }

    @Test func cartSurvivesRestartAndChanges() throws {
        let first = try TestApp()
        let shop = try ShopFixture(app: first)
        let shopper = first.browser()
        try shopper.addToCart(shop.mug, quantity: 3, host: shop.host)
        try shopper.addToCart(shop.lamp, quantity: 1, host: shop.host)
        let folder = first.dataDirectory
        first.stop(removingData: false)

        let second = try TestApp(dataDirectory: folder)
        defer { second.stop() }
        let restarted = HTTPClient(port: second.port)
        restarted.cookies = shopper.cookies
        let cart = try restarted.get("/cart", host: shop.host)
        #expect(cart.status == 200)
        #expect(HTML.inputValue(named: "quantity_\(shop.mug.id)", in: cart.text) == "3")
        #expect(cart.text.contains("<span class=\"cart-count\">4<"))

        let updated = try restarted.post("/cart/update", host: shop.host, form: [
            ("csrf_token", try cart.csrfToken()), ("quantity_\(shop.mug.id)", "1"), ("quantity_\(shop.lamp.id)", "1"),
        ])
        #expect(updated.status == 303)
        // Each change leads back to the cart with a notice of what happened.
        let afterUpdate = try restarted.get(try #require(updated.location), host: shop.host)
        #expect(afterUpdate.pageText.contains("Your cart was updated."))
        let removed = try restarted.post("/cart/remove", host: shop.host, form: [
            ("csrf_token", try cart.csrfToken()), ("product_id", String(shop.lamp.id)),
        ])
        #expect(removed.status == 303)
        let afterRemoval = try restarted.get(try #require(removed.location), host: shop.host)
        #expect(afterRemoval.pageText.contains("“Trail Lamp” was removed from your cart."))
        let after = try restarted.get("/cart", host: shop.host)
        #expect(HTML.inputValue(named: "quantity_\(shop.mug.id)", in: after.text) == "1")
        #expect(HTML.inputValue(named: "quantity_\(shop.lamp.id)", in: after.text) == nil)
        #expect(after.text.contains("<span class=\"cart-count\">1<"))
    }

    @Test func cartCookieSecureOverHTTPS() throws {
        let app = try TestApp { $0.publicURL = URL(string: "https://shop.test") }
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()

        let added = try shopper.addToCart(shop.mug, quantity: 1, host: shop.host)
        let cookie = try #require(added.headerValues("Set-Cookie").first { $0.hasPrefix("storefleet_cart=") })
        #expect(cookie.contains("; Secure"))
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("SameSite=Lax"))
        #expect(cookie.contains("Max-Age=2592000"))

        // More than the stock, counting what is in the cart, shows the product page again.
        let tooMany = try shopper.addToCart(shop.mug, quantity: 10, host: shop.host)
        #expect(tooMany.status == 422)
        #expect(HTML.fieldErrors("quantity", in: tooMany.text) == ["Only 10 in stock, and your cart already has 1. Choose a smaller quantity."])
        #expect(HTML.inputValue(named: "quantity", in: tooMany.text) == "10")
    }

    @Test func shippingOptionsFollowTheCountry() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let worldwide = try shop.write { database in
            try ShippingMethodStore(database: database).create(ShippingMethodInput(name: "Worldwide", price: 2500, position: 1)).id
        }
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)

        let form = try shopper.get("/checkout", host: shop.host)
        #expect(form.pageText.contains("Standard"))
        #expect(form.pageText.contains("Worldwide"))

        var fields = shop.detailFields().map { $0.0 == "shipping_country" ? ("shipping_country", "US") : $0 }
        fields = fields.filter { $0.0 != "shipping_method" }
        let refreshed = try shopper.post("/checkout", host: shop.host, form: [("csrf_token", try form.csrfToken()), ("action", "refresh")] + fields)
        #expect(refreshed.status == 200)
        #expect(refreshed.pageText.contains("Options for United States."))
        #expect(!refreshed.pageText.contains(">Standard<"))
        #expect(refreshed.text.contains("name=\"shipping_method\" value=\"\(worldwide)\" checked"))
        #expect(HTML.fieldErrors("email", in: refreshed.text).isEmpty)

        // Asking to review with a method that does not deliver there shows the error with
        // nothing chosen, rather than the lone method that does, beside that error.
        let wrongMethod = fields.filter { $0.0 != "shipping_method" } + [("shipping_method", String(shop.standardShippingID))]
        let rejected = try shopper.post("/checkout", host: shop.host, form: [("csrf_token", try form.csrfToken()), ("action", "review")] + wrongMethod)
        #expect(rejected.status == 422)
        #expect(rejected.pageText.contains("does not deliver to United States"), "\(rejected.pageText)")
        #expect(!rejected.text.contains("name=\"shipping_method\" value=\"\(worldwide)\" checked"))
    }
}
