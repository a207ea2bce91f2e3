import Commerce
import Foundation
import Testing
import Tenancy

/// The shopper's pages beyond store isolation: pagination, static assets and error pages.
@Suite struct StorefrontTests {
    private let host = TestApp.host("alpha")

    /// Counts the product cards on a page: the links whose classes include `product-card`,
    /// which a sold-out product's card has beside `sold-out`.
    private func productCards(_ response: HTTPResponse) -> Int {
        HTML.tags("a", in: response.text).filter { tag in
            HTML.attribute("class", of: tag)?.split(separator: " ").contains("product-card") == true
        }.count
    }

    @Test func homePagePaginates() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.withProducts(store) { products in
            for number in 1...30 {
                try products.create(ProductInput(title: String(format: "Item %02d", number), price: 100))
            }
        }
        let shopper = app.browser()

        let first = try shopper.get("/", host: host)
        #expect(first.status == 200)
        #expect(productCards(first) == 24)
        #expect(first.pageText.contains("30 products"))
        #expect(first.pageText.contains("Welcome! Browse our products below."))
        #expect(first.pageText.contains("Item 30"))
        #expect(!first.pageText.contains("Item 06"))
        #expect(first.text.contains("<a href=\"/?page=2\" rel=\"next\">Next"))
        #expect(first.pageText.contains("← Previous</span>"))

        let second = try shopper.get("/?page=2", host: host)
        #expect(second.status == 200)
        #expect(productCards(second) == 6)
        #expect(second.pageText.contains("Item 06"))
        #expect(second.pageText.contains("Item 01"))
        #expect(!second.pageText.contains("Item 07"))
        #expect(!second.pageText.contains("Welcome! Browse our products below."))
        #expect(second.text.contains("<a href=\"/\" rel=\"prev\">"))

        let past = try shopper.get("/?page=3", host: host)
        #expect(past.status == 404)
        #expect(past.pageText.contains("Page not found"))

        let nonsense = try shopper.get("/?page=abc", host: host)
        #expect(nonsense.status == 200)
        #expect(productCards(nonsense) == 24)
    }

    @Test func searchResultsPaginateWithTheQuery() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.withProducts(store) { products in
            for number in 1...26 {
                try products.create(ProductInput(title: "Blue Mug \(number)", price: 100))
            }
            try products.create(ProductInput(title: "Red Kettle", price: 100))
        }
        let shopper = app.browser()

        let first = try shopper.get("/search?q=blue+mug", host: host)
        #expect(first.status == 200)
        #expect(productCards(first) == 24)
        #expect(first.pageText.contains("26 products"))
        #expect(first.text.contains("href=\"/search?q=blue%20mug&amp;page=2\"") || first.text.contains("href=\"/search?q=blue+mug&amp;page=2\""))
        #expect(HTML.inputValue(named: "q", in: first.text) == "blue mug")

        let second = try shopper.get("/search?q=blue%20mug&page=2", host: host)
        #expect(second.status == 200)
        #expect(productCards(second) == 2)
        #expect(!second.pageText.contains("Red Kettle"))
    }

    @Test func emptyStoreSaysSo() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")

        let home = try app.browser().get("/", host: host)
        #expect(home.status == 200)
        #expect(home.pageText.contains("This store has no products yet. Please come back soon."))
        #expect(home.pageText.contains("0 products"))
    }

    @Test func unknownStorePathIsNotFoundInTheStoresStyle() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")

        let response = try app.browser().get("/no/such/page", host: host)
        #expect(response.status == 404)
        #expect(response.pageText.contains("Alpha Outfitters"))
        #expect(response.pageText.contains("We could not find that page."))
        #expect(response.text.contains("/assets/css/store.css"))

        let admin = try app.browser().get("/admin/no-such-page", host: host)
        #expect(admin.status == 404)
        #expect(admin.pageText.contains("There is no admin page at /admin/no-such-page."))

        let post = try app.browser().post("/search", host: host, form: [])
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET")
    }

    @Test(arguments: ["alpha.shop.test", "shop.test", "nostore.shop.test", "www.lantern-shop.example", "127.0.0.1"])
    func assetsOnEveryHost(host: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.catalog.addDomain("www.lantern-shop.example", to: store.id)
        let expected = try Data(contentsOf: URL(fileURLWithPath: TestApp.packageRoot + "/Public/css/store.css"))

        let css = try app.browser().get("/assets/css/store.css", host: host)
        #expect(css.status == 200)
        #expect(css.header("Content-Type") == "text/css; charset=utf-8")
        #expect(css.body == Array(expected))
        #expect(css.header("Cache-Control")?.contains("max-age") == true)

        let admin = try app.browser().get("/assets/css/admin.css", host: host)
        #expect(admin.status == 200)
        #expect(admin.header("Content-Type") == "text/css; charset=utf-8")
    }

    @Test(arguments: ["/assets/../Package.swift", "/assets/%2e%2e/Package.swift", "/assets/css/missing.css", "/assets/..%2fViews/admin/login.html"])
    func assetPathsStayInsidePublic(path: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")

        let response = try app.browser().get(path, host: host)
        #expect(response.status == 404)
        #expect(!response.text.contains("PackageDescription"))
        #expect(!response.text.contains("csrf_token"))
    }

    @Test(arguments: ["/files/store.sqlite", "/files/../store.sqlite", "/files/%2e%2e/store.sqlite", "/files/..%2fstore.sqlite", "/files/.%2e/store.sqlite"])
    func storeDatabaseIsNeverServed(path: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")

        let response = try app.browser().get(path, host: host)
        #expect(response.status == 404)
        #expect(!response.text.hasPrefix("SQLite format 3"))
    }

    @Test func merchantTextIsEscaped() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha <b>Bold</b> & Co")
        try app.addProduct(store, title: "<script>alert('title')</script> Lamp", slug: "lamp", description: "\"><img src=x onerror=alert(1)>")
        let browser = try app.ownerBrowser("alpha")

        let home = try app.browser().get("/", host: host)
        #expect(home.status == 200)
        #expect(!home.text.contains("<script>alert"))
        #expect(home.text.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Lamp"))
        #expect(!home.text.contains("<b>Bold</b>"))
        #expect(home.text.contains("Alpha &lt;b&gt;Bold&lt;/b&gt; &amp; Co"))

        let page = try app.browser().get("/products/lamp", host: host)
        #expect(!page.text.contains("<img src=x"))
        #expect(page.text.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))

        let admin = try browser.get("/admin/products", host: host)
        #expect(!admin.text.contains("<script>alert"))
        let search = try app.browser().get("/search?q=%3Cscript%3E", host: host)
        #expect(!search.text.contains("<script>"))
        #expect(search.pageText.contains("Results for “<script>”"))
    }

    @Test func headRequestHasNoBody() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.addProduct(store, title: "Trail Lantern", slug: "trail-lantern")

        let get = try app.browser().get("/products/trail-lantern", host: host)
        let head = try app.browser().send("HEAD", "/products/trail-lantern", host: host)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(get.body.count))
    }
}
