import Commerce
import Foundation
import SQLite
import Testing
@testable import StorefleetApp
@testable import Tenancy

/// What shoppers and staff see when a store's trial ended, an operator suspended it, or its
/// file went missing.
@Suite struct StoreStatusTests {
    private let host = TestApp.host("alpha")

    /// Checks that the response is the unavailable page, whose heading and message are the
    /// English `error.unavailable.*` texts. The page names no store because it is rendered
    /// without the store's file, which may be what is broken.
    /// Checks the page of a closed store: the shoppers' message, or with `staffMessage`
    /// the one its staff get on the admin of a suspended store.
    private func expectUnavailablePage(_ response: HTTPResponse, staffMessage: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 503, sourceLocation: sourceLocation)
        #expect(response.pageText.contains("<h1>This store is unavailable</h1>"), sourceLocation: sourceLocation)
        let message = staffMessage ?? "This store is not open at the moment. Please try again later."
        #expect(response.pageText.contains("<p>\(message)</p>"), "\(response.pageText)", sourceLocation: sourceLocation)
        #expect(response.header("Retry-After") == "3600", sourceLocation: sourceLocation)
    }

    private static let suspendedMessage = "The platform's operator has suspended this store: its storefront and admin are closed, and nothing has been deleted. To reopen it, ask the operator of this platform."

    @Test func expiredTrialClosesTheStorefront() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.addProduct(store, title: "Trail Lantern", slug: "trail-lantern")
        let shopper = app.browser()
        #expect(try shopper.get("/", host: host).status == 200)

        app.clock.advance(by: Trial.length + 60)
        expectUnavailablePage(try shopper.get("/", host: host))
        let product = try shopper.get("/products/trail-lantern", host: host)
        expectUnavailablePage(product)
        #expect(!product.pageText.contains("Trail Lantern"))
        #expect(try app.catalog.store(id: store.id)?.status == .expired)

        // Nothing was deleted: the product is still in the store's file.
        #expect(try app.withProducts(store) { try $0.count() } == 1)
    }

    @Test func expiredTrialShowsTheTrialEndedPageInTheAdmin() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        app.clock.advance(by: Trial.length + 60)
        let browser = app.browser()

        let redirect = try browser.get("/admin", host: host)
        #expect(redirect.status == 303)
        #expect(redirect.location?.hasPrefix("/admin/login") == true)
        try browser.logIn(host: host, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)

        let endDate = try #require(store.trialEndsAt).formatted(Date.FormatStyle(
            date: .abbreviated, time: .omitted, locale: Locale(identifier: "en_US"), timeZone: TimeZone(identifier: "UTC")!
        ))
        for path in ["/admin", "/admin/products", "/admin/settings/general", "/admin/staff"] {
            let page = try browser.get(path, host: host)
            #expect(page.status == 402, "\(path)")
            #expect(page.pageText.contains("The free trial of Alpha Outfitters ended on \(endDate)."), "\(path)")
            #expect(page.pageText.contains("Contact Storefleet support to choose a plan and reopen the store."), "\(path)")
        }

        // An operator's activation reopens both sides on the next request.
        try app.catalog.activate(store.id, plan: .plus)
        #expect(try browser.get("/admin/products", host: host).status == 200)
        #expect(try app.browser().get("/", host: host).status == 200)
    }

    @Test func trialEndedPageOffersLogout() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")
        app.clock.advance(by: Trial.length + 60)
        let owner = try app.ownerBrowser("alpha")

        // The trial-ended page replaces every admin page, the sidebar's logout included.
        let page = try owner.get("/admin", host: host)
        #expect(page.status == 402)
        #expect(HTML.formActions(in: page.text) == ["/admin/logout"])
        #expect(HTML.signedInEmail(in: page.text) == TestApp.ownerEmail("alpha"))
        let loggedOut = try owner.post("/admin/logout", host: host, form: [("csrf_token", try page.csrfToken())])
        #expect(loggedOut.status == 303)
        #expect(loggedOut.location == "/admin/login?logged_out=1")

        let login = try owner.get("/admin/login?logged_out=1", host: host)
        #expect(login.status == 200)
        #expect(login.pageText.contains("You have logged out."))
        let admin = try owner.get("/admin", host: host)
        #expect(admin.status == 303)
        #expect(admin.location?.hasPrefix("/admin/login") == true)

        // A visitor who is not signed in gets admin error pages without the form.
        let missing = try app.browser().get("/admin/no-such-page", host: host)
        #expect(missing.status == 404)
        #expect(HTML.formActions(in: missing.text).isEmpty)
        #expect(HTML.signedInEmail(in: missing.text) == nil)
    }

    @Test func trialCountdownOnTheDashboard() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        app.clock.advance(by: 13 * 24 * 60 * 60 + 60)
        let browser = try app.ownerBrowser("alpha")

        let dashboard = try browser.get("/admin", host: host)
        #expect(dashboard.status == 200)
        #expect(dashboard.pageText.contains("Your free trial of the Plus plan ends in 1 day ("))
        #expect(dashboard.pageText.contains("To keep your store open after that, ask the operator of this platform to move it to a paid plan."))
    }

    /// With `--support-email`, the trial notice names the address to write to, as a mail link.
    @Test func trialNoticeNamesTheSupportAddress() throws {
        let app = try TestApp { $0.supportEmail = "help@platform.example" }
        defer { app.stop() }
        try app.createStore("alpha")
        let dashboard = try app.ownerBrowser("alpha").get("/admin", host: host)
        #expect(dashboard.visibleText.contains("To keep your store open after that, write to help@platform.example to move it to a paid plan."), "\(dashboard.visibleText)")
        #expect(HTML.links(in: dashboard.text).contains("mailto:help@platform.example"))
    }

    @Test func supportEmailOptionIsChecked() throws {
        func configuration(_ arguments: [String], _ environment: [String: String] = [:]) throws -> AppConfiguration {
            try AppConfiguration(options: ParsedOptions(arguments, specs: AppConfiguration.serveOptions, environment: environment))
        }
        #expect(try configuration([]).supportEmail == nil)
        #expect(try configuration(["--support-email", ""]).supportEmail == nil)
        #expect(throws: UsageError.self) { try configuration(["--support-email", "<ops@platform.example>"]) }
        #expect(try configuration(["--support-email", " help@platform.example "]).supportEmail == "help@platform.example")
        #expect(try configuration([], ["STOREFLEET_SUPPORT_EMAIL": "ops@platform.example"]).supportEmail == "ops@platform.example")
        let error = #expect(throws: UsageError.self) { try configuration(["--support-email", "not-an-address"]) }
        #expect(error?.description.contains("Option --support-email") == true, "\(String(describing: error))")
        #expect(error?.description.contains("support@example.com") == true)
    }

    @Test func suspendedStoreIsUnavailableOnBothSides() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.createStore("bravo", name: "Bravo Ceramics")
        let owner = try app.ownerBrowser("alpha")
        #expect(try owner.get("/admin/products", host: host).status == 200)

        try app.catalog.updateStatus(of: store.id, to: .suspended)
        expectUnavailablePage(try app.browser().get("/", host: host))
        // Staff learn why the admin is closed and whom to ask.
        expectUnavailablePage(try owner.get("/admin", host: host), staffMessage: Self.suspendedMessage)
        expectUnavailablePage(try owner.get("/admin/login", host: host), staffMessage: Self.suspendedMessage)
        let login = try owner.post("/admin/login", host: host, form: [
            ("email", TestApp.ownerEmail("alpha")), ("password", TestApp.ownerPassword),
        ])
        expectUnavailablePage(login, staffMessage: Self.suspendedMessage)

        // Other stores are unaffected.
        let bravo = try app.browser().get("/", host: TestApp.host("bravo"))
        #expect(bravo.status == 200)
        #expect(bravo.pageText.contains("Bravo Ceramics"))

        try app.catalog.updateStatus(of: store.id, to: .active)
        #expect(try owner.get("/admin/products", host: host).status == 200)
    }

    @Test func deletedFileGivesTheUnavailablePage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        let bravo = try app.createStore("bravo", name: "Bravo Ceramics")
        try app.addProduct(bravo, title: "Stoneware Mug")

        // Deleted before this process ever opened the store.
        try FileManager.default.removeItem(at: app.dataDirectory.appendingPathComponent("stores/\(alpha.id)"))
        let shopper = app.browser()
        expectUnavailablePage(try shopper.get("/", host: host))
        expectUnavailablePage(try shopper.get("/admin/login", host: host))
        #expect(!FileManager.default.fileExists(atPath: app.dataDirectory.appendingPathComponent("stores/\(alpha.id)/store.sqlite").path),
                "the app must not create an empty store file")

        let other = try shopper.get("/", host: TestApp.host("bravo"))
        #expect(other.status == 200)
        #expect(other.pageText.contains("Stoneware Mug"))
        let unavailableLines = app.log.filter { $0.contains("event=store.unavailable") }
        #expect(unavailableLines.contains { $0.contains(alpha.id) })
    }

    @Test func fileDeletedWhileOpenGivesTheUnavailablePage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.createStore("bravo", name: "Bravo Ceramics")
        let owner = try app.ownerBrowser("alpha")
        let shopper = app.browser()
        #expect(try shopper.get("/", host: host).status == 200)

        // The pool has the store open now. Its folder goes away behind the server's back.
        try FileManager.default.removeItem(at: app.dataDirectory.appendingPathComponent("stores/\(alpha.id)"))
        expectUnavailablePage(try shopper.get("/", host: host))
        expectUnavailablePage(try owner.get("/admin/products", host: host))
        expectUnavailablePage(try owner.get("/admin/login", host: host))
        #expect(try shopper.get("/", host: TestApp.host("bravo")).status == 200)
        let unavailableLines = app.log.filter { $0.contains("event=store.unavailable") }
        let alphaLines = unavailableLines.filter { $0.contains(alpha.id) }
        #expect(alphaLines.contains { $0.contains("is missing") })
    }

    @Test func restoredFileIsServedAgain() throws {
        let app = try TestApp()
        defer { app.stop() }
        let alpha = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.addProduct(alpha, title: "Trail Lantern")
        #expect(try app.browser().get("/", host: host).pageText.contains("Trail Lantern"))

        // A backup taken now, to which the restore adds a product the live file lacks.
        let backup = app.dataDirectory.appendingPathComponent("alpha-backup.sqlite").path
        try app.app.pool.withStore(alpha.id) { queue in
            try queue.writeWithoutTransaction { database in try database.execute("VACUUM INTO '\(backup)'") }
        }
        let restored = try Database(path: backup)
        try ProductStore(database: restored).create(ProductInput(title: "Camp Kettle", price: 2_000))
        try restored.close()

        let folder = app.dataDirectory.appendingPathComponent("stores/\(alpha.id)")
        try FileManager.default.removeItem(at: folder)
        #expect(try app.browser().get("/", host: host).status == 503)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("files"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: backup, toPath: folder.appendingPathComponent("store.sqlite").path)

        let home = try app.browser().get("/", host: host)
        #expect(home.status == 200)
        #expect(home.pageText.contains("Camp Kettle"))
        #expect(home.pageText.contains("Trail Lantern"))
    }

    @Test func halfCreatedStoreIsNotServed() throws {
        let app = try TestApp()
        defer { app.stop() }
        let now = app.clock.now()
        try app.catalog.insertProvisioningStore(StoreRecord(
            id: StoreID.generate(), slug: "alpha", name: "Alpha Outfitters", plan: .plus, status: .trialing,
            trialEndsAt: Trial.end(startingAt: now), ownerEmail: "owner@alpha.example",
            createdAt: now, lastActiveAt: nil, state: .provisioning, damage: nil
        ))

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 404)
        #expect(response.pageText.contains("No store at this address"))
        #expect(try app.browser().get("/admin/login", host: host).status == 404)
    }

    @Test func storeMarkedDamagedIsUnavailable() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.catalog.markDamaged(store.id, note: "The file is unreadable. Restore it from the latest backup.")

        let response = try app.browser().get("/", host: host)
        #expect(response.status == 503)
        #expect(response.pageText.contains("This store is unavailable"))
        #expect(!response.pageText.contains("Restore it from the latest backup"), "operator notes stay private")

        try app.catalog.markRepaired(store.id)
        #expect(try app.browser().get("/", host: host).status == 200)
    }
}
