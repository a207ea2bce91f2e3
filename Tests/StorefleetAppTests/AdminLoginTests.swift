import Foundation
import Testing

/// Staff login, logout and sessions, through the login form.
@Suite struct AdminLoginTests {
    private let host = TestApp.host("alpha")

    private func postLogin(_ browser: HTTPClient, email: String, password: String, next: String = "/admin") throws -> HTTPResponse {
        let form = try browser.get("/admin/login", host: host)
        return try browser.post("/admin/login", host: host, form: [
            ("csrf_token", try form.csrfToken()), ("next", next), ("email", email), ("password", password),
        ])
    }

    @Test func loginFormShowsTheStore() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")

        let page = try app.browser().get("/admin/login", host: host)
        #expect(page.status == 200)
        #expect(page.pageText.contains("<h1>Log in</h1>"))
        #expect(page.pageText.contains("Alpha Outfitters admin"))
        #expect(page.header("Cache-Control") == "no-store")
        #expect(try page.csrfToken().count >= 16)
    }

    @Test func correctPasswordSignsIn() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")
        let browser = app.browser()
        _ = try browser.get("/admin/login", host: host)
        let anonymousCookie = try #require(browser.cookies.value("storefleet_session", forHost: host))

        let response = try postLogin(browser, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
        #expect(response.status == 303)
        #expect(response.location == "/admin")

        // A new session id on login, so one planted before login is never signed in.
        let cookie = try #require(browser.cookies.cookie("storefleet_session", forHost: host))
        #expect(cookie.value != anonymousCookie)
        #expect(cookie.httpOnly)
        #expect(cookie.sameSite == "Lax")
        #expect(cookie.path == "/")
        let setCookie = try #require(response.header("Set-Cookie"))
        #expect(!setCookie.lowercased().contains("secure"), "the test app serves plain http")

        let products = try browser.get("/admin/products", host: host)
        #expect(products.status == 200)
        #expect(products.pageText.contains("<h1>Products</h1>"))
        #expect(HTML.signedInEmail(in: products.text) == "owner@alpha.example")

        // The planted anonymous session was destroyed, not upgraded.
        let planted = try app.browser().get("/admin", host: host, headers: [("Cookie", "storefleet_session=\(anonymousCookie)")])
        #expect(planted.status == 303)
        #expect(planted.location?.hasPrefix("/admin/login") == true)
    }

    @Test func wrongPasswordKeepsTheEmail() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()

        let response = try postLogin(browser, email: "owner@alpha.example", password: "not the password")
        #expect(response.status == 422)
        #expect(response.pageText.contains("The email or password is not correct."))
        #expect(HTML.inputValue(named: "email", in: response.text) == "owner@alpha.example")
        #expect(!response.text.contains("not the password"))
        #expect(try browser.get("/admin", host: host).status == 303)

        let unknown = try postLogin(browser, email: "nobody@alpha.example", password: TestApp.ownerPassword)
        #expect(unknown.status == 422)
        #expect(unknown.pageText.contains("The email or password is not correct."))
        #expect(HTML.inputValue(named: "email", in: unknown.text) == "nobody@alpha.example")
    }

    @Test func emptyFieldsAreRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")

        let response = try postLogin(app.browser(), email: "owner@alpha.example", password: "")
        #expect(response.status == 422)
        #expect(response.pageText.contains("Enter your email and password."))
        #expect(HTML.inputValue(named: "email", in: response.text) == "owner@alpha.example")
    }

    @Test func repeatedFailuresAreThrottled() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()

        for attempt in 1...5 {
            let response = try postLogin(browser, email: "owner@alpha.example", password: "guess number \(attempt)")
            #expect(response.status == 422, "attempt \(attempt)")
            #expect(response.header("Retry-After") == nil)
        }

        let locked = try postLogin(browser, email: "owner@alpha.example", password: "guess number 6")
        #expect(locked.status == 429)
        let retryAfter = try #require(locked.header("Retry-After").flatMap(Int.init))
        #expect((1...900).contains(retryAfter))
        #expect(locked.pageText.contains("Too many failed logins. For your account's safety, try again in 15 minutes."))
        #expect(HTML.inputValue(named: "email", in: locked.text) == "owner@alpha.example")

        // While locked, even the right password is not checked.
        let rightButLocked = try postLogin(browser, email: "owner@alpha.example", password: TestApp.ownerPassword)
        #expect(rightButLocked.status == 429)
        #expect(try browser.get("/admin", host: host).status == 303)

        // The lock ends after its time.
        app.clock.advance(by: 16 * 60)
        let afterLock = try postLogin(browser, email: "owner@alpha.example", password: TestApp.ownerPassword)
        #expect(afterLock.status == 303)
        #expect(afterLock.location == "/admin")
    }

    @Test(arguments: [
        ("/admin/products?page=2", "/admin/products?page=2"),
        ("/admin/settings/general", "/admin/settings/general"),
        ("https://evil.example/admin", "/admin"),
        ("//evil.example/admin", "/admin"),
        ("/\\evil.example", "/admin"),
        ("/products/anything", "/admin"),
        ("", "/admin"),
        ("javascript:alert(1)", "/admin"),
        ("/admin\r\nSet-Cookie: planted=1", "/admin"),
    ])
    func nextGoesOnlyToLocalAdminPaths(next: String, expected: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")

        let response = try postLogin(app.browser(), email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword, next: next)
        #expect(response.status == 303)
        #expect(response.location == expected)
        #expect(response.header("Set-Cookie")?.contains("planted") != true)
    }

    @Test func emailIsMatchedWithoutCase() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")

        let response = try postLogin(app.browser(), email: "  OWNER@Alpha.Example ", password: TestApp.ownerPassword)
        #expect(response.status == 303)
        #expect(response.location == "/admin")
    }

    @Test func failedLoginKeepsTheNextPath() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()

        let failed = try postLogin(browser, email: TestApp.ownerEmail("alpha"), password: "wrong password", next: "/admin/staff")
        #expect(failed.status == 422)
        #expect(HTML.inputValue(named: "next", in: failed.text) == "/admin/staff")

        let retried = try browser.post("/admin/login", host: host, form: [
            ("csrf_token", try failed.csrfToken()), ("next", "/admin/staff"),
            ("email", TestApp.ownerEmail("alpha")), ("password", TestApp.ownerPassword),
        ])
        #expect(retried.status == 303)
        #expect(retried.location == "/admin/staff")
    }

    @Test func manyFailuresFromOneAddressLockEveryAccount() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()

        // Four failures on each of five accounts stay under the per-account limit of five but
        // reach the per-address limit of twenty.
        for account in 1...5 {
            for attempt in 1...4 {
                let response = try postLogin(browser, email: "guess\(account)@alpha.example", password: "guess \(attempt)")
                #expect(response.status == 422, "account \(account), attempt \(attempt)")
            }
        }
        let locked = try postLogin(browser, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
        #expect(locked.status == 429)
        #expect(locked.header("Retry-After") == "900")

        // The lock is the store's own: another store on the same server still lets the
        // address log in.
        try app.createStore("bravo")
        try browser.logIn(host: TestApp.host("bravo"), email: TestApp.ownerEmail("bravo"), password: TestApp.ownerPassword)
    }

    @Test func httpsPublicURLMakesCookiesSecure() throws {
        let app = try TestApp { configuration in configuration.publicURL = URL(string: "https://shop.test") }
        defer { app.stop() }
        try app.createStore("alpha")

        let form = try app.browser().get("/admin/login", host: host)
        let setCookie = try #require(form.header("Set-Cookie"))
        #expect(setCookie.contains("Secure"))
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Lax"))
    }

    @Test func adminPageSendsToLoginAndBack() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()

        let redirect = try browser.get("/admin/products?q=mug&sort=title", host: host)
        #expect(redirect.status == 303)
        #expect(redirect.location == "/admin/login?next=%2Fadmin%2Fproducts%3Fq%3Dmug%26sort%3Dtitle")

        let form = try browser.get(try #require(redirect.location), host: host)
        #expect(form.status == 200)
        #expect(HTML.inputValue(named: "next", in: form.text) == "/admin/products?q=mug&sort=title")
        #expect(!form.pageText.contains("Your session has expired"))

        let login = try browser.post("/admin/login", host: host, form: [
            ("csrf_token", try form.csrfToken()), ("next", "/admin/products?q=mug&sort=title"),
            ("email", TestApp.ownerEmail("alpha")), ("password", TestApp.ownerPassword),
        ])
        #expect(login.status == 303)
        #expect(login.location == "/admin/products?q=mug&sort=title")
        let products = try browser.get("/admin/products?q=mug&sort=title", host: host)
        #expect(products.status == 200)
        #expect(products.pageText.contains("No products match “mug”."))
    }

    @Test func signedInVisitorSkipsTheLoginForm() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        let response = try browser.get("/admin/login?next=%2Fadmin%2Fstaff", host: host)
        #expect(response.status == 303)
        #expect(response.location == "/admin/staff")
        let evil = try browser.get("/admin/login?next=https%3A%2F%2Fevil.example", host: host)
        #expect(evil.status == 303)
        #expect(evil.location == "/admin")
        let lineBreak = try browser.get("/admin/login?next=%2Fadmin%0D%0ASet-Cookie:%20planted=1", host: host)
        #expect(lineBreak.status == 303)
        #expect(lineBreak.location == "/admin")
    }

    @Test func logoutEndsTheSession() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let sessionCookie = try #require(browser.cookies.value("storefleet_session", forHost: host))

        let products = try browser.get("/admin/products", host: host)
        let logout = try browser.post("/admin/logout", host: host, form: [("csrf_token", try products.csrfToken())])
        #expect(logout.status == 303)
        #expect(logout.location == "/admin/login?logged_out=1")
        #expect(logout.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(browser.cookies.value("storefleet_session", forHost: host) == nil)

        let loggedOut = try browser.get("/admin/login?logged_out=1", host: host)
        #expect(loggedOut.status == 200)
        #expect(loggedOut.pageText.contains("You have logged out."))

        let afterwards = try app.browser().get("/admin", host: host, headers: [("Cookie", "storefleet_session=\(sessionCookie)")])
        #expect(afterwards.status == 303, "the old cookie must not work after logout")
        #expect(afterwards.location?.hasPrefix("/admin/login") == true)
    }

    @Test func logoutWithoutTokenIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        let response = try browser.post("/admin/logout", host: host, form: [])
        #expect(response.status == 403)
        #expect(try browser.get("/admin/products", host: host).status == 200)
    }

    @Test func unknownCookieShowsExpiredNotice() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()
        browser.cookies.set("storefleet_session", "no-such-session-token", forHost: host)

        let response = try browser.get("/admin/settings/general", host: host)
        #expect(response.status == 303)
        #expect(response.location == "/admin/login?next=%2Fadmin%2Fsettings%2Fgeneral&expired=1")

        let form = try browser.get(try #require(response.location), host: host)
        #expect(form.status == 200)
        #expect(form.pageText.contains("Your session has expired. Please log in again."))
        #expect(HTML.inputValue(named: "next", in: form.text) == "/admin/settings/general")
    }

    @Test func idleSessionExpires() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        #expect(try browser.get("/admin/products", host: host).status == 200)

        // Sessions end after 12 hours without a request.
        app.clock.advance(by: 13 * 60 * 60)
        let response = try browser.get("/admin", host: host)
        #expect(response.status == 303)
        #expect(response.location == "/admin/login?next=%2Fadmin&expired=1")
        let form = try browser.get(try #require(response.location), host: host)
        #expect(form.pageText.contains("Your session has expired. Please log in again."))

        try browser.logIn(host: host, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
        #expect(try browser.get("/admin/products", host: host).status == 200)
    }

    @Test func loginPostWithoutTokenIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = app.browser()
        _ = try browser.get("/admin/login", host: host)

        let response = try browser.post("/admin/login", host: host, form: [
            ("email", TestApp.ownerEmail("alpha")), ("password", TestApp.ownerPassword),
        ])
        #expect(response.status == 403)
        #expect(response.pageText.contains("This form has expired or was sent from another site, so nothing was changed."))
        #expect(try browser.get("/admin", host: host).status == 303)
    }
}
