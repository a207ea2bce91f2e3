@testable import Commerce
import Foundation
import Testing

@Suite struct CheckoutValidationTests {
    @Test func emptyDetailsNameEveryField() {
        let details = CheckoutDetails(
            email: " ",
            shippingAddress: Address(name: "", line1: "", city: "", postalCode: "", country: ""),
            billingAddress: Address(name: "", line1: "", city: "", postalCode: "", country: "ZZ"),
            shippingMethodID: nil,
            paymentMethodID: nil,
            notes: String(repeating: "x", count: 1001)
        )
        let errors = details.validationErrors()
        #expect(errors["email"] == ["Email is required."])
        #expect(errors["shipping.name"] == ["Shipping full name is required."])
        #expect(errors["shipping.line1"] == ["Shipping address is required."])
        #expect(errors["shipping.line2"].isEmpty)
        #expect(errors["shipping.city"] == ["Shipping city is required."])
        #expect(errors["shipping.postalCode"] == ["Shipping postal code is required."])
        #expect(errors["shipping.country"] == ["Shipping country is required; choose one from the list."])
        #expect(errors["billing.name"] == ["Billing full name is required."])
        #expect(errors["billing.line1"] == ["Billing address is required."])
        #expect(errors["billing.country"] == ["Billing country “ZZ” is not an ISO 3166-1 country code; choose one from the list."])
        #expect(errors["shippingMethod"] == ["Choose a shipping method."])
        #expect(errors["paymentMethod"] == ["Choose a payment method."])
        #expect(errors["notes"] == ["Order notes must be at most 1,000 characters; they have 1,001."])
    }

    @Test func countryRulesForPostalCodeAndRegion() {
        let unitedStates = CheckoutDetails(
            email: "a@example.com",
            shippingAddress: Address(name: "A", line1: "1 Main St", city: "Austin", postalCode: "78701", country: "us"),
            shippingMethodID: 1, paymentMethodID: 1
        )
        #expect(unitedStates.validationErrors()["shipping.region"] == ["Shipping state is required."])

        let hongKong = CheckoutDetails(
            email: "a@example.com",
            shippingAddress: Address(name: "A", line1: "1 Queen's Road", city: "Hong Kong", postalCode: "", country: "HK"),
            shippingMethodID: 1, paymentMethodID: 1
        )
        #expect(hongKong.validationErrors().isEmpty)
    }

    @Test func lengthsAndControlCharacters() {
        let details = CheckoutDetails(
            email: "ana@example",
            shippingAddress: Address(
                name: "Ana\u{0007}", line1: String(repeating: "a", count: 201), city: "Madrid",
                postalCode: "28013", country: "ES"
            ),
            shippingMethodID: 1, paymentMethodID: 1,
            notes: "Leave at the door.\nThanks\u{0000}"
        )
        let errors = details.validationErrors()
        #expect(errors["email"] == ["Email “ana@example” has an invalid domain after the @; enter it as name@example.com."])
        #expect(errors["shipping.name"] == ["Shipping full name must not contain line breaks or control characters."])
        #expect(errors["shipping.line1"] == ["Shipping address must be at most 200 characters; it has 201."])
        #expect(errors["notes"] == ["Order notes must not contain control characters."])
    }

    @Test func notesMayHaveLineBreaks() {
        let shopless = CheckoutDetails(
            email: "ana@example.com",
            shippingAddress: Address(name: "Ana", line1: "Calle 1", city: "Madrid", postalCode: "28013", country: "ES"),
            shippingMethodID: 1, paymentMethodID: 1,
            notes: "Ring twice.\r\nThanks"
        )
        #expect(shopless.validationErrors().isEmpty)
    }

