import Commerce
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import StorefleetApp

/// Pressing "Place order" twice, or reloading its POST: one order, and every submission
/// leads to its status page.
@Suite struct ShopDoubleSubmitTests {
    /// Fills the cart and returns the review page whose button places the order.
    private func reviewedCart(_ shop: ShopFixture, _ shopper: HTTPClient) throws -> HTTPResponse {
        try shopper.addToCart(shop.mug, quantity: 2, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        guard review.status == 200 else { throw TestFailure("the review step answered \(review.summary)") }
        return review
    }

    private func outboxCount(_ shop: ShopFixture) throws -> Int {
        try shop.read { try $0.scalar("SELECT count(*) FROM outbox", as: Int.self) ?? 0 }
    }

    @Test func secondSubmitShowsFirstOrder() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        let review = try reviewedCart(shop, shopper)

        let first = try shopper.placeOrder(from: review, host: shop.host)
        #expect(first.status == 303, "\(first.summary)")
        let location = try #require(first.location)
        #expect(location.hasPrefix("/orders/1001?token="))

        let second = try shopper.placeOrder(from: review, host: shop.host)
        #expect(second.status == 303, "\(second.summary)")
        #expect(second.location == location)

        #expect(try shop.orderCount() == 1)
        #expect(try shop.stock(shop.mug) == 8)
        #expect(try outboxCount(shop) == 2)
        let status = try shopper.get(try #require(second.location), host: shop.host)
        #expect(status.status == 200)
        #expect(status.pageText.contains("Order #1001"))
        #expect(status.pageText.contains("Thank you for your order!"))
        #expect(app.log.contains { $0.contains("order.resubmitted") && $0.contains("number=1001") })
    }

    @Test func emptiedCartLinksToItsOrder() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        let review = try reviewedCart(shop, shopper)
        let location = try #require(try shopper.placeOrder(from: review, host: shop.host).location)
        let statusPath = location.replacingOccurrences(of: "&placed=1", with: "")

        // The back button and a second "Review order" land on the cart, which names the order.
        let form = try shopper.get("/checkout", host: shop.host)
        #expect(form.status == 303)
        #expect(form.location == "/cart")
        let again = try shopper.post("/checkout", host: shop.host, form: [("csrf_token", try review.csrfToken()), ("action", "review")] + shop.detailFields())
        #expect(again.location == "/cart")
        let cart = try shopper.get("/cart", host: shop.host)
        #expect(cart.pageText.contains("Your order #1001 has been placed, so your cart is empty."))
        #expect(HTML.links(in: cart.text).contains(statusPath))
        #expect(cart.pageText.contains("Your cart is empty."))

        // Another visitor's cart page does not mention the order.
        let stranger = app.browser()
        try stranger.addToCart(shop.lamp, host: shop.host)
        #expect(!(try stranger.get("/cart", host: shop.host)).pageText.contains("#1001"))

        // After the window the cart is only empty.
        app.clock.advance(by: Checkout.resubmissionWindow + 1)
        let later = try shopper.get("/cart", host: shop.host)
        #expect(!later.pageText.contains("#1001"))
        #expect(later.pageText.contains("Your cart is empty."))
    }

    @Test func concurrentSubmitsPlaceOneOrder() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        let review = try reviewedCart(shop, shopper)

        // Two connections with the same cookies, as a browser sends a double click.
        let fields = HTML.hiddenInputs(in: review.text)
        let results = Mutex<[String]>([])
        let group = DispatchGroup()
        let cookies = shopper.cookies
        let (port, host) = (app.port, shop.host)
        for _ in 0..<2 {
            let thread = Thread {
                defer { group.leave() }
                let tab = HTTPClient(port: port)
                tab.cookies = cookies
                let outcome: String
                do {
                    let response = try tab.post("/checkout/place", host: host, form: fields)
                    outcome = "\(response.status) \(response.location ?? "no location")"
                } catch {
                    outcome = "error: \(error)"
                }
                results.withLock { $0.append(outcome) }
            }
            group.enter()
            thread.start()
        }
        group.wait()

        let outcomes = results.withLock { $0 }
        #expect(outcomes.count == 2)
        #expect(outcomes.allSatisfy { $0.hasPrefix("303 /orders/1001?token=") }, "\(outcomes)")
        #expect(Set(outcomes).count == 1, "both responses should lead to the same order: \(outcomes)")
        #expect(try shop.orderCount() == 1)
        #expect(try shop.stock(shop.mug) == 8)
        #expect(try outboxCount(shop) == 2)
    }

    @Test func sameCartFilledAgainPlacesNewOrder() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        let firstReview = try reviewedCart(shop, shopper)
        let first = try shopper.placeOrder(from: firstReview, host: shop.host)
        #expect(first.location?.hasPrefix("/orders/1001?") == true)

        // The same products and details again give the same quote, and a new order.
        let secondReview = try reviewedCart(shop, shopper)
        #expect(HTML.hiddenInputs(in: secondReview.text).first { $0.0 == "fingerprint" }?.1
            == HTML.hiddenInputs(in: firstReview.text).first { $0.0 == "fingerprint" }?.1)
        let second = try shopper.placeOrder(from: secondReview, host: shop.host)
        #expect(second.status == 303, "\(second.summary)")
        #expect(second.location?.hasPrefix("/orders/1002?") == true)
        #expect(try shop.orderCount() == 2)
        #expect(try shop.stock(shop.mug) == 6)
    }

    @Test func resubmitAfterWindowShowsCart() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        let review = try reviewedCart(shop, shopper)
        #expect(try shopper.placeOrder(from: review, host: shop.host).status == 303)

        app.clock.advance(by: Checkout.resubmissionWindow + 1)
        let late = try shopper.placeOrder(from: review, host: shop.host)
        #expect(late.status == 303)
        #expect(late.location == "/cart")
        #expect(try shop.orderCount() == 1)
    }

    @Test func otherQuoteDoesNotFindOrder() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        let review = try reviewedCart(shop, shopper)
        #expect(try shopper.placeOrder(from: review, host: shop.host).status == 303)

        // A forged or stale fingerprint on the emptied cart learns nothing about the order.
        let forged = try shopper.placeOrder(from: review, host: shop.host, replacing: ["fingerprint": String(repeating: "0", count: 64)])
        #expect(forged.status == 303)
        #expect(forged.location == "/cart")
        // Another visitor without the cart cookie gets no order either.
        let stranger = app.browser()
        let page = try stranger.get("/", host: shop.host)
        let posted = try stranger.post("/checkout/place", host: shop.host, form: [("csrf_token", try page.csrfToken())] + HTML.hiddenInputs(in: review.text).filter { $0.0 != "csrf_token" })
        #expect(posted.location == "/cart?expired=1")
        #expect(try shop.orderCount() == 1)
    }
}
