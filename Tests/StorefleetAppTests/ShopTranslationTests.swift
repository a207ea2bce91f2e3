import Commerce
import Foundation
import Templates
import Testing
@testable import StorefleetApp

/// Shopper-facing messages of the cart, checkout and order lookup in the store's language.
@Suite struct ShopTranslationTests {
    private static let translationsFolder = TestApp.packageRoot + "/Views/translations"

    /// Switches the store to Spanish through Settings › General, as its owner would.
    private func chooseSpanish(_ app: TestApp, _ shop: ShopFixture) throws {
        let owner = try app.ownerBrowser(shop.store.slug)
        let form = try owner.get("/admin/settings/general", host: shop.host)
        #expect(form.text.contains("<option value=\"en\" selected>English</option>"))
        #expect(form.text.contains("<option value=\"es\">Español</option>"))
        let saved = try owner.post("/admin/settings/general", host: shop.host, form: [
            ("csrf_token", try form.csrfToken()), ("name", "Tienda Alfa"), ("contact_email", TestApp.ownerEmail(shop.store.slug)),
            ("currency", "EUR"), ("customer_login", "disabled"), ("language", "es"),
        ])
        #expect(saved.status == 303, "\(saved.summary)")
        #expect(saved.location == "/admin/settings/general?saved=1")
        #expect(try app.settings(shop.store).language == "es")
        // The admin stays in English.
        let again = try owner.get("/admin/settings/general?saved=1", host: shop.host)
        #expect(again.pageText.contains("Settings saved."))
        #expect(again.text.contains("<option value=\"es\" selected>Español</option>"))
    }

