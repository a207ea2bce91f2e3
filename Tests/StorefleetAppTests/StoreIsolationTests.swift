import Foundation
import Testing

/// Two stores in one data folder, served by one process, see only their own data.
@Suite struct StoreIsolationTests {
    @Test func eachStoreListsOnlyItsOwnProducts() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        let bravo = try app.createStore("bravo", name: "Bravo Ceramics")
        try app.addProduct(alpha, title: "Trail Lantern", price: 4_500, slug: "trail-lantern")
        try app.addProduct(bravo, title: "Stoneware Mug", price: 1_800, slug: "stoneware-mug")
        let browser = app.browser()

        let alphaHome = try browser.get("/", host: TestApp.host("alpha"))
        #expect(alphaHome.status == 200)
        #expect(alphaHome.header("Content-Type") == "text/html; charset=utf-8")
        #expect(alphaHome.pageText.contains("Alpha Outfitters"))
        #expect(alphaHome.pageText.contains("Trail Lantern"))
        #expect(alphaHome.pageText.contains("$45.00"))
        #expect(alphaHome.pageText.contains("<span class=\"count\">1 product</span>"))
        #expect(!alphaHome.pageText.contains("Stoneware Mug"))
        #expect(!alphaHome.pageText.contains("Bravo Ceramics"))

