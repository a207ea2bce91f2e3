import Commerce
import Foundation
import Testing

/// Every unsafe request to a store needs the CSRF token of the visitor's own session.
@Suite struct CSRFTests {
    private let host = TestApp.host("alpha")
    private let expiredFormMessage = "This form has expired or was sent from another site, so nothing was changed. Go back, reload the page and try again."

    private func editFields(title: String) -> [(String, String)] {
        [("title", title), ("slug", "trail-lantern"), ("description", "Bright."), ("price", "45.00"),
         ("compare_at_price", ""), ("sku", ""), ("stock", "5"), ("visible", "1")]
    }

    @Test func productEditWithoutTokenChangesNothing() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let product = try app.addProduct(store, title: "Trail Lantern", price: 4_500, slug: "trail-lantern")
        let browser = try app.ownerBrowser("alpha")

        let missing = try browser.post("/admin/products/\(product.id)", host: host, form: editFields(title: "Changed by a forged form"))
        #expect(missing.status == 403)
        #expect(missing.pageText.contains(expiredFormMessage))
        #expect(try app.product(store, id: product.id) == product)

        let wrong = try browser.post("/admin/products/\(product.id)", host: host, form: [("csrf_token", "forged-token-value")] + editFields(title: "Changed again"))
        #expect(wrong.status == 403)
        #expect(wrong.pageText.contains(expiredFormMessage))
        #expect(try app.product(store, id: product.id) == product)

