import Foundation
import Testing

/// Staff accounts: the owner adds and removes them within the plan's limit, or invites them.
@Suite struct AdminStaffTests {
    private let host = TestApp.host("alpha")
    private let staffPassword = "staff member password"

    private func addStaff(_ owner: HTTPClient, name: String, email: String, password: String) throws -> HTTPResponse {
        try owner.submit("/admin/staff", host: host, formPath: "/admin/staff", fields: [
            ("name", name), ("email", email), ("password", password),
        ])
    }

    @Test func ownerAddsStaffUpToThePlanLimit() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", plan: .plus)
        let owner = try app.ownerBrowser("alpha")

        let empty = try owner.get("/admin/staff", host: host)
        #expect(empty.status == 200)
        #expect(empty.pageText.contains("1 of 2 accounts used"))
        #expect(empty.pageText.contains("Add a staff member"))

        let added = try addStaff(owner, name: "Sam Clerk", email: "sam@alpha.example", password: staffPassword)
        #expect(added.status == 303)
        #expect(added.location == "/admin/staff?added=1")

        let full = try owner.get("/admin/staff?added=1", host: host)
        #expect(full.pageText.contains("Staff member added. They can log in now."))
        #expect(full.pageText.contains("sam@alpha.example"))
        #expect(full.pageText.contains("2 of 2 accounts used"))
        #expect(full.pageText.contains("Your Plus plan allows 2 staff accounts. Remove one or upgrade the plan to add more."))
        #expect(!full.pageText.contains("Add a staff member"))

        // A form posted anyway, for example from a tab opened earlier, is refused, and the
        // page explains the limit in place of the form.
        let refused = try owner.post("/admin/staff", host: host, form: [
            ("csrf_token", try full.csrfToken()), ("name", "Tia Third"), ("email", "tia@alpha.example"), ("password", staffPassword),
        ])
        #expect(refused.status == 422)
        #expect(refused.pageText.contains("Your Plus plan allows 2 staff accounts. Remove one or upgrade the plan to add more."))
        #expect(!refused.pageText.contains("tia@alpha.example</td>"))
        let afterRefusal = try owner.get("/admin/staff", host: host)
        #expect(!afterRefusal.pageText.contains("tia@alpha.example"))
        #expect(afterRefusal.pageText.contains("2 of 2 accounts used"))

        // The new member can log in.
        let staff = app.browser()
        try staff.logIn(host: host, email: "sam@alpha.example", password: staffPassword)
        let products = try staff.get("/admin/products", host: host)
        #expect(products.status == 200)
        #expect(products.pageText.contains("Log out (sam@alpha.example)"))
    }

    @Test func invalidStaffFormKeepsValues() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let owner = try app.ownerBrowser("alpha")

        let response = try addStaff(owner, name: "Sam Clerk", email: "sam-at-alpha", password: staffPassword)
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("email", in: response.text).count == 1)
        #expect(HTML.inputValue(named: "name", in: response.text) == "Sam Clerk")
        #expect(HTML.inputValue(named: "email", in: response.text) == "sam-at-alpha")
        #expect(response.pageText.contains("1 of 2 accounts used"))

        let short = try addStaff(owner, name: "Sam Clerk", email: "sam@alpha.example", password: "short")
        #expect(short.status == 422)
        #expect(HTML.fieldErrors("password", in: short.text).count >= 1)
        #expect(!short.text.contains("value=\"short\""))
    }

    @Test func ownerRemovesStaffAndTheirSessionEnds() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let owner = try app.ownerBrowser("alpha")
        #expect(try addStaff(owner, name: "Sam Clerk", email: "sam@alpha.example", password: staffPassword).status == 303)
        let staff = app.browser()
        try staff.logIn(host: host, email: "sam@alpha.example", password: staffPassword)

        let page = try owner.get("/admin/staff", host: host)
        let removeForm = try #require(HTML.tags("form", in: page.text).compactMap { HTML.attribute("action", of: $0) }.first { $0.hasSuffix("/remove") })
        let removed = try owner.post(removeForm, host: host, form: [("csrf_token", try page.csrfToken())])
        #expect(removed.status == 303)
        #expect(removed.location == "/admin/staff?removed=1")

        let after = try owner.get("/admin/staff?removed=1", host: host)
        #expect(after.pageText.contains("Staff member removed."))
        #expect(!after.pageText.contains("sam@alpha.example"))
        #expect(after.pageText.contains("1 of 2 accounts used"))

        let locked = try staff.get("/admin", host: host)
        #expect(locked.status == 303)
        #expect(locked.location?.hasPrefix("/admin/login") == true)
        let form = try staff.get("/admin/login", host: host)
        let login = try staff.post("/admin/login", host: host, form: [
            ("csrf_token", try form.csrfToken()), ("email", "sam@alpha.example"), ("password", staffPassword),
        ])
        #expect(login.status == 422)
    }

    @Test func ownerCannotBeRemoved() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let owner = try app.ownerBrowser("alpha")
        let page = try owner.get("/admin/staff", host: host)
        #expect(!page.text.contains("/remove\""), "the owner's row has no remove button")

        // The owner is the first account of a new store.
        let response = try owner.post("/admin/staff/1/remove", host: host, form: [("csrf_token", try page.csrfToken())])
        #expect(response.status == 409)
        #expect(response.pageText.contains("The store owner cannot be removed."))
        #expect(try owner.get("/admin/products", host: host).status == 200)
    }

    @Test func staffMemberCannotManageStaff() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", plan: .pro)
        let owner = try app.ownerBrowser("alpha")
        #expect(try addStaff(owner, name: "Sam Clerk", email: "sam@alpha.example", password: staffPassword).status == 303)
        let staff = app.browser()
        try staff.logIn(host: host, email: "sam@alpha.example", password: staffPassword)

        let page = try staff.get("/admin/staff", host: host)
        #expect(page.status == 200)
        #expect(page.pageText.contains("Only the store owner can add or remove staff."))
        #expect(!page.pageText.contains("Add a staff member"))

        let refused = try staff.post("/admin/staff", host: host, form: [
            ("csrf_token", try page.csrfToken()), ("name", "Eve"), ("email", "eve@alpha.example"), ("password", staffPassword),
        ])
        #expect(refused.status == 403)
        #expect(refused.pageText.contains("Only the store owner can add or remove staff members."))

        let removeOwner = try staff.post("/admin/staff/1/remove", host: host, form: [("csrf_token", try page.csrfToken())])
        #expect(removeOwner.status == 403)

        let list = try owner.get("/admin/staff", host: host)
        #expect(!list.pageText.contains("eve@alpha.example"))
        #expect(list.pageText.contains("2 of 5 accounts used"))
    }
}
