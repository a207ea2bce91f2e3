import Foundation
import Testing

/// The signed-in member's own account page: changing the password.
@Suite struct AdminAccountTests {
    private let host = TestApp.host("alpha")

    private func change(_ browser: HTTPClient, current: String, new: String, confirm: String) throws -> HTTPResponse {
        try browser.submit("/admin/account/password", host: host, formPath: "/admin/account", fields: [
            ("current_password", current), ("new_password", new), ("confirm_password", confirm),
        ])
    }

    /// A new store's owner is named "Owner", the role's own name, which the page shows once.
    @Test func accountPageNamesTheMember() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let page = try app.ownerBrowser("alpha").get("/admin/account", host: host)
        #expect(page.status == 200)
        #expect(page.visibleText.contains("\(TestApp.ownerEmail("alpha")) · Owner"), "\(page.visibleText)")
        #expect(!page.visibleText.contains("Owner · \(TestApp.ownerEmail("alpha"))"), "\(page.visibleText)")
    }

    @Test func passwordChangeNeedsTheCurrentPassword() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        let wrong = try change(browser, current: "not the password", new: "a brand new password", confirm: "a brand new password")
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("The current password is not correct."))

        let mismatch = try change(browser, current: TestApp.ownerPassword, new: "a brand new password", confirm: "another new password")
        #expect(mismatch.status == 422)
        #expect(mismatch.text.contains("The two new passwords do not match"))

        let short = try change(browser, current: TestApp.ownerPassword, new: "short", confirm: "short")
        #expect(short.status == 422)
        #expect(short.text.contains("at least 10 characters"))

        try app.browser().logIn(host: host, email: TestApp.ownerEmail("alpha"), password: TestApp.ownerPassword)
    }

    @Test func changedPasswordSignsInAndOldOneDoesNot() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let other = try app.ownerBrowser("alpha")

        let changed = try change(browser, current: TestApp.ownerPassword, new: "a brand new password", confirm: "a brand new password")
        #expect(changed.status == 303)
        #expect(changed.location == "/admin/account?changed=1")
        #expect(try browser.get("/admin", host: host).status == 200)
        #expect(try other.get("/admin", host: host).status == 303)

        let rejected = try app.browser().submit("/admin/login", host: host, formPath: "/admin/login", fields: [
            ("email", TestApp.ownerEmail("alpha")), ("password", TestApp.ownerPassword),
        ])
        #expect(rejected.status == 422)

        try app.browser().logIn(host: host, email: TestApp.ownerEmail("alpha"), password: "a brand new password")
    }
}
