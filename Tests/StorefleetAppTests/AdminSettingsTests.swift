import Commerce
import Foundation
import Testing

/// Settings › General through its form.
@Suite struct AdminSettingsTests {
    private let host = TestApp.host("alpha")

    private func submitSettings(_ browser: HTTPClient, name: String, email: String, currency: String, login: String) throws -> HTTPResponse {
        try browser.submit("/admin/settings/general", host: host, formPath: "/admin/settings/general", fields: [
            ("name", name), ("contact_email", email), ("currency", currency), ("customer_login", login),
        ])
    }

    @Test func formShowsTheCurrentSettings() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha", name: "Alpha Outfitters")
        let browser = try app.ownerBrowser("alpha")

        let page = try browser.get("/admin/settings", host: host)
        #expect(page.status == 303)
        #expect(page.location == "/admin/settings/general")
        let form = try browser.get("/admin/settings/general", host: host)
        #expect(form.status == 200)
        #expect(HTML.inputValue(named: "name", in: form.text) == "Alpha Outfitters")
        #expect(HTML.inputValue(named: "contact_email", in: form.text) == "owner@alpha.example")
        #expect(form.text.contains("<option value=\"USD\" selected>"))
        #expect(form.text.contains("<input type=\"radio\" name=\"customer_login\" value=\"disabled\" checked>"))
    }

    @Test func validValuesAreSaved() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.addProduct(store, title: "Trail Lantern", price: 4_500)
        let browser = try app.ownerBrowser("alpha")

        let response = try submitSettings(browser, name: "Alpine Supply Co.", email: "hello@alpine.example", currency: "eur", login: "optional")
        #expect(response.status == 303)
        #expect(response.location == "/admin/settings/general?saved=1")

        let settings = try app.settings(store)
        #expect(settings.storeName == "Alpine Supply Co.")
        #expect(settings.contactEmail == "hello@alpine.example")
        #expect(settings.currencyCode == "EUR")
        #expect(settings.customerLoginMode == .optional)
        #expect(try app.catalog.store(id: store.id)?.name == "Alpine Supply Co.")

        let saved = try browser.get("/admin/settings/general?saved=1", host: host)
        #expect(saved.pageText.contains("Settings saved."))
        #expect(HTML.inputValue(named: "name", in: saved.text) == "Alpine Supply Co.")
        #expect(saved.text.contains("<option value=\"EUR\" selected>"))
        #expect(saved.text.contains("<input type=\"radio\" name=\"customer_login\" value=\"optional\" checked>"))

        let home = try app.browser().get("/", host: host)
        #expect(home.pageText.contains("Alpine Supply Co."))
        #expect(home.pageText.contains("hello@alpine.example"))
        #expect(home.pageText.contains("€"))
    }

    @Test(arguments: ["disabled", "optional", "required"])
    func customerLoginOptionIsSaved(mode: String) throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        let browser = try app.ownerBrowser("alpha")

        let response = try submitSettings(browser, name: "Alpha Outfitters", email: "owner@alpha.example", currency: "USD", login: mode)
        #expect(response.status == 303)
        #expect(try app.settings(store).customerLoginMode.rawValue == mode)
        let form = try browser.get("/admin/settings/general", host: host)
        #expect(form.text.contains("<input type=\"radio\" name=\"customer_login\" value=\"\(mode)\" checked>"))
    }

    @Test func invalidEmailIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        let browser = try app.ownerBrowser("alpha")
        let before = try app.settings(store)

        let response = try submitSettings(browser, name: "Renamed Store", email: "not-an-email", currency: "EUR", login: "optional")
        #expect(response.status == 422)
        #expect(response.pageText.contains("Please correct the fields marked below."))
        let errors = HTML.fieldErrors("contact_email", in: response.text)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("Contact email") == true)
        #expect(HTML.inputValue(named: "contact_email", in: response.text) == "not-an-email")
        #expect(HTML.inputValue(named: "name", in: response.text) == "Renamed Store")
        #expect(try app.settings(store) == before)
        #expect(try app.catalog.store(id: store.id)?.name == "Alpha Outfitters")
    }

    @Test func unknownCurrencyIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let before = try app.settings(store)

        let response = try submitSettings(browser, name: "Store alpha", email: "owner@alpha.example", currency: "XYZ", login: "disabled")
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("currency", in: response.text) == ["Currency “XYZ” is not supported; choose one from the list."])
        #expect(try app.settings(store) == before)
    }

    @Test func unknownLoginOptionIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let before = try app.settings(store)

        let response = try submitSettings(browser, name: "Store alpha", email: "owner@alpha.example", currency: "USD", login: "everyone")
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("customer_login", in: response.text) == ["Choose one of the customer login options: disabled, optional or required."])
        #expect(try app.settings(store) == before)
    }

    @Test func everyInvalidSettingIsReportedOnce() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let before = try app.settings(store)

        let response = try submitSettings(browser, name: "", email: "not-an-email", currency: "XYZ", login: "everyone")
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("name", in: response.text) == ["Store name is required."])
        #expect(HTML.fieldErrors("contact_email", in: response.text).count == 1)
        #expect(HTML.fieldErrors("currency", in: response.text) == ["Currency “XYZ” is not supported; choose one from the list."])
        #expect(HTML.fieldErrors("customer_login", in: response.text) == ["Choose one of the customer login options: disabled, optional or required."])
        #expect(try app.settings(store) == before)
    }

    @Test func emptyNameIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        let browser = try app.ownerBrowser("alpha")

        let response = try submitSettings(browser, name: "  ", email: "owner@alpha.example", currency: "USD", login: "disabled")
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("name", in: response.text) == ["Store name is required."])
        #expect(try app.settings(store).storeName == "Alpha Outfitters")
    }

    @Test func currencyWithOtherDecimalsIsRejectedWhileProductsExist() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.addProduct(store, title: "Trail Lantern", price: 1_999)
        let browser = try app.ownerBrowser("alpha")

        let response = try submitSettings(browser, name: "Store alpha", email: "owner@alpha.example", currency: "JPY", login: "disabled")
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("currency", in: response.text).count == 1)
        #expect(try app.settings(store).currencyCode == "USD")
        #expect(try app.browser().get("/", host: host).pageText.contains("$19.99"))
    }
}
