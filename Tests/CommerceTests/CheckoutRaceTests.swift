import Commerce
import Foundation
import SQLite
import Synchronization
import Testing

@Suite struct CheckoutRaceTests {
    /// Twelve shoppers, each on a thread with its own connection to the same file, confirm at
    /// the same moment while 5 units are left.
    @Test func lastItemsSellExactlyOnce() throws {
        let shopperCount = 12
        let shop = try Shop(mugStock: 100, lampStock: 5)
        let details = shop.details()
        let lampID = shop.lamp.id
        let path = shop.store.path
        let clock = shop.store.clock.closure

        var carts: [(token: String, fingerprint: String)] = []
        for _ in 0..<shopperCount {
            let token = try shop.cart([(shop.lamp, 1)])
            let quote = try shop.store.checkout.quote(cartToken: token, details: details)
            carts.append((token, quote.fingerprint))
        }

        let outcomes = Mutex<[String]>([])
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for (token, fingerprint) in carts {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let outcome: String
                do {
                    let database = try Database(path: path, configuration: .init(busyTimeout: .seconds(20)))
                    defer { try? database.close() }
                    start.wait()
                    let order = try Checkout(database: database, now: clock).placeOrder(
                        cartToken: token, details: details, confirmedFingerprint: fingerprint
                    ) { order in [confirmationMail(for: order)] }
                    outcome = "order \(order.number)"
                } catch let error as CheckoutError {
                    outcome = error == .soldOut(productTitles: ["Trail Lamp"]) ? "sold out" : "unexpected \(error)"
                } catch {
                    outcome = "unexpected \(error)"
                }
                outcomes.withLock { $0.append(outcome) }
            }
            thread.start()
        }
        for _ in 0..<shopperCount {
            start.signal()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)

        let results = outcomes.withLock { $0 }
        let placed = results.filter { $0.hasPrefix("order ") }.sorted()
        #expect(placed == (1001...1005).map { "order \($0)" })
        #expect(results.filter { $0 == "sold out" }.count == shopperCount - 5)
        #expect(results.count == shopperCount)

        #expect(try shop.store.stock(of: lampID) == 0)
        #expect(try shop.store.count("orders") == 5)
        #expect(try shop.store.count("order_lines") == 5)
        #expect(try shop.store.count("outbox") == 5)
        let numbers = try shop.store.database.query("SELECT number FROM orders ORDER BY number") { try $0.get("number", as: Int64.self) }
        #expect(numbers == Array(1001...1005))

        let next = try shop.buy([(shop.mug, 1)])
        #expect(next.number == 1006)
    }
}