    @Test func storeChecksShippingAndPayment() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1)])

        var france = shop.details()
        france.shippingAddress.country = "FR"
        let noDelivery = try validationErrors { _ = try shop.store.checkout.quote(cartToken: token, details: france) }
        #expect(noDelivery?["shipping.country"] == ["This store does not deliver to France; choose another country."])

        let world = try shop.store.shippingMethods.create(ShippingMethodInput(name: "World", price: 2000, countries: .only(["FR"])))
        var wrongMethod = shop.details()
        wrongMethod.shippingMethodID = world.id
        let notServed = try validationErrors { _ = try shop.store.checkout.quote(cartToken: token, details: wrongMethod) }
        #expect(notServed?["shippingMethod"] == ["“World” does not deliver to Spain; choose another shipping method."])

        var disabledPayment = shop.details()
        disabledPayment.paymentMethodID = try shop.store.paymentMethods.find(kind: .payInStore)?.id
        let notOffered = try validationErrors { _ = try shop.store.checkout.quote(cartToken: token, details: disabledPayment) }
        #expect(notOffered?["paymentMethod"] == ["The chosen payment method is no longer offered; choose another."])
    }

    @Test func quoteAddsShippingAndFingerprint() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 2), (shop.lamp, 1)])
        let quote = try shop.store.checkout.quote(cartToken: token, details: shop.details())
        #expect(quote.lines.map(\.productID) == [shop.mug.id, shop.lamp.id])
        #expect(quote.subtotal == 5500)
        #expect(quote.shippingPrice == 500)
        #expect(quote.total == 6000)
        #expect(quote.currency == .usd)
        #expect(quote.fingerprint.count == 64)

        let again = try shop.store.checkout.quote(cartToken: token, details: shop.details())
        #expect(again.fingerprint == quote.fingerprint)

        _ = try shop.store.carts.add(productID: shop.lamp.id, quantity: 2, token: token)
        let free = try shop.store.checkout.quote(cartToken: token, details: shop.details())
        #expect(free.subtotal == 11_500)
        #expect(free.shippingPrice == 0)
        #expect(free.total == 11_500)
        #expect(free.fingerprint != quote.fingerprint)
    }

    @Test func quoteRejectsCartProblems() throws {
        let shop = try Shop(lampStock: 2)
        #expect(throws: CheckoutError.cartNotFound) { _ = try shop.store.checkout.quote(cartToken: "gone", details: shop.details()) }

        let token = try shop.cart([(shop.mug, 1)])
        try shop.store.carts.clear(token: token)
        #expect(throws: CheckoutError.emptyCart) { _ = try shop.store.checkout.quote(cartToken: token, details: shop.details()) }

        _ = try shop.store.carts.add(productID: shop.lamp.id, quantity: 2, token: token)
        var input = ProductInput(shop.lamp)
        input.stock = 1
        try shop.store.products.update(id: shop.lamp.id, with: input)
        #expect(throws: CheckoutError.soldOut(productTitles: ["Trail Lamp"])) {
            _ = try shop.store.checkout.quote(cartToken: token, details: shop.details())
        }

        try shop.store.products.hide(id: shop.lamp.id)
        #expect(throws: CheckoutError.productsUnavailable(productTitles: ["Trail Lamp"])) {
            _ = try shop.store.checkout.quote(cartToken: token, details: shop.details())
        }
    }

    @Test func shippingOptionsForCart() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.lamp, 4)])
        let options = try shop.store.checkout.shippingOptions(cartToken: token, countryCode: "PT")
        #expect(options.map(\.method.id) == [shop.standard.id])
        #expect(options.map(\.price) == [0])
        #expect(try shop.store.checkout.shippingOptions(cartToken: token, countryCode: "FR").isEmpty)
    }
}

/// Postal codes checked against the shape of the country's codes.
@Suite struct PostalCodeValidationTests {
    private func errors(_ postalCode: String, _ country: String, region: String = "") -> [String] {
        let details = CheckoutDetails(
            email: "ana@example.com",
            shippingAddress: Address(name: "Ana", line1: "1 Main St", city: "Town", postalCode: postalCode, region: region, country: country),
            shippingMethodID: 1, paymentMethodID: 1
        )
        return details.validationErrors()["shipping.postalCode"]
    }

    @Test(arguments: [
        ("10001", "US"), ("10001-1234", "US"), ("M5V 2T6", "CA"), ("m5v2t6", "CA"), ("SW1A 1AA", "GB"), ("W1A 0AX", "GB"),
        ("M1 1AE", "GB"), ("28013", "ES"), ("1012 AB", "NL"), ("1012AB", "NL"), ("1000-001", "PT"), ("01310-100", "BR"),
        ("01310100", "BR"), ("100-0001", "JP"), ("111 22", "SE"), ("C1002AAA", "AR"), ("1425", "AR"),
        // Countries without a listed shape accept letters, digits, spaces and hyphens.
        ("AB-12 3", "ZA"), ("12345", "CR"),
    ])
    func acceptsCodesOfTheCountryShape(code: String, country: String) {
        let region = ["US", "CA", "AU", "AR", "BR", "MX"].contains(country) ? "Region" : ""
        #expect(errors(code, country, region: region).isEmpty, "\(code) in \(country)")
    }

    @Test(arguments: [
        ("ABCDE", "US", "10001"), ("1234", "US", "10001"), ("123456", "ES", "28013"), ("SW1A", "GB", "SW1A 1AA"),
        ("１２３４５", "ES", "28013"),
    ])
    func rejectsCodesOfAnotherShape(code: String, country: String, example: String) {
        let region = country == "US" ? "NY" : ""
        #expect(errors(code, country, region: region) == [
            "Shipping postal code “\(code)” does not have the form of this country's postal codes, such as \(example).",
        ])
    }

    @Test(arguments: [("m5v2t6", "CA", "M5V 2T6"), ("sw1a1aa", "GB", "SW1A 1AA"), ("1012ab", "NL", "1012 AB"), ("11122", "SE", "111 22"), ("10001", "US", "10001")])
    func writesCodesAsTheCountryDoes(code: String, country: String, written: String) throws {
        let details = CheckoutDetails(
            email: "ana@example.com",
            shippingAddress: Address(name: "Ana", line1: "1 Main St", city: "Town", postalCode: code, region: "Region", country: country),
            shippingMethodID: 1, paymentMethodID: 1
        )
        let (normalized, errors) = details.normalizedAndValidated()
        #expect(errors.isEmpty)
        #expect(normalized.shippingAddress.postalCode == written)
    }

    @Test(arguments: ["!!", "12#45", "--", "28013."])
    func rejectsCharactersNoPostalCodeHas(code: String) {
        #expect(errors(code, "ES") == ["Shipping postal code “\(code)” may contain only letters, digits, spaces and hyphens; this country's look like 28013."])
        #expect(errors(code, "ZA") == ["Shipping postal code “\(code)” may contain only letters, digits, spaces and hyphens."])
    }
}