    @Test func spanishStoreTranslatesFieldErrors() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        try chooseSpanish(app, shop)
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)

        var fields = shop.detailFields().filter { !["shipping_line1", "billing_same", "payment_method"].contains($0.0) }
        fields = fields.map { $0.0 == "email" ? ("email", "ana-at-example") : $0 }
        fields += [("billing_name", "Luis Ruiz"), ("billing_country", "ZZ"), ("notes", String(repeating: "x", count: 1_001))]
        fields = fields.filter { $0.0 != "notes" || $0.1.count > 100 }
        let page = try shopper.reviewOrder(host: shop.host, fields: fields)
        #expect(page.status == 422)
        #expect(page.text.contains("<html lang=\"es\">"))
        #expect(page.pageText.contains("Opciones para España."))
        #expect(page.pageText.contains("Corrija los campos marcados abajo."))
        #expect(HTML.fieldErrors("email", in: page.text) == ["«ana-at-example» no es una dirección de correo electrónico; escríbala como nombre@ejemplo.com."])
        #expect(HTML.fieldErrors("shipping_line1", in: page.text) == ["El campo «Dirección de envío» es obligatorio."])
        #expect(HTML.fieldErrors("billing_line1", in: page.text) == ["El campo «Dirección de facturación» es obligatorio."])
        #expect(HTML.fieldErrors("billing_country", in: page.text) == ["«ZZ» no es un código de país ISO 3166-1; elija un país de la lista."])
        // The payment methods sit in a panel that `HTML.fieldErrors` does not recognise.
        #expect(page.pageText.contains("<span class=\"error\">Elija un método de pago.</span>"))
        #expect(HTML.fieldErrors("notes", in: page.text) == ["Las notas del pedido admiten como máximo 1000 caracteres; tienen 1001."])

        // The typed values stay in the form.
        #expect(HTML.inputValue(named: "email", in: page.text) == "ana-at-example")
        #expect(HTML.inputValue(named: "shipping_city", in: page.text) == "Madrid")
        #expect(HTML.inputValue(named: "billing_name", in: page.text) == "Luis Ruiz")
        #expect(HTML.textareaValue(named: "notes", in: page.text) == String(repeating: "x", count: 1_001))
        #expect(try shop.orderCount() == 0)

        // A country without delivery names it beside the country field.
        let elsewhere = shop.detailFields().map { $0.0 == "shipping_country" ? ("shipping_country", "US") : $0 }
        let notShipped = try shopper.reviewOrder(host: shop.host, fields: elsewhere)
        #expect(notShipped.status == 422)
        #expect(HTML.fieldErrors("shipping_country", in: notShipped.text).contains("Esta tienda no envía a Estados Unidos; elija otro país."))
        #expect(notShipped.text.contains("<option value=\"US\" selected>Estados Unidos</option>"))
        // The menu is sorted by the Spanish names.
        let spain = try #require(notShipped.text.range(of: "<option value=\"ES\">España</option>"))
        let unitedStates = try #require(notShipped.text.range(of: "<option value=\"US\" selected>Estados Unidos</option>"))
        let france = try #require(notShipped.text.range(of: "<option value=\"FR\">Francia</option>"))
        #expect(spain.lowerBound < unitedStates.lowerBound)
        #expect(unitedStates.lowerBound < france.lowerBound)
    }

    @Test func spanishStoreTranslatesCartAndLookup() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app, lampStock: 2)
        try chooseSpanish(app, shop)
        let shopper = app.browser()

        // Sold out between the review and the order: the notice above the form.
        try shopper.addToCart(shop.lamp, quantity: 2, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.status == 200, "\(review.summary)")
        #expect(review.pageText.contains("Revise su pedido"))
        try shop.write { try $0.run("UPDATE products SET stock = 1 WHERE id = ?", shop.lamp.id) }
        let placed = try shopper.placeOrder(from: review, host: shop.host)
        #expect(placed.status == 409)
        #expect(placed.pageText.contains("No quedan suficientes unidades de «Trail Lamp». Su carrito no ha cambiado; reduzca las cantidades o quite estos productos."))
        #expect(HTML.inputValue(named: "shipping_name", in: placed.text) == "Ana Ruiz")

        let cart = try shopper.get("/cart", host: shop.host)
        #expect(cart.pageText.contains("Solo quedan 1. Reduzca la cantidad para finalizar la compra."))
        let tooMany = try shopper.post("/cart/update", host: shop.host, form: [
            ("csrf_token", try cart.csrfToken()), ("quantity_\(shop.lamp.id)", "abc"),
        ])
        #expect(tooMany.status == 422)
        #expect(HTML.fieldErrors("quantity_\(shop.lamp.id)", in: tooMany.text) == ["Indique un número entero de 0 a 999."])
        #expect(HTML.inputValue(named: "quantity_\(shop.lamp.id)", in: tooMany.text) == "abc")

        // The order lookup form.
        let lookupForm = try shopper.get("/orders/lookup", host: shop.host)
        let lookup = try shopper.post("/orders/lookup", host: shop.host, form: [
            ("csrf_token", try lookupForm.csrfToken()), ("number", "abc"), ("email", "ana@"),
        ])
        #expect(lookup.status == 422)
        #expect(HTML.fieldErrors("number", in: lookup.text) == ["Escriba el número de pedido solo con cifras, por ejemplo 1001."])
        #expect(HTML.fieldErrors("email", in: lookup.text) == ["Escriba el correo electrónico como nombre@ejemplo.com."])
        #expect(HTML.inputValue(named: "number", in: lookup.text) == "abc")

        // A form whose CSRF token does not match.
        let forged = try shopper.post("/cart/add", host: shop.host, form: [("csrf_token", "forged"), ("product_id", String(shop.mug.id))])
        #expect(forged.status == 403)
        #expect(forged.pageText.contains("Este formulario ha caducado"))
        #expect(forged.pageText.contains("no se ha cambiado nada. Vuelva atrás, recargue la página e inténtelo de nuevo."))
    }

    @Test func spanishOrderPageAndMail() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        try chooseSpanish(app, shop)
        let shopper = app.browser()
        try shopper.addToCart(shop.mug, host: shop.host)
        let review = try shopper.reviewOrder(host: shop.host, fields: shop.detailFields())
        #expect(review.status == 200, "\(review.summary)")
        let placed = try shopper.placeOrder(from: review, host: shop.host)
        let location = try #require(placed.location)

        let status = try shopper.get(location, host: shop.host)
        #expect(status.status == 200)
        #expect(status.pageText.contains("¡Gracias por su pedido!"))
        #expect(status.pageText.contains("Pedido n.º 1001"))
        #expect(status.pageText.contains("Pendiente de pago"))
        // The address names the country in the store's language, on the review page too.
        #expect(review.pageText.contains("España"))
        #expect(status.pageText.contains("España"))
        #expect(!status.pageText.contains("Spain"))

        // The shopper's confirmation is in Spanish; the merchant's notice stays English.
        let subjects = try shop.read { database in
            try database.query("SELECT subject FROM outbox ORDER BY id") { try $0.get("subject", as: String.self) }
        }
        #expect(subjects.contains("Pedido n.º 1001 confirmado"))
        #expect(subjects.contains { $0.hasPrefix("New order #1001") })
        let bodies = try shop.read { database in
            try database.query("SELECT subject, text_body FROM outbox ORDER BY id") {
                (try $0.get("subject", as: String.self), try $0.get("text_body", as: String.self))
            }
        }
        let confirmation = try #require(bodies.first { $0.0 == "Pedido n.º 1001 confirmado" })
        #expect(confirmation.1.contains("España"))
        #expect(!confirmation.1.contains("Spain"))
    }

    /// The store's time zone, chosen in Settings › General, sets the times on the shopper's
    /// order page, which name the zone.
    @Test func orderPageShowsTimesInTheStoreTimeZone() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let owner = try app.ownerBrowser(shop.store.slug)
        let form = try owner.get("/admin/settings/general", host: shop.host)
        #expect(form.text.contains("<option value=\"UTC\" selected>UTC</option>"))
        #expect(form.text.contains("<option value=\"America/New_York\">America/New_York</option>"))
        let fields: [(String, String)] = [
            ("csrf_token", try form.csrfToken()), ("name", "Store alpha"), ("contact_email", TestApp.ownerEmail(shop.store.slug)),
            ("currency", "USD"), ("customer_login", "disabled"), ("language", "en"),
        ]
        let rejected = try owner.post("/admin/settings/general", host: shop.host, form: fields + [("time_zone", "Mars/Olympus_Mons")])
        #expect(rejected.status == 422)
        #expect(HTML.fieldErrors("time_zone", in: rejected.text).first?.contains("not a known IANA time zone") == true)
        // Abbreviations and offsets that Foundation reads but the menu does not list.
        for unlisted in ["EST", "GMT+5", "europe/madrid"] {
            let response = try owner.post("/admin/settings/general", host: shop.host, form: fields + [("time_zone", unlisted)])
            #expect(response.status == 422, "\(unlisted)")
        }
        let empty = try owner.post("/admin/settings/general", host: shop.host, form: fields + [("time_zone", "")])
        #expect(HTML.fieldErrors("time_zone", in: empty.text) == ["Time zone is required; choose one from the list, such as Europe/Madrid or UTC."])
        #expect(try app.settings(shop.store).timeZoneIdentifier == "UTC")
        let saved = try owner.post("/admin/settings/general", host: shop.host, form: fields + [("time_zone", "America/New_York")])
        #expect(saved.status == 303, "\(saved.summary)")
        #expect(try app.settings(shop.store).timeZoneIdentifier == "America/New_York")

        let shopper = app.browser()
        let placed = try shopper.buy(shop.mug, in: shop).placed
        let status = try shopper.get(try #require(placed.location), host: shop.host)
        #expect(status.status == 200)
        // New York is 4 or 5 hours behind UTC; its short names are EST and EDT.
        #expect(status.pageText.contains(" EST") || status.pageText.contains(" EDT"), "\(status.pageText)")
        // The timeline's times also carry the instant for machines, in UTC.
        #expect(status.text.contains("<time datetime=\"") && status.text.contains("Z\">"), "\(status.text)")
    }

    /// Mail about an order stays in the language it was placed in after the store
    /// changes its own, and follows the store for orders from before the language was
    /// recorded.
    @Test func laterOrderMailKeepsTheOrderLanguage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        try chooseSpanish(app, shop)
        try app.browser().buy(shop.mug, in: shop)
        var order = try #require(try shop.order(number: 1001))
        #expect(order.language == "es")

        try shop.saveSettings { $0.language = "en" }
        let settings = try app.settings(shop.store)
        #expect(settings.language == "en")
        let english = StoreMailComposer(app: app.app, store: shop.store, settings: settings)
        #expect(try english.canceled(order).subject == "Pedido n.º 1001 cancelado")

        // An order without a recorded language, as placed before the column existed.
        try shop.write { try $0.run("UPDATE orders SET language = NULL WHERE id = ?", order.id) }
        order = try #require(try shop.order(number: 1001))
        #expect(order.language == nil)
        #expect(try english.canceled(order).subject == "Order #1001 canceled")
    }

    @Test func unsupportedLanguageIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let owner = try app.ownerBrowser(shop.store.slug)
        let form = try owner.get("/admin/settings/general", host: shop.host)
        let rejected = try owner.post("/admin/settings/general", host: shop.host, form: [
            ("csrf_token", try form.csrfToken()), ("name", "Store alpha"), ("contact_email", TestApp.ownerEmail(shop.store.slug)),
            ("currency", "USD"), ("customer_login", "disabled"), ("language", "fr"),
        ])
        #expect(rejected.status == 422)
        #expect(HTML.fieldErrors("language", in: rejected.text) == ["Language “fr” is not supported; choose one of en, es."])
        // A language the form does not offer, because it has no translation file.
        let withoutFile = try owner.post("/admin/settings/general", host: shop.host, form: [
            ("csrf_token", try form.csrfToken()), ("name", "Store alpha"), ("contact_email", TestApp.ownerEmail(shop.store.slug)),
            ("currency", "USD"), ("customer_login", "disabled"), ("language", "pt"),
        ])
        #expect(withoutFile.status == 422)
        #expect(try app.settings(shop.store).language == "en")
    }

    /// A shopper's text in an argument, such as a name with `{count}` in it, is shown as
    /// typed. Replacing one argument after another used to expand it, depending on the
    /// order in which the dictionary listed the arguments.
    @Test func argumentsAreNotReadForPlaceholders() {
        let translations = Translations(tables: ["en": ["greeting": "Hello {name}, {count} items"]])
        for _ in 0..<20 {
            let arguments: [String: TemplateValue] = ["name": "Ana {count}", "count": 2]
            #expect(translations.text("greeting", language: "en", arguments: arguments) == "Hello Ana {count}, 2 items")
        }
    }

    /// The settings form offers and accepts exactly the supported languages, so each needs
    /// its own file. A supported language without one was saved and then showed English.
    @Test func everySupportedLanguageHasATranslationFile() throws {
        let translations = try Translations(folder: Self.translationsFolder)
        #expect(Set(StoreSettings.supportedLanguages).isSubset(of: Set(translations.languages)), "\(translations.languages)")
    }

    @Test func englishFileMatchesCommerceText() throws {
        let translations = try Translations(folder: Self.translationsFolder)
        let address = Address(name: "", line1: String(repeating: "a", count: 201), line2: "b\u{7}", city: "", postalCode: "", region: "", country: "US")
        let cases: [CheckoutDetails] = [
            CheckoutDetails(email: "", shippingAddress: address, billingAddress: Address(name: "A", line1: "B", city: "C", postalCode: "1", country: ""), shippingMethodID: nil, paymentMethodID: nil, notes: String(repeating: "n", count: 1_200)),
            CheckoutDetails(email: "a b@example.com", shippingAddress: Address(name: "A", line1: "B", city: "C", postalCode: "1", country: "ZZ"), shippingMethodID: 1, paymentMethodID: 1, notes: "\u{1}"),
            CheckoutDetails(email: "plain", shippingAddress: address, shippingMethodID: 1, paymentMethodID: 1),
            CheckoutDetails(email: String(repeating: "l", count: 65) + "@example.com", shippingAddress: address, shippingMethodID: 1, paymentMethodID: 1),
            CheckoutDetails(email: "ana@example", shippingAddress: address, shippingMethodID: 1, paymentMethodID: 1),
            CheckoutDetails(email: String(repeating: "l", count: 60) + "@" + String(repeating: "d", count: 200) + ".com", shippingAddress: address, shippingMethodID: 1, paymentMethodID: 1),
            CheckoutDetails(
                email: "ana@example.com",
                shippingAddress: Address(name: "A", line1: "B", city: "C", postalCode: "ABCDE", region: "NY", country: "US"),
                billingAddress: Address(name: "A", line1: "B", city: "C", postalCode: "!!", country: "ES"),
                shippingMethodID: 1, paymentMethodID: 1
            ),
        ]
        var keys = Set<String>()
        for details in cases {
            let errors = details.validationErrors()
            for field in errors.fields {
                for message in errors.translatableMessages(for: field) {
                    keys.insert(message.key)
                    #expect(!message.key.isEmpty, "\(field): \(message.english)")
                    #expect(translations.text(message, language: "en") == message.english)
                    let spanish = translations.text(message, language: "es")
                    #expect(spanish != message.english, "\(message.key) has no Spanish text")
                    #expect(!spanish.contains("{"), "\(message.key): \(spanish)")
                }
            }
        }
        #expect(keys.count == 16, "\(keys.sorted())")

        let checkoutErrors: [CheckoutError] = [
            .cartNotFound, .emptyCart, .soldOut(productTitles: ["Mug", "Lamp"]), .productsUnavailable(productTitles: ["Mug"]), .customerAccountRequired,
        ]
        for error in checkoutErrors {
            #expect(translations.text(error.message, language: "en") == error.description)
            #expect(translations.text(error.message, language: "es") != error.description)
        }
    }

    @Test func everyEnglishKeyHasSpanish() throws {
        func keys(_ language: String) throws -> Set<String> {
            let data = try Data(contentsOf: URL(fileURLWithPath: Self.translationsFolder + "/\(language).json"))
            let table = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
            return Set(table.keys)
        }
        let english = try keys("en")
        let spanish = try keys("es")
        #expect(english.subtracting(spanish).sorted() == [])
        #expect(spanish.subtracting(english).sorted() == [])
    }
}