        // The same form with the page's token works, so the rejections above were the token's.
        let page = try browser.get("/admin/products/\(product.id)/edit", host: host)
        let accepted = try browser.post("/admin/products/\(product.id)", host: host, form: [("csrf_token", try page.csrfToken())] + editFields(title: "Lantern Mark II"))
        #expect(accepted.status == 303)
        #expect(try app.product(store, id: product.id)?.title == "Lantern Mark II")
    }

    @Test func multipartFormWithoutTokenChangesNothing() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        var body = MultipartBody(fields: [("title", "Forged Product"), ("price", "1.00"), ("stock", "1"), ("visible", "1")])
        body.addFile("image", filename: "pixel.png", contentType: "image/png", bytes: onePixelPNG)
        let response = try browser.post("/admin/products", host: host, multipart: body)
        #expect(response.status == 403)
        #expect(response.pageText.contains(expiredFormMessage))
        #expect(try app.withProducts(store) { try $0.count() } == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: app.dataDirectory.appendingPathComponent("stores/\(store.id)/files").path)
        #expect(files.isEmpty)
    }

    @Test func settingsWithAnotherStoresTokenChangeNothing() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.createStore("bravo")
        let browser = try app.ownerBrowser("alpha")
        try browser.logIn(host: TestApp.host("bravo"), email: TestApp.ownerEmail("bravo"), password: TestApp.ownerPassword)
        let before = try app.settings(alpha)

        let bravoPage = try browser.get("/admin/settings/general", host: TestApp.host("bravo"))
        let response = try browser.post("/admin/settings/general", host: host, form: [
            ("csrf_token", try bravoPage.csrfToken()), ("name", "Hijacked"), ("contact_email", "thief@evil.example"),
            ("currency", "EUR"), ("customer_login", "optional"),
        ])
        #expect(response.status == 403)
        #expect(response.pageText.contains(expiredFormMessage))
        #expect(try app.settings(alpha) == before)
        #expect(try app.catalog.store(id: alpha.id)?.name == "Alpha Outfitters")
    }

    @Test func tokenOfAnotherVisitorIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let owner = try app.ownerBrowser("alpha")
        let before = try app.settings(store)

        // An attacker's own anonymous session gives a valid-looking token of another session.
        let attacker = app.browser()
        let attackerToken = try attacker.get("/admin/login", host: host).csrfToken()
        let response = try owner.post("/admin/settings/general", host: host, form: [
            ("csrf_token", attackerToken), ("name", "Hijacked"), ("contact_email", "thief@evil.example"),
            ("currency", "USD"), ("customer_login", "disabled"),
        ])
        #expect(response.status == 403)
        #expect(try app.settings(store) == before)
    }

    @Test func browsingWritesNoSessionButFormsWork() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let product = try app.addProduct(store, title: "Trail Lantern", price: 4_500, slug: "trail-lantern")
        let sessionCount = {
            try app.app.pool.withStore(store.id) { queue in
                try queue.read { try $0.scalar("SELECT count(*) FROM sessions", as: Int.self) ?? 0 }
            }
        }
        let shopper = app.browser()

        // The catalogue's pages carry a form token without writing a session row.
        let home = try shopper.get("/", host: host)
        #expect(home.status == 200)
        let page = try shopper.get("/products/trail-lantern", host: host)
        #expect(try sessionCount() == 0)
        #expect(shopper.cookies.value("storefleet_form", forHost: host) != nil)
        #expect(try home.csrfToken() == page.csrfToken())

        let added = try shopper.post("/cart/add", host: host, form: [
            ("csrf_token", try page.csrfToken()), ("product_id", String(product.id)), ("quantity", "1"),
        ])
        #expect(added.status == 303)
        let cart = try shopper.get("/cart", host: host)
        #expect(cart.pageText.contains("Trail Lantern"))
        // The header's count reads as one item, not "1 items", to a screen reader.
        #expect(cart.visibleText.contains("1 item in your cart"), "\(cart.visibleText)")
    }

    @Test func visitorTokenNeedsItsCookieAndStore() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let other = try app.createStore("bravo")
        let product = try app.addProduct(store, title: "Trail Lantern", price: 4_500, slug: "trail-lantern")
        _ = try app.addProduct(other, title: "Trail Lantern", price: 4_500, slug: "trail-lantern")
        let shopper = app.browser()
        let token = try shopper.get("/products/trail-lantern", host: host).csrfToken()
        let visitor = try #require(shopper.cookies.value("storefleet_form", forHost: host))
        let fields = [("csrf_token", token), ("product_id", String(product.id)), ("quantity", "1")]

        // Another visitor's cookie, a forged token, no cookie, and the same pair sent to
        // another store are all rejected.
        let stranger = app.browser()
        _ = try stranger.get("/", host: host)
        #expect(try stranger.post("/cart/add", host: host, form: fields).status == 403)
        #expect(try shopper.post("/cart/add", host: host, form: [("csrf_token", String(token.reversed()))] + fields.dropFirst()).status == 403)
        #expect(try app.browser().post("/cart/add", host: host, form: fields).status == 403)
        #expect(try app.browser().post("/cart/add", host: TestApp.host("bravo"), form: fields, headers: [
            ("Cookie", "storefleet_form=\(visitor)"),
        ]).status == 403)
        // The admin's forms take only a session's token.
        #expect(try shopper.post("/admin/login", host: host, form: [
            ("csrf_token", token), ("email", "owner@alpha.example"), ("password", "whatever"),
        ]).status == 403)
        // The genuine pair still works.
        #expect(try shopper.post("/cart/add", host: host, form: fields).status == 303)
    }

    @Test func deleteWithoutTokenKeepsTheProduct() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let product = try app.addProduct(store, title: "Trail Lantern")
        let browser = try app.ownerBrowser("alpha")

        let response = try browser.post("/admin/products/\(product.id)/delete", host: host, form: [])
        #expect(response.status == 403)
        #expect(response.pageText.contains(expiredFormMessage))
        #expect(try app.product(store, id: product.id) == product)
    }

    @Test func staffAddWithoutTokenAddsNobody() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        let response = try browser.post("/admin/staff", host: host, form: [
            ("name", "Mallory"), ("email", "mallory@evil.example"), ("password", "long enough password"),
        ])
        #expect(response.status == 403)
        let staff = try browser.get("/admin/staff", host: host)
        #expect(staff.status == 200)
        #expect(!staff.pageText.contains("mallory@evil.example"))
        #expect(staff.pageText.contains("1 of 2 accounts used"))
    }
}
