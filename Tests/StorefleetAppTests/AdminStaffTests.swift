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

    /// Returns the token of the invitation link in the staff page's link card, after checking
    /// that the link leads to this store's invitation page on the port the app listens on.
    private func invitationToken(_ page: HTTPResponse, _ app: TestApp) throws -> String {
        let link = try #require(HTML.inputValue(id: "invitation-url", in: page.text), "no invitation link on a \(page.status) page")
        let prefix = "http://\(host):\(app.port)/admin/invitations/"
        try #require(link.hasPrefix(prefix), "\(link)")
        return String(link.dropFirst(prefix.count))
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
        #expect(HTML.signedInEmail(in: products.text) == "sam@alpha.example")
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

    @Test func existingMemberCannotBeAddedAgain() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", plan: .pro)
        let owner = try app.ownerBrowser("alpha")

        let invited = try addStaff(owner, name: "Owner Again", email: "OWNER@alpha.example", password: "")
        #expect(invited.status == 422)
        #expect(HTML.fieldErrors("email", in: invited.text).count == 1)
        let added = try addStaff(owner, name: "Owner Again", email: TestApp.ownerEmail("alpha"), password: staffPassword)
        #expect(added.status == 422)
        #expect(HTML.fieldErrors("email", in: added.text).count == 1)
        #expect(try owner.get("/admin/staff", host: host).pageText.contains("1 of 5 accounts used"))
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

    @Test func staffMemberCannotChangeSettings() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", plan: .pro)
        let owner = try app.ownerBrowser("alpha")
        #expect(try addStaff(owner, name: "Sam Clerk", email: "sam@alpha.example", password: staffPassword).status == 303)
        let staff = app.browser()
        try staff.logIn(host: host, email: "sam@alpha.example", password: staffPassword)
        let before = try app.settings(store)

        // Staff work with products and orders, but the settings, where the bank details
        // shoppers pay to are kept, are the owner's.
        let dashboard = try staff.get("/admin", host: host)
        #expect(dashboard.status == 200)
        #expect(!dashboard.text.contains(">Settings</a>"))
        #expect(!dashboard.text.contains(">Store settings</a>"))
        #expect(try staff.get("/admin/products", host: host).status == 200)
        #expect(try staff.get("/admin/orders", host: host).status == 200)
        for path in ["/admin/settings/general", "/admin/settings/payments", "/admin/settings/shipping", "/admin/settings/shipping/new", "/admin/settings/orders"] {
            let page = try staff.get(path, host: host)
            #expect(page.status == 403, "\(path)")
            #expect(page.pageText.contains("Only the store owner can change"), "\(path)")
        }
        let refused = try staff.post("/admin/settings/general", host: host, form: [
            ("csrf_token", try dashboard.csrfToken()), ("name", "Sam's Store"), ("contact_email", "sam@alpha.example"),
            ("currency", "USD"), ("customer_login", "disabled"),
        ])
        #expect(refused.status == 403)
        #expect(try app.settings(store) == before)
        let payment = try staff.post("/admin/settings/payments/1", host: host, form: [
            ("csrf_token", try dashboard.csrfToken()), ("name", "Bank transfer"), ("instructions", "Pay to my account"), ("enabled", "1"),
        ])
        #expect(payment.status == 403)

        // The owner still has them.
        #expect(try owner.get("/admin/settings/payments", host: host).status == 200)
        #expect(try owner.get("/admin", host: host).text.contains(">Settings</a>"))
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
        #expect(refused.pageText.contains("Only the store owner can change the staff members."))

        let removeOwner = try staff.post("/admin/staff/1/remove", host: host, form: [("csrf_token", try page.csrfToken())])
        #expect(removeOwner.status == 403)

        let list = try owner.get("/admin/staff", host: host)
        #expect(!list.pageText.contains("eve@alpha.example"))
        #expect(list.pageText.contains("2 of 5 accounts used"))
    }

    @Test func invitationLinkCreatesAnAccount() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")
        let owner = try app.ownerBrowser("alpha")

        // On the Plus plan the first invitation takes the last of two places, so the page
        // hides the add form; the link has a card of its own above the table.
        let invited = try addStaff(owner, name: "Ivy Invitee", email: "ivy@alpha.example", password: "")
        #expect(invited.status == 200)
        #expect(invited.pageText.contains("Invitation mailed to ivy@alpha.example. The link is also below, in case the mail does not arrive."))
        #expect(invited.pageText.contains("2 of 2 accounts used"))
        #expect(invited.pageText.contains("Your Plus plan allows 2 staff accounts. Remove one or upgrade the plan to add more."))
        #expect(!invited.pageText.contains("Add a staff member"))
        let token = try invitationToken(invited, app)
        #expect(token.count >= 16)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "\(token)")
        #expect(invited.text.components(separatedBy: "/admin/invitations/").count == 2, "the link is shown once")
        #expect(invited.pageText.contains("It works once and expires in 7 days."))

        // The invitee gets the same link by mail, queued with the invitation.
        let store = try #require(try app.app.catalog.store(slug: "alpha"))
        let mails = try app.app.pool.withStore(store.id) { queue in
            try queue.read { database in
                try database.query("SELECT to_address, subject, text_body, kind FROM outbox") { row in
                    (try row.get("to_address", as: String.self), try row.get("subject", as: String.self),
                     try row.get("text_body", as: String.self), try row.get("kind", as: String.self))
                }
            }
        }
        #expect(mails.count == 1)
        let mail = try #require(mails.first)
        #expect(mail.0 == "ivy@alpha.example")
        #expect(mail.1 == "Join Alpha Outfitters on Storefleet")
        #expect(mail.2.contains("Hello Ivy Invitee,"))
        #expect(mail.2.contains("http://\(host):\(app.port)/admin/invitations/\(token)"))
        #expect(mail.3 == "staff_invitation")

        // The link is not shown again; the list shows the invitation's expiry, 7 days on.
        let listed = try owner.get("/admin/staff", host: host)
        #expect(HTML.inputValue(id: "invitation-url", in: listed.text) == nil)
        #expect(!listed.text.contains("/admin/invitations/"))
        #expect(listed.pageText.contains("ivy@alpha.example"))
        #expect(listed.pageText.contains("Invited"))
        let expiry = app.clock.now().addingTimeInterval(7 * 24 * 60 * 60).formatted(Date.FormatStyle(
            date: .abbreviated, time: .omitted, locale: Locale(identifier: "en_US"), timeZone: TimeZone(identifier: "UTC")!
        ))
        #expect(listed.pageText.contains("Invitation expires \(expiry)"))
        #expect(listed.pageText.contains("2 of 2 accounts used"), "a pending invitation holds a place")

        let invitee = app.browser()
        let form = try invitee.get("/admin/invitations/\(token)", host: host)
        #expect(form.status == 200)
        #expect(form.pageText.contains("Join Alpha Outfitters"))
        #expect(form.pageText.contains("Choose a password for ivy@alpha.example."))

        let short = try invitee.post("/admin/invitations/\(token)", host: host, form: [("csrf_token", try form.csrfToken()), ("password", "short")])
        #expect(short.status == 422)
        #expect(HTML.fieldErrors("password", in: short.text).count >= 1)

        let accepted = try invitee.post("/admin/invitations/\(token)", host: host, form: [("csrf_token", try form.csrfToken()), ("password", "ivy's own password")])
        #expect(accepted.status == 303)
        #expect(accepted.location == "/admin/login?joined=1")
        let loginPage = try invitee.get("/admin/login?joined=1", host: host)
        #expect(loginPage.pageText.contains("Your account is ready. Log in with your email and new password."))
        try invitee.logIn(host: host, email: "ivy@alpha.example", password: "ivy's own password")
        #expect(HTML.signedInEmail(in: try invitee.get("/admin/products", host: host).text) == "ivy@alpha.example")

        // The link works once.
        let reused = try app.browser().get("/admin/invitations/\(token)", host: host)
        #expect(reused.status == 404)
        #expect(reused.pageText.contains("This invitation link is invalid or has expired. Ask the store owner for a new one."))
        let members = try owner.get("/admin/staff", host: host)
        #expect(members.pageText.contains("2 of 2 accounts used"))
        #expect(!members.pageText.contains("Invited</span>"))
    }

    @Test func invitationLinkBelowTheLimitIsShownOnce() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", plan: .pro)
        let owner = try app.ownerBrowser("alpha")

        let invited = try addStaff(owner, name: "Ivy Invitee", email: "ivy@alpha.example", password: "")
        #expect(invited.status == 200)
        #expect(try invitationToken(invited, app).count >= 16)
        #expect(invited.text.components(separatedBy: "/admin/invitations/").count == 2)
        #expect(invited.pageText.contains("2 of 5 accounts used"))
        #expect(invited.pageText.contains("Add a staff member"))
        #expect(HTML.inputValue(named: "email", in: invited.text) == "", "the form is empty for the next member")
    }

    @Test func invitationOfAnotherStoreIsInvalid() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        try app.createStore("bravo")
        let owner = try app.ownerBrowser("alpha")
        let invited = try addStaff(owner, name: "Ivy Invitee", email: "ivy@alpha.example", password: "")
        let token = try invitationToken(invited, app)
        #expect(try app.browser().get("/admin/invitations/\(token)", host: host).status == 200)

        let elsewhere = try app.browser().get("/admin/invitations/\(token)", host: TestApp.host("bravo"))
        #expect(elsewhere.status == 404)
        #expect(elsewhere.pageText.contains("This invitation link is invalid or has expired."))
    }

    @Test func revokedInvitationFreesItsPlace() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let owner = try app.ownerBrowser("alpha")
        let invited = try addStaff(owner, name: "Ivy Invitee", email: "ivy@alpha.example", password: "")
        let token = try invitationToken(invited, app)

        let page = try owner.get("/admin/staff", host: host)
        let revokeAction = try #require(HTML.tags("form", in: page.text).compactMap { HTML.attribute("action", of: $0) }.first { $0.hasSuffix("/revoke") })
        let revoked = try owner.post(revokeAction, host: host, form: [("csrf_token", try page.csrfToken())])
        #expect(revoked.status == 303)
        let after = try owner.get("/admin/staff?revoked=1", host: host)
        #expect(after.pageText.contains("Invitation revoked."))
        #expect(after.pageText.contains("1 of 2 accounts used"))
        #expect(try app.browser().get("/admin/invitations/\(token)", host: host).status == 404)
    }
}
