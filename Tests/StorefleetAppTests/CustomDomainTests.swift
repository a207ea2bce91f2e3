import Foundation
import Testing
import Tenancy

/// Custom domains resolve to their store, and a domain moved to another store is served by
/// that store on the very next request, whichever connection to the catalog moved it.
@Suite struct CustomDomainTests {
    private let domain = "www.lantern-shop.example"

    @Test func primaryDomainIsTheShoppersAddress() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        try app.app.catalog.addDomain("shop.alpha-outdoor.example", to: shop.store.id, primary: true)

        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(try shopper.placeOrder(from: review, host: shop.host).status == 303)

        // The shopper's mail links to the store's own domain; the merchant's notice keeps the
        // admin on the platform address, where the merchant is signed in.
        let bodies = try shop.read { database in
            try database.query("SELECT subject, text_body FROM outbox ORDER BY id") {
                (try $0.get("subject", as: String.self), try $0.get("text_body", as: String.self))
            }
        }
        let confirmation = try #require(bodies.first { $0.0 == "Order #1001 confirmed" })
        #expect(confirmation.1.contains("http://shop.alpha-outdoor.example:\(app.port)/orders/1001?token="), "\(confirmation.1)")
        #expect(!confirmation.1.contains("alpha.shop.test"))
        let notice = try #require(bodies.first { $0.0.hasPrefix("New order #1001") })
        #expect(notice.1.contains("http://alpha.shop.test:\(app.port)/admin/orders/"))

        let dashboard = try app.ownerBrowser("alpha").get("/admin", host: shop.host)
        #expect(dashboard.pageText.contains("http://shop.alpha-outdoor.example:\(app.port)/"))
    }

    @Test func domainMovedThroughTheAppsCatalog() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        let bravo = try app.createStore("bravo", name: "Bravo Ceramics")
        try app.addProduct(alpha, title: "Trail Lantern")
        try app.addProduct(bravo, title: "Stoneware Mug")
        let browser = app.browser()

        try app.catalog.addDomain(domain, to: alpha.id)
        let before = try browser.get("/", host: domain)
        #expect(before.status == 200)
        #expect(before.pageText.contains("Alpha Outfitters"))
        #expect(before.pageText.contains("Trail Lantern"))

        try app.catalog.removeDomain(domain, from: alpha.id)
        let between = try browser.get("/", host: domain)
        #expect(between.status == 404)
        #expect(between.pageText.contains("No store at this address"))

        try app.catalog.addDomain(domain, to: bravo.id)
        let after = try browser.get("/", host: domain.uppercased() + ".")
        #expect(after.status == 200)
        #expect(after.pageText.contains("Bravo Ceramics"))
        #expect(after.pageText.contains("Stoneware Mug"))
        #expect(!after.pageText.contains("Trail Lantern"))
    }

    @Test func domainMovedThroughASecondCatalog() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        let bravo = try app.createStore("bravo", name: "Bravo Ceramics")
        let browser = app.browser()
        try app.catalog.addDomain(domain, to: alpha.id)
        #expect(try browser.get("/", host: domain).pageText.contains("Alpha Outfitters"))

        // The command line opens its own connection to the same catalog file.
        let tool = try Catalog(dataDirectory: DataDirectory(app.dataDirectory), platformDomain: TestApp.platformDomain)
        defer { try? tool.close() }
        try tool.removeDomain(domain, from: alpha.id)
        try tool.addDomain(domain, to: bravo.id)

        let after = try browser.get("/", host: domain)
        #expect(after.status == 200)
        #expect(after.pageText.contains("Bravo Ceramics"))
        #expect(!after.pageText.contains("Alpha Outfitters"))

        try tool.removeDomain(domain, from: bravo.id)
        let removed = try browser.get("/", host: domain)
        #expect(removed.status == 404)
        #expect(removed.pageText.contains("There is no Storefleet store at \(domain)."))
    }

    @Test func domainMovedByTheCommandLine() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")
        try app.createStore("bravo", name: "Bravo Ceramics")
        let browser = app.browser()
        let options = ["--data", app.dataDirectory.path, "--domain", TestApp.platformDomain]

        #expect(StorefleetCLI.run(["stores", "domains", "add", "alpha", domain] + options) == 0)
        #expect(try browser.get("/", host: domain).pageText.contains("Alpha Outfitters"))

        // A domain that another store has is rejected until it is removed there.
        #expect(StorefleetCLI.run(["stores", "domains", "add", "bravo", domain] + options) == 64)
        #expect(try browser.get("/", host: domain).pageText.contains("Alpha Outfitters"))

        #expect(StorefleetCLI.run(["stores", "domains", "remove", "alpha", domain] + options) == 0)
        #expect(StorefleetCLI.run(["stores", "domains", "add", "bravo", domain] + options) == 0)
        let after = try browser.get("/", host: domain)
        #expect(after.status == 200)
        #expect(after.pageText.contains("Bravo Ceramics"))
    }

    @Test func movedDomainDoesNotCarryTheOldStoresSession() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        let bravo = try app.createStore("bravo", name: "Bravo Ceramics")
        try app.catalog.addDomain(domain, to: alpha.id)
        let browser = app.browser()
        try browser.logIn(host: domain, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
        #expect(try browser.get("/admin/products", host: domain).pageText.contains("Alpha Outfitters"))

        try app.catalog.removeDomain(domain, from: alpha.id)
        try app.catalog.addDomain(domain, to: bravo.id)

        // The browser still sends alpha's cookie to the domain, which bravo does not know.
        #expect(browser.cookies.value("storefleet_session", forHost: domain) != nil)
        let response = try browser.get("/admin/products", host: domain)
        #expect(response.status == 303)
        #expect(response.location?.hasPrefix("/admin/login") == true)
        let home = try browser.get("/", host: domain)
        #expect(home.pageText.contains("Bravo Ceramics"))
    }

    @Test func sessionOnACustomDomainIsSeparate() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha")
        try app.catalog.addDomain(domain, to: alpha.id)
        let browser = try app.ownerBrowser("alpha")
        #expect(try browser.get("/admin/products", host: TestApp.host("alpha")).status == 200)

        // The browser has no cookie for the custom domain, so the admin there redirects to the login.
        let elsewhere = try browser.get("/admin", host: domain)
        #expect(elsewhere.status == 303)
        #expect(elsewhere.location?.hasPrefix("/admin/login") == true)

        try browser.logIn(host: domain, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
        #expect(try browser.get("/admin/products", host: domain).status == 200)
    }
}