        let bravoHome = try browser.get("/", host: TestApp.host("bravo"))
        #expect(bravoHome.status == 200)
        #expect(bravoHome.pageText.contains("Bravo Ceramics"))
        #expect(bravoHome.pageText.contains("Stoneware Mug"))
        #expect(!bravoHome.pageText.contains("Trail Lantern"))
    }

    @Test func productPageBySlugOnlyOnItsStore() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha")
        let bravo = try app.createStore("bravo")
        try app.addProduct(alpha, title: "Trail Lantern", price: 4_500, slug: "trail-lantern", description: "Bright for twelve hours.")
        try app.addProduct(bravo, title: "Stoneware Mug", price: 1_800, slug: "stoneware-mug")
        let browser = app.browser()

        let page = try browser.get("/products/trail-lantern", host: TestApp.host("alpha"))
        #expect(page.status == 200)
        #expect(page.pageText.contains("<h1>Trail Lantern</h1>"))
        #expect(page.pageText.contains("Bright for twelve hours."))
        #expect(page.pageText.contains("$45.00"))

        let elsewhere = try browser.get("/products/trail-lantern", host: TestApp.host("bravo"))
        #expect(elsewhere.status == 404)
        #expect(elsewhere.pageText.contains("Page not found"))
        #expect(elsewhere.pageText.contains("Store bravo"))
        #expect(!elsewhere.pageText.contains("Trail Lantern"))

        let mug = try browser.get("/products/stoneware-mug", host: TestApp.host("bravo"))
        #expect(mug.status == 200)
        #expect(mug.pageText.contains("Stoneware Mug"))
        #expect(try browser.get("/products/stoneware-mug", host: TestApp.host("alpha")).status == 404)
    }

    @Test func searchFindsOnlyTheStoresOwnProducts() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha")
        let bravo = try app.createStore("bravo")
        try app.addProduct(alpha, title: "Lantern Classic")
        try app.addProduct(alpha, title: "Tent Stakes")
        try app.addProduct(bravo, title: "Lantern Deluxe")
        let browser = app.browser()

        let alphaResults = try browser.get("/search?q=lantern", host: TestApp.host("alpha"))
        #expect(alphaResults.status == 200)
        #expect(alphaResults.pageText.contains("Results for “lantern”"))
        #expect(alphaResults.pageText.contains("Lantern Classic"))
        #expect(!alphaResults.pageText.contains("Lantern Deluxe"))
        #expect(!alphaResults.pageText.contains("Tent Stakes"))
        #expect(alphaResults.pageText.contains("<span class=\"count\">1 product <a href=\"/\">Show all products</a></span>"))

        let bravoResults = try browser.get("/search?q=lantern", host: TestApp.host("bravo"))
        #expect(bravoResults.status == 200)
        #expect(bravoResults.pageText.contains("Lantern Deluxe"))
        #expect(!bravoResults.pageText.contains("Lantern Classic"))

        let none = try browser.get("/search?q=stakes", host: TestApp.host("bravo"))
        #expect(none.status == 200)
        #expect(none.pageText.contains("No products match “stakes”. Try another word."))
    }

    @Test func adminCookieOfOneStoreIsAnonymousOnAnother() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        try app.createStore("bravo")
        let owner = try app.ownerBrowser("alpha")
        let alphaCookie = try #require(owner.cookies.value("storefleet_session", forHost: TestApp.host("alpha")))
        #expect(owner.cookies.value("storefleet_session", forHost: TestApp.host("bravo")) == nil)

        // An attacker, or a confused browser, replays alpha's cookie on bravo's host.
        let replay = app.browser()
        let response = try replay.get("/admin", host: TestApp.host("bravo"), headers: [("Cookie", "storefleet_session=\(alphaCookie)")])
        #expect(response.status == 303)
        #expect(response.location?.hasPrefix("/admin/login?next=%2Fadmin") == true)

        let products = try replay.get("/admin/products", host: TestApp.host("bravo"), headers: [("Cookie", "storefleet_session=\(alphaCookie)")])
        #expect(products.status == 303)
        #expect(products.location?.hasPrefix("/admin/login") == true)

        // On alpha the same cookie still works.
        let signedIn = try owner.get("/admin/products", host: TestApp.host("alpha"))
        #expect(signedIn.status == 200)
        #expect(signedIn.pageText.contains("<h1>Products</h1>"))
        #expect(HTML.signedInEmail(in: signedIn.text) == "owner@alpha.example")
    }

    @Test func oneBrowserStaysSignedInToTwoStores() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")
        try app.createStore("bravo", name: "Bravo Ceramics")
        let browser = app.browser()
        try browser.logIn(host: TestApp.host("alpha"), email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
        try browser.logIn(host: TestApp.host("bravo"), email: TestApp.ownerEmail("bravo"), password: TestApp.ownerPassword)
        #expect(browser.cookies.value("storefleet_session", forHost: TestApp.host("alpha")) != browser.cookies.value("storefleet_session", forHost: TestApp.host("bravo")))

        for _ in 0..<2 {
            let alpha = try browser.get("/admin/products", host: TestApp.host("alpha"))
            #expect(alpha.status == 200)
            #expect(alpha.pageText.contains("Alpha Outfitters"))
            #expect(HTML.signedInEmail(in: alpha.text) == "owner@alpha.example")

            let bravo = try browser.get("/admin/products", host: TestApp.host("bravo"))
            #expect(bravo.status == 200)
            #expect(bravo.pageText.contains("Bravo Ceramics"))
            #expect(HTML.signedInEmail(in: bravo.text) == "owner@bravo.example")
        }
    }

    @Test func storesSurviveARestart() throws {
        let first = try TestApp()
        let alpha = try first.createStore("alpha", name: "Alpha Outfitters")
        try first.addProduct(alpha, title: "Trail Lantern", slug: "trail-lantern")
        try first.createStore("bravo", name: "Bravo Ceramics")
        #expect(try first.browser().get("/", host: TestApp.host("alpha")).status == 200)
        first.stop(removingData: false)

        let second = try TestApp(dataDirectory: first.dataDirectory)
        defer { second.stop() }
        let page = try second.browser().get("/products/trail-lantern", host: TestApp.host("alpha"))
        #expect(page.status == 200)
        #expect(page.pageText.contains("Trail Lantern"))
        #expect(try second.browser().get("/", host: TestApp.host("bravo")).pageText.contains("Bravo Ceramics"))
        let owner = try second.ownerBrowser("alpha")
        #expect(try owner.get("/admin/products", host: TestApp.host("alpha")).status == 200)
    }

    @Test func ownerOfOneStoreCannotLogInToAnother() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        try app.createStore("bravo")
        let browser = app.browser()
        let form = try browser.get("/admin/login", host: TestApp.host("bravo"))
        let response = try browser.post("/admin/login", host: TestApp.host("bravo"), form: [
            ("csrf_token", try form.csrfToken()), ("email", TestApp.ownerEmail("alpha")), ("password", TestApp.ownerPassword),
        ])
        #expect(response.status == 422)
        #expect(response.pageText.contains("The email or password is not correct."))
    }
}
