import Commerce
import Foundation
import SQLite
import Tenancy
import Testing
@testable import StorefleetApp

/// The order status page and the lookup form that mails its link.
@Suite struct ShopOrderPageTests {
    /// Places an order for one mug as `email` and returns the status page's path, without
    /// the `placed` flag.
    private func buyMug(_ shop: ShopFixture, email: String = "ana@example.com") throws -> String {
        let shopper = shop.app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields(email: email))
        let placed = try shopper.placeOrder(from: review, host: shop.host)
        let location = try #require(placed.location, "\(placed.summary)")
        return location.replacingOccurrences(of: "&placed=1", with: "")
    }

    @Test func freeShippingReadsFreeEverywhere() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app, lampStock: 10)
        let workers = try ShopWorkers.start(app.app)
        defer { workers.stop() }
        let shopper = app.browser()
        // Seven lamps come to $210.00, above the $200.00 from which shipping is free.
        try shopper.addToCart(shop.lamp, quantity: 7, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.visibleText.contains("Shipping (Standard) Free"), "\(review.visibleText)")
        let placed = try shopper.placeOrder(from: review, host: shop.host)
        let location = try #require(placed.location, "\(placed.summary)")

        let page = try shopper.get(location, host: shop.host)
        #expect(page.visibleText.contains("Shipping (Standard) Free"), "\(page.visibleText)")
        #expect(!page.visibleText.contains("$0.00"))
        let files = try waitForMailFiles(in: shop.mailFolder, count: 2)
        for file in files {
            let mail = try ReceivedMail(file: file)
            let text = try #require(mail.parts["text/plain"])
            #expect(text.contains("(Standard): Free"), "\(text)")
            #expect(!text.contains("$0.00"))
        }
    }

    @Test func statusPageOnlyOnItsStoreWithItsToken() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try ShopFixture(app: app, slug: "alpha")
        let beta = try ShopFixture(app: app, slug: "beta")
        let alphaPath = try buyMug(alpha)
        let betaPath = try buyMug(beta, email: "bo@example.com")
        // Both stores number their first order 1001, so only the token distinguishes them.
        #expect(alphaPath.hasPrefix("/orders/1001?token="))
        #expect(betaPath.hasPrefix("/orders/1001?token="))
        let alphaToken = String(alphaPath.split(separator: "=").last ?? "")

        let visitor = app.browser()
        let own = try visitor.get(alphaPath, host: alpha.host)
        #expect(own.status == 200)
        #expect(own.pageText.contains("ana@example.com"))

        let cases: [(String, String)] = [
            ("alpha's link on beta", alphaPath),
            ("wrong token", "/orders/1001?token=" + String(alphaToken.reversed())),
            ("token of another length", "/orders/1001?token=abc"),
            ("no token", "/orders/1001"),
            ("empty token", "/orders/1001?token="),
            ("right token, wrong number", "/orders/1002?token=" + alphaToken),
            ("not a number", "/orders/abc?token=" + alphaToken),
        ]
        for (label, path) in cases {
            let host = label == "alpha's link on beta" ? beta.host : alpha.host
            let response = try visitor.get(path, host: host)
            #expect(response.status == 404, "\(label): \(response.summary)")
            #expect(!response.pageText.contains("ana@example.com"), "\(label)")
            #expect(!response.pageText.contains("bo@example.com"), "\(label)")
        }
    }

    @Test func statusPageShowsShipmentAndTimeline() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let path = try buyMug(shop)
        let order = try #require(try shop.order(number: 1001))
        try shop.write { database in
            let orders = OrderStore(database: database, now: { app.clock.now() })
            try orders.markPaid(id: order.id, by: .staff(id: 1, name: "Owner"), reference: "TR-1")
            try orders.ship(id: order.id, carrier: "Correos", trackingNumber: "PK123ES", by: .staff(id: 1, name: "Owner"))
            _ = try orders.addNote(id: order.id, text: "Customer is a friend of the owner", by: .staff(id: 1, name: "Owner"))
        }

        let page = try app.browser().get(path, host: shop.host)
        #expect(page.status == 200)
        let text = page.pageText
        #expect(text.contains("Paid"))
        #expect(text.contains("Shipped"))
        #expect(text.contains("Correos"))
        #expect(text.contains("PK123ES"))
        #expect(text.contains("Payment received"))
        #expect(!text.contains("friend of the owner"))
        // Paid orders no longer show how to pay.
        #expect(!text.contains(ShopFixture.instructions))
    }

    @Test func lookupAnswersAlikeAndMailsOnlyTheOrder() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        _ = try buyMug(shop)
        let visitor = app.browser()
        let form = try visitor.get("/orders/lookup", host: shop.host)
        #expect(form.status == 200)
        let token = try form.csrfToken()

        func lookUp(_ number: String, _ email: String) throws -> HTTPResponse {
            try visitor.post("/orders/lookup", host: shop.host, form: [("csrf_token", token), ("number", number), ("email", email)])
        }
        let real = try lookUp("1001", "  ANA@example.com ")
        let wrongEmail = try lookUp("1001", "mallory@example.com")
        let madeUp = try lookUp("#4242", "ana@example.com")
        #expect(real.status == 200)
        #expect(real.pageText.contains("If an order matches, we have sent a link"))
        #expect(wrongEmail.status == real.status)
        #expect(madeUp.status == real.status)
        #expect(wrongEmail.text == real.text)
        #expect(madeUp.text == real.text)

        let links = try shop.read { database in
            try Outbox(database: database).list().items.filter { $0.mail.kind.rawValue == "order_link" }
        }
        try #require(links.count == 1)
        #expect(links[0].mail.toAddress == "ana@example.com")
        #expect(links[0].mail.subject == "Your link to order #1001")
        let order = try #require(try shop.order(number: 1001))
        #expect(links[0].mail.textBody.contains("/orders/1001?token=\(order.accessToken)"))
        #expect(links[0].mail.htmlBody?.contains("/orders/1001?token=\(order.accessToken)") == true)

        // Invalid input is reported beside its field; nothing is counted or sent.
        let invalid = try lookUp("", "not-an-email")
        #expect(invalid.status == 422)
        #expect(HTML.fieldErrors("number", in: invalid.text) == ["Enter your order number."])
        #expect(HTML.fieldErrors("email", in: invalid.text) == ["Enter the email as name@example.com."])
        #expect(HTML.inputValue(named: "email", in: invalid.text) == "not-an-email")

        // After ten lookups from one address within 15 minutes the form returns 429,
        // whether or not the order exists.
        for number in 2...8 {
            #expect(try lookUp(String(5000 + number), "x@example.com").status == 200)
        }
        let limited = try lookUp("1001", "ana@example.com")
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "900")
        #expect(try lookUp("4242", "ana@example.com").text == limited.text)
        let linksAfter = try shop.read { database in
            try Outbox(database: database).list().items.filter { $0.mail.kind.rawValue == "order_link" }
        }
        #expect(linksAfter.count == 1)

        // GET never looks anything up.
        let get = try visitor.get("/orders/lookup?number=1001&email=ana@example.com", host: shop.host)
        #expect(get.status == 200)
        #expect(!get.pageText.contains("If an order matches"))
    }
}
