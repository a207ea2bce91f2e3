import Dispatch
import Foundation
import Synchronization
import Testing

/// Many visitors of many stores at once, with fewer stores open than exist.
@Suite struct ConcurrencyTests {
    @Test func parallelVisitorsEachSeeTheirOwnStore() throws {
        // Two open stores at most, so the pool closes and reopens files while requests run.
        let app = try TestApp { configuration in configuration.maxOpenStores = 2 }
        defer { app.stop() }
        let slugs = ["alpha", "bravo", "charlie", "delta", "echo"]
        for slug in slugs {
            let store = try app.createStore(slug, name: "Store \(slug)")
            try app.addProduct(store, title: "Only In \(slug)", slug: "only-in-\(slug)")
        }

        // 8 visitors × 15 requests, each to a store picked by the request's number, and a
        // bounded total of 120 requests on loopback.
        let mistakes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { visitor in
            let browser = app.browser()
            for round in 0..<15 {
                let slug = slugs[(visitor + round) % slugs.count]
                do {
                    let response = try browser.get("/products/only-in-\(slug)", host: TestApp.host(slug))
                    let text = response.pageText
                    let others = slugs.filter { $0 != slug && text.contains("Only In \($0)") }
                    if response.status != 200 || !text.contains("Only In \(slug)") || !others.isEmpty {
                        mistakes.withLock { $0.append("\(slug): \(response.status) \(others)") }
                    }
                } catch {
                    mistakes.withLock { $0.append("\(slug): \(error)") }
                }
            }
        }
        #expect(mistakes.withLock { $0 } == [])
        #expect(app.app.pool.statistics.evictions > 0, "the pool should have closed stores to stay within two")
    }

    @Test func parallelLoginsToDifferentStores() throws {
        let app = try TestApp { configuration in configuration.maxOpenStores = 2 }
        defer { app.stop() }
        let slugs = ["alpha", "bravo", "charlie", "delta"]
        for slug in slugs {
            try app.createStore(slug, name: "Store \(slug)")
        }

        let mistakes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: slugs.count) { index in
            let slug = slugs[index]
            let host = TestApp.host(slug)
            do {
                let browser = app.browser()
                try browser.logIn(host: host, email: TestApp.ownerEmail(slug), password: TestApp.ownerPassword)
                for _ in 0..<5 {
                    let page = try browser.get("/admin/products", host: host)
                    if page.status != 200 || HTML.signedInEmail(in: page.text) != TestApp.ownerEmail(slug) {
                        mistakes.withLock { $0.append("\(slug): \(page.summary)") }
                    }
                }
            } catch {
                mistakes.withLock { $0.append("\(slug): \(error)") }
            }
        }
        #expect(mistakes.withLock { $0 } == [])
    }
}
