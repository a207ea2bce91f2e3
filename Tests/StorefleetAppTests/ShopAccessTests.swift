import Commerce
import Dispatch
import Foundation
import SQLite
import Synchronization
import Tenancy
import Testing
@testable import StorefleetApp

/// Who may check out: the customer login setting, stores not ready to sell, and many
/// shoppers racing for the last items.
@Suite struct ShopAccessTests {
    @Test func requiredModeRefusesGuestCheckout() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)
        // A review obtained while guests could still order, to replay after the change.
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.status == 200)

        try shop.saveSettings { $0.customerLoginMode = .required }

        let cart = try shopper.get("/cart", host: shop.host)
        #expect(cart.status == 200)
        #expect(!HTML.links(in: cart.text).contains("/checkout"))
        #expect(cart.pageText.contains("checkout is not available to guests"))

        let form = try shopper.get("/checkout", host: shop.host)
        #expect(form.status == 403)
        #expect(form.pageText.contains("An account is needed to order"))
        #expect(!HTML.formActions(in: form.text).contains("/checkout"))

        let posted = try shopper.post("/checkout", host: shop.host, form: [("csrf_token", try cart.csrfToken())] + shop.detailFields())
        #expect(posted.status == 403)
        let placed = try shopper.placeOrder(from: review, host: shop.host)
        #expect(placed.status == 403)
        #expect(placed.pageText.contains("An account is needed to order"))

        #expect(try shop.orderCount() == 0)
        #expect(try shop.stock(shop.mug) == 10)

        // Optional mode lets guests through again.
        try shop.saveSettings { $0.customerLoginMode = .optional }
        let again = try shopper.placeOrder(from: review, host: shop.host)
        #expect(again.status == 303, "\(again.summary)")
        #expect(try shop.orderCount() == 1)
    }

    @Test func storeWithoutMethodsIsNotReady() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("plain", name: "Plain Store")
        let product = try app.addProduct(store, title: "Lonely Chair", price: 9900, stock: 3)
        let host = TestApp.host("plain")
        let shopper = app.browser()
        #expect(try shopper.addToCart(product, host: host).status == 303)

        let cart = try shopper.get("/cart", host: host)
        #expect(cart.pageText.contains("This store is not ready to take orders yet."))
        #expect(!HTML.links(in: cart.text).contains("/checkout"))
        let form = try shopper.get("/checkout", host: host)
        #expect(form.status == 503)
        #expect(form.pageText.contains("Orders are not open yet"))
        let posted = try shopper.post("/checkout/place", host: host, form: [("csrf_token", try cart.csrfToken()), ("fingerprint", "x")])
        #expect(posted.status == 503)
    }

    @Test func lastItemsRaceSellsExactlyTheStock() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app, lampStock: 3)
        let shopperCount = 8

        // Each shopper, on a thread of its own with its own cookie jar and cart, stops at
        // the review step until all are there, and then all press "Place order" at once.
        let statuses = Mutex<[Int]>([])
        let failures = Mutex<[String]>([])
        let barrier = ThreadBarrier(count: shopperCount)
        let done = DispatchGroup()
        for index in 0..<shopperCount {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do {
                    let shopper = app.browser()
                    try shopper.addToCart(shop.lamp, host: shop.host)
                    let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields(email: "buyer\(index)@example.com"))
                    guard review.status == 200 else { throw TestFailure("review answered \(review.summary)") }
                    barrier.arriveAndWait()
                    let response = try shopper.placeOrder(from: review, host: shop.host)
                    statuses.withLock { $0.append(response.status) }
                } catch {
                    barrier.arriveAndWait()
                    failures.withLock { $0.append(String(describing: error)) }
                }
            }
            thread.start()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)

        #expect(failures.withLock { $0 } == [])
        let counted = statuses.withLock { $0 }
        #expect(counted.filter { $0 == 303 }.count == 3)
        #expect(counted.filter { $0 == 409 }.count == shopperCount - 3)
        #expect(try shop.stock(shop.lamp) == 0)
        #expect(try shop.orderCount() == 3)
        let numbers = try shop.read { try $0.query("SELECT number FROM orders ORDER BY number", map: { try $0.get("number", as: Int64.self) }) }
        #expect(numbers == [1001, 1002, 1003])
    }
}

/// Holds threads until `count` of them have arrived, then releases all at once.
final class ThreadBarrier: @unchecked Sendable {
    // @unchecked Sendable: `arrived` is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private let count: Int
    private var arrived = 0

    init(count: Int) {
        self.count = count
    }

    /// Waits until every thread has arrived, for at most 20 seconds so a failed thread
    /// cannot hang the test.
    func arriveAndWait() {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date().addingTimeInterval(20)
        while arrived < count && condition.wait(until: deadline) {}
    }
}
