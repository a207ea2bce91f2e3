import Commerce
import Foundation
import Testing

/// Settings › Shipping, Payments and Orders through their forms.
@Suite struct AdminOrdersSettingsTests {
    /// The shipping form's fields as a browser sends them: unticked boxes are left out.
    private func shippingFields(
        name: String, price: String, freeFrom: String = "", countries: [String]? = nil, active: Bool = true, position: String = "0"
    ) -> [(String, String)] {
        var fields = [("name", name), ("price", price), ("free_from", freeFrom), ("position", position)]
        fields.append(("countries_mode", countries == nil ? "all" : "only"))
        for code in countries ?? [] {
            fields.append(("countries", code))
        }
        if active { fields.append(("active", "1")) }
        return fields
    }

    private func shippingMethods(_ shop: OrderShop) throws -> [ShippingMethod] {
        try shop.write { database, _ in try ShippingMethodStore(database: database).list() }
    }

    private func paymentMethod(_ shop: OrderShop, _ kind: PaymentMethodKind) throws -> PaymentMethod {
        try #require(try shop.write { database, _ in try PaymentMethodStore(database: database).find(kind: kind) })
    }

    // MARK: - Shipping

    @Test func shippingListShowsMethods() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let page = try browser.get("/admin/settings/shipping", host: shop.host)
        #expect(page.status == 200)
        let text = page.visibleText
        #expect(text.contains("Settings › Shipping"))
        #expect(text.contains("Standard $5.00 $100.00 Portugal, Spain Active 1"))
        #expect(page.text.contains("<a href=\"/admin/settings/shipping\" class=\"current\" aria-current=\"page\">Shipping</a>"))
        #expect(HTML.links(in: page.text).contains("/admin/settings/shipping/\(shop.standard.id)/edit"))
    }

    @Test func shippingMethodCreatedEditedDeleted() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let form = try browser.get("/admin/settings/shipping/new", host: shop.host)
        #expect(form.status == 200)
        #expect(form.pageText.contains("Price (USD)"))
        #expect(form.text.contains("<input type=\"checkbox\" name=\"countries\" value=\"FR\">"))

        let created = try browser.submit("/admin/settings/shipping", host: shop.host, formPath: "/admin/settings/shipping/new", fields: shippingFields(
            name: "  Express  ", price: "1,234.5", freeFrom: "$250", countries: ["fr", "DE"], position: "3"
        ))
        #expect(created.status == 303)
        #expect(created.location == "/admin/settings/shipping?saved=1")
        let express = try #require(try shippingMethods(shop).first { $0.name == "Express" })
        #expect(express.price == 123_450)
        #expect(express.freeFromSubtotal == 25_000)
        #expect(express.countries == .only(["DE", "FR"]))
        #expect(express.isActive)
        #expect(express.position == 3)

        let list = try browser.get("/admin/settings/shipping?saved=1", host: shop.host)
        #expect(list.pageText.contains("Shipping method saved."))
        #expect(list.visibleText.contains("Express $1,234.50 $250.00 France, Germany Active 3"))

        let edit = try browser.get("/admin/settings/shipping/\(express.id)/edit", host: shop.host)
        #expect(HTML.inputValue(named: "price", in: edit.text) == "1234.50")
        #expect(HTML.inputValue(named: "free_from", in: edit.text) == "250.00")
        #expect(edit.text.contains("<input type=\"checkbox\" name=\"countries\" value=\"FR\" checked>"))
        #expect(edit.text.contains("<input type=\"radio\" name=\"countries_mode\" value=\"only\" checked>"))

        let updated = try browser.submit("/admin/settings/shipping/\(express.id)", host: shop.host, formPath: "/admin/settings/shipping/\(express.id)/edit", fields: shippingFields(
            name: "Express", price: "0", active: false, position: "4"
        ))
        #expect(updated.status == 303)
        let changed = try #require(try shippingMethods(shop).first { $0.id == express.id })
        #expect(changed.price == 0)
        #expect(changed.freeFromSubtotal == nil)
        #expect(changed.countries == .all)
        #expect(!changed.isActive)
        let afterUpdate = try browser.get("/admin/settings/shipping", host: shop.host)
        #expect(afterUpdate.visibleText.contains("Express Free Never All countries Inactive 4"))

        let deleted = try browser.submit("/admin/settings/shipping/\(express.id)/delete", host: shop.host, formPath: "/admin/settings/shipping/\(express.id)/edit", fields: [])
        #expect(deleted.status == 303)
        #expect(deleted.location == "/admin/settings/shipping?deleted=1")
        #expect(try shippingMethods(shop).map(\.id) == [shop.standard.id])
        let deletedPage = try browser.get("/admin/settings/shipping/\(express.id)/edit", host: shop.host)
        #expect(deletedPage.status == 404)
    }

    @Test func shippingFormReportsEveryInvalidField() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let response = try browser.submit("/admin/settings/shipping", host: shop.host, formPath: "/admin/settings/shipping/new", fields: shippingFields(
            name: " ", price: "12.345", freeFrom: "ten", countries: [], position: "first"
        ))
        #expect(response.status == 422)
        #expect(response.pageText.contains("Please correct the fields marked below."))
        #expect(HTML.fieldErrors("name", in: response.text) == ["Name is required, for example Standard delivery."])
        #expect(HTML.fieldErrors("price", in: response.text) == [
            "Price: “12.345” has too many digits after the decimal separator: USD amounts have at most 2; enter an amount such as 1234.50.",
        ])
        #expect(HTML.fieldErrors("free_from", in: response.text) == [
            "Free shipping from: “ten” contains “t”, which is not part of an amount; enter digits with an optional decimal separator, such as 1234.50.",
        ])
        #expect(HTML.fieldErrors("countries_mode", in: response.text) == ["Choose at least one country, or choose all countries."])
        #expect(HTML.fieldErrors("position", in: response.text) == ["Position must be a whole number such as 0 or 10, not “first”."])
        // What was typed is shown again.
        #expect(HTML.inputValue(named: "price", in: response.text) == "12.345")
        #expect(HTML.inputValue(named: "free_from", in: response.text) == "ten")
        #expect(response.text.contains("<input type=\"radio\" name=\"countries_mode\" value=\"only\" checked>"))

        let negative = try browser.submit("/admin/settings/shipping", host: shop.host, formPath: "/admin/settings/shipping/new", fields: shippingFields(
            name: "Cheap", price: "-5", countries: ["XX"]
        ))
        #expect(negative.status == 422)
        #expect(HTML.fieldErrors("price", in: negative.text) == ["Price must be 0 or more."])
        #expect(HTML.fieldErrors("countries_mode", in: negative.text).first?.contains("“XX” is not an ISO 3166-1 country code") == true)
        #expect(try shippingMethods(shop).count == 1)
    }

    @Test func shippingPriceReadInStoreCurrency() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        try shop.write { database, _ in
            var settings = try StoreSettings.load(from: database)
            settings.currencyCode = "EUR"
            try settings.save(to: database)
        }
        let browser = try shop.owner()

        let form = try browser.get("/admin/settings/shipping/new", host: shop.host)
        #expect(form.pageText.contains("Price (EUR)"))
        let created = try browser.submit("/admin/settings/shipping", host: shop.host, formPath: "/admin/settings/shipping/new", fields: shippingFields(
            name: "Paquete", price: "4,95", freeFrom: "1.000,00"
        ))
        #expect(created.status == 303)
        let method = try #require(try shippingMethods(shop).first { $0.name == "Paquete" })
        #expect(method.price == 495)
        #expect(method.freeFromSubtotal == 100_000)
    }

    // MARK: - Payments

    @Test func paymentsPageListsTheThreeMethods() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let page = try browser.get("/admin/settings/payments", host: shop.host)
        #expect(page.status == 200)
        let actions = HTML.formActions(in: page.text).filter { $0.hasPrefix("/admin/settings/payments/") }
        #expect(actions.count == 3)
        #expect(page.visibleText.contains("Bank transfer Enabled"))
        #expect(page.visibleText.contains("Cash on delivery Enabled"))
        #expect(page.visibleText.contains("Pay in store Disabled"))
        #expect(page.pageText.contains(OrderShop.bankInstructions))
    }

    @Test func bankTransferNeedsInstructions() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let bank = shop.bankTransfer
        let browser = try shop.owner()

        let rejected = try browser.submit("/admin/settings/payments/\(bank.id)", host: shop.host, formPath: "/admin/settings/payments", fields: [
            ("enabled", "1"), ("name", "Transferencia"), ("instructions", "   "), ("position", "x"),
        ])
        #expect(rejected.status == 422)
        #expect(rejected.pageText.contains("Bank transfer was not saved. Correct the fields marked below."))
        #expect(HTML.fieldErrors("instructions", in: rejected.text) == [
            "Instructions are required to enable Transferencia: write what shoppers need to pay, such as the account holder, IBAN and BIC.",
        ])
        #expect(HTML.fieldErrors("position", in: rejected.text) == ["Position must be a whole number such as 0 or 10, not “x”."])
        // Each field with an error names its messages for screen readers.
        #expect(rejected.text.contains("name=\"instructions\" aria-invalid=\"true\" aria-describedby=\"instructions-\(bank.id)-error\">"))
        #expect(rejected.text.contains("<span class=\"field-errors\" id=\"instructions-\(bank.id)-error\">"))
        #expect(rejected.text.contains("<span class=\"field-errors\" id=\"position-\(bank.id)-error\">"))
        #expect(HTML.inputValue(named: "name", in: rejected.text) == "Transferencia")
        // Nothing was written, position error or not.
        let stored = try paymentMethod(shop, .bankTransfer)
        #expect(stored.name == "Bank transfer")
        #expect(stored.instructions == OrderShop.bankInstructions)

        let saved = try browser.submit("/admin/settings/payments/\(bank.id)", host: shop.host, formPath: "/admin/settings/payments", fields: [
            ("enabled", "1"), ("name", "Transferencia"), ("instructions", "IBAN ES00 0000\nBIC ABCDESMM"), ("position", "5"),
        ])
        #expect(saved.status == 303)
        #expect(saved.location == "/admin/settings/payments?saved=1#payment-\(bank.id)")
        let updated = try paymentMethod(shop, .bankTransfer)
        #expect(updated.name == "Transferencia")
        #expect(updated.instructions == "IBAN ES00 0000\nBIC ABCDESMM")
        #expect(updated.position == 5)
        #expect(updated.isEnabled)

        // Disabled, a bank transfer may have no instructions.
        let disabled = try browser.submit("/admin/settings/payments/\(bank.id)", host: shop.host, formPath: "/admin/settings/payments", fields: [
            ("name", "Transferencia"), ("instructions", ""), ("position", "5"),
        ])
        #expect(disabled.status == 303)
        #expect(try paymentMethod(shop, .bankTransfer).isEnabled == false)
    }

    @Test func payInStoreEnabledAndCashDisabled() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()
        let payInStore = try paymentMethod(shop, .payInStore)

        let enabled = try browser.submit("/admin/settings/payments/\(payInStore.id)", host: shop.host, formPath: "/admin/settings/payments", fields: [
            ("enabled", "1"), ("name", "Pay when you collect"), ("instructions", ""), ("position", "3"),
        ])
        #expect(enabled.status == 303)
        let disabled = try browser.submit("/admin/settings/payments/\(shop.cashOnDelivery.id)", host: shop.host, formPath: "/admin/settings/payments", fields: [
            ("name", "Cash on delivery"), ("instructions", ""), ("position", "2"),
        ])
        #expect(disabled.status == 303)

        #expect(try paymentMethod(shop, .payInStore).isEnabled)
        #expect(try paymentMethod(shop, .payInStore).name == "Pay when you collect")
        #expect(try paymentMethod(shop, .cashOnDelivery).isEnabled == false)
        let page = try browser.get("/admin/settings/payments?saved=1", host: shop.host)
        #expect(page.pageText.contains("Payment method saved."))
        #expect(page.visibleText.contains("Cash on delivery Disabled"))
        #expect(page.visibleText.contains("Pay in store Enabled"))

        let unknown = try browser.submit("/admin/settings/payments/999", host: shop.host, formPath: "/admin/settings/payments", fields: [("name", "X")])
        #expect(unknown.status == 404)
    }

    // MARK: - Orders

    @Test func abandonmentWindowSaved() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let form = try browser.get("/admin/settings/orders", host: shop.host)
        #expect(form.status == 200)
        #expect(HTML.inputValue(named: "abandon_after_days", in: form.text) == "7")

        let saved = try browser.submit("/admin/settings/orders", host: shop.host, formPath: "/admin/settings/orders", fields: [("abandon_after_days", " 14 ")])
        #expect(saved.status == 303)
        #expect(saved.location == "/admin/settings/orders?saved=1")
        #expect(try shop.write { database, _ in try OrderSettings.load(from: database) }.abandonAfterDays == 14)
        let page = try browser.get("/admin/settings/orders?saved=1", host: shop.host)
        #expect(page.pageText.contains("Order settings saved."))
        #expect(HTML.inputValue(named: "abandon_after_days", in: page.text) == "14")
    }

    @Test(arguments: [
        ("0", "Days before an unpaid order is abandoned must be between 1 and 90."),
        ("91", "Days before an unpaid order is abandoned must be between 1 and 90."),
        ("a week", "Days before an unpaid order is abandoned must be a whole number between 1 and 90, not “a week”."),
        ("", "Days before an unpaid order is abandoned must be a whole number between 1 and 90, not “”."),
    ])
    func abandonmentWindowRejected(value: String, message: String) throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let browser = try shop.owner()

        let response = try browser.submit("/admin/settings/orders", host: shop.host, formPath: "/admin/settings/orders", fields: [("abandon_after_days", value)])
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("abandon_after_days", in: response.text) == [message])
        #expect(HTML.inputValue(named: "abandon_after_days", in: response.text) == value)
        #expect(try shop.write { database, _ in try OrderSettings.load(from: database) }.abandonAfterDays == 7)
    }
}