/// Addresses written as the post of their country writes them.
@Suite struct AddressFormatTests {
    private func lines(_ country: String, city: String, postalCode: String, region: String = "", language: String = "en") -> [String] {
        Address(name: "Ana Ruiz", line1: "1 Main Street", line2: "", city: city, postalCode: postalCode, region: region, country: country)
            .lines(language: language)
    }

    @Test func unitedStatesPutsThePostalCodeAfterTheState() {
        #expect(lines("US", city: "New York", postalCode: "10001", region: "NY") == ["Ana Ruiz", "1 Main Street", "New York, NY 10001", "United States"])
        #expect(lines("us", city: "New York", postalCode: "10001") == ["Ana Ruiz", "1 Main Street", "New York, 10001", "United States"])
    }

    @Test func canadaAndAustraliaWriteCityRegionAndCodeOnOneLine() {
        #expect(lines("CA", city: "Toronto", postalCode: "M5V 2T6", region: "ON")[2] == "Toronto ON M5V 2T6")
        #expect(lines("AU", city: "Sydney", postalCode: "2000", region: "NSW")[2] == "Sydney NSW 2000")
    }

    @Test func unitedKingdomPutsThePostcodeOnItsOwnLine() {
        #expect(lines("GB", city: "London", postalCode: "SW1A 1AA") == ["Ana Ruiz", "1 Main Street", "London", "SW1A 1AA", "United Kingdom"])
    }

    @Test func elsewhereThePostalCodeComesFirstAndTheRegionBelow() {
        #expect(lines("ES", city: "Madrid", postalCode: "28013", region: "Madrid", language: "es") == ["Ana Ruiz", "1 Main Street", "28013 Madrid", "Madrid", "España"])
        #expect(lines("FR", city: "Paris", postalCode: "") == ["Ana Ruiz", "1 Main Street", "Paris", "France"])
    }
}
