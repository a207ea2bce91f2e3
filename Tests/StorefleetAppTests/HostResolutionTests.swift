import Foundation
import Testing

/// How the `Host` header picks the platform site, a store, or an error page. The platform
/// domain is `shop.test`.
@Suite struct HostResolutionTests {
    @Test(arguments: ["shop.test", "SHOP.TEST.", "Shop.Test:8080", "www.shop.test", "WWW.SHOP.TEST."])
    func platformDomainShowsThePlatformSite(host: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("demo")

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 200)
        #expect(response.pageText.contains("<h1>Online stores, hosted together</h1>"))
        #expect(response.pageText.contains("Storefleet runs many merchants' stores on one platform."))
        let demoURL = "http://demo.shop.test:\(app.port)/"
        #expect(response.pageText.contains("<a class=\"button\" href=\"\(demoURL)\">Visit the demo store</a>"))
        #expect(response.pageText.contains("<a class=\"button secondary\" href=\"\(demoURL)admin\">Open its admin</a>"))
        #expect(response.pageText.contains("The demo store is at <a href=\"\(demoURL)\">\(demoURL)</a>."))
    }

    @Test(arguments: ["demo.shop.test", "DEMO.SHOP.TEST:8080", "demo.shop.test.", "Demo.Shop.Test.:443"])
    func storeAddressInAnySpellingShowsTheStore(host: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        let demo = try app.createStore("demo", name: "Trailhead Demo")
        try app.addProduct(demo, title: "Camp Kettle")

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 200)
        #expect(response.pageText.contains("Trailhead Demo"))
        #expect(response.pageText.contains("Camp Kettle"))
    }

    @Test(arguments: [
        ("evilshop.test", "evilshop.test"),
        ("foo.bar.com", "foo.bar.com"),
        ("nostore.shop.test", "nostore.shop.test"),
        ("a.demo.shop.test", "a.demo.shop.test"),
        ("demo.shop.test.evil.example", "demo.shop.test.evil.example"),
        ("shop.test.evil.example", "shop.test.evil.example"),
    ])
    func unknownNamesGetTheNoStorePage(host: String, hostInMessage: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("demo")
        try app.createStore("shop")

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 404)
        #expect(response.pageText.contains("No store at this address"))
        #expect(response.pageText.contains("There is no Storefleet store at \(hostInMessage). Check the address for typing mistakes."))
        #expect(response.pageText.contains("<a class=\"button\" href=\"http://shop.test:\(app.port)/\">Go to Storefleet</a>"))
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:8080", "[::1]:8080", "[::1]", "10.0.0.7"])
    func addressLiteralsAreBadRequests(host: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("demo")

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 400)
        #expect(response.pageText.contains("Invalid address"))
        #expect(response.pageText.contains("is an IP address. Stores are served only under their names"))
        #expect(!response.pageText.contains("Trailhead"))
    }

    @Test(arguments: ["shop_x.shop.test", "-demo.shop.test", "127.1", "demo.shop.test:99999", "demo..shop.test"])
    func malformedNamesAreBadRequests(host: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("demo")

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 400)
        #expect(response.pageText.contains("Invalid") || response.pageText.contains("not a valid"))
    }

    @Test func missingHostIsABadRequest() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("demo")
        let browser = app.browser()

        // HTTP/1.1 requires the field (RFC 9112, section 3.2).
        let http11 = try browser.send("GET", "/", host: nil)
        #expect(http11.status == 400)
        #expect(http11.text.contains("Host"))

        // HTTP/1.0 allows leaving it out, and then no store is named.
        let http10 = try browser.send("GET", "/", host: nil, version: "HTTP/1.0")
        #expect(http10.status == 400)
        #expect(http10.pageText.contains("Invalid address"))
        #expect(http10.pageText.contains("is empty"))

        let empty = try browser.send("GET", "/", host: "")
        #expect(empty.status == 400)
        #expect(empty.pageText.contains("Invalid address"))
    }

    @Test func twoHostFieldsAreABadRequest() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("demo")

        let response = try app.browser().send("GET", "/", host: "demo.shop.test", headers: [("Host", "evil.example")])
        #expect(response.status == 400)
        #expect(!response.pageText.contains("Store demo"))
    }

    @Test func platformHealthAndUnknownPages() throws {
        let app = try TestApp()
        defer { app.stop() }
        let browser = app.browser()

        let health = try browser.get("/health", host: "shop.test")
        #expect(health.status == 200)
        #expect(health.text == "ok\n")

        let missing = try browser.get("/pricing", host: "shop.test")
        #expect(missing.status == 404)
        #expect(missing.pageText.contains("There is no page at /pricing on Storefleet."))

        let post = try browser.post("/", host: "shop.test", form: [])
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET")

        // Without a demo store the home page has no demo link.
        let home = try browser.get("/", host: "shop.test")
        #expect(home.status == 200)
        #expect(home.pageText.contains("<h1>Online stores, hosted together</h1>"))
        #expect(!home.pageText.contains("demo store"))
        #expect(!HTML.links(in: home.text).contains { $0.contains("demo.shop.test") })
    }

    @Test func storeAddressFollowsASlugChange() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        let browser = app.browser()
        #expect(try browser.get("/", host: TestApp.host("alpha")).status == 200)

        try app.catalog.changeSlug(of: store.id, to: "alpine")
        let old = try browser.get("/", host: TestApp.host("alpha"))
        #expect(old.status == 404)
        #expect(old.pageText.contains("No store at this address"))
        let new = try browser.get("/", host: TestApp.host("alpine"))
        #expect(new.status == 200)
        #expect(new.pageText.contains("Alpha Outfitters"))
    }
}
