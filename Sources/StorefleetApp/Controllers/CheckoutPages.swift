import Commerce
import Foundation
import HTTPServer
import Templates

/// The two checkout pages: the details form (`store/checkout`) and the review of the
/// quote with the "Place order" button (`store/checkout-review`).
enum CheckoutPages {
    /// Renders the details form with the shipping methods for the chosen country.
    static func form(
        _ context: StoreRequest,
        cart: Cart,
        form: CheckoutForm,
        errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        var form = form
        let (methods, payments) = try context.database.read { database in
            (try ShippingMethodStore(database: database).list().filter(\.isActive), try PaymentMethodStore(database: database).enabled())
        }
        if form.shipping.country.isEmpty, let only = onlyCountry(of: methods) {
            form.shipping.country = only
        }

        let country = Country.named(form.shipping.country)
        let offered = country.map { country in methods.filter { $0.countries.includes(country.code) } } ?? methods
        if !offered.contains(where: { String($0.id) == form.shippingMethod }) {
            // A lone method is chosen for the shopper, unless the page reports a problem
            // with the shipping method: a choice beside that message would contradict it.
            let hasShippingError = !errors["shippingMethod"].isEmpty
            form.shippingMethod = offered.count == 1 && !hasShippingError ? String(offered[0].id) : ""
        }
        if payments.count == 1, form.paymentMethod.isEmpty {
            form.paymentMethod = String(payments[0].id)
        }

        let shippingOptions: [TemplateValue] = offered.map { method in
            let price = method.price(forSubtotal: cart.subtotal)
            return [
                "id": .int(Int(method.id)),
                "name": .string(method.name),
                "price": .string(context.format(price)),
                "isFree": .bool(price == 0),
                "freeFrom": method.freeFromSubtotal.map { .string(context.format($0)) } ?? .null,
                "selected": .bool(String(method.id) == form.shippingMethod),
            ]
        }
        let paymentOptions: [TemplateValue] = payments.map { method in
            ["id": .int(Int(method.id)), "name": .string(method.name), "selected": .bool(String(method.id) == form.paymentMethod)]
        }

        return try context.render("store/checkout", [
            "form": form.templateValue,
            "errors": errors.nestedTemplateValue(in: context),
            "notice": notice.map(TemplateValue.string) ?? .null,
            "countries": context.app.renderer.translations.countryOptions(language: context.language),
            "shippingOptions": .array(shippingOptions),
            "shippingCountryName": country.map { .string(Translations.countryName($0.code, language: context.language)) } ?? .null,
            "noShippingToCountry": .bool(country != nil && offered.isEmpty),
            "paymentOptions": .array(paymentOptions),
            "cart": CartController.cartValue(cart, context),
            "cartCount": .int(cart.itemCount),
        ], status: status)
    }

    /// Renders the review of `quote`: exactly the lines, prices, shipping and total that
    /// placing the order charges, with the details in hidden fields.
    ///
    /// - Parameters:
    ///   - previousPrices: the unit prices the shopper confirmed before, by product, to
    ///     mark the lines whose price changed since.
    ///   - pricesChanged: whether to say that the quote changed and must be confirmed again.
    static func review(
        _ context: StoreRequest,
        form: CheckoutForm,
        quote: CheckoutQuote,
        previousPrices: [Int64: Int64] = [:],
        pricesChanged: Bool = false,
        status: HTTPStatus = .ok
    ) throws -> Response {
        func money(_ minorUnits: Int64) -> TemplateValue {
            .string(Money(minorUnits: minorUnits, currency: quote.currency).formatted())
        }
        let lines: [TemplateValue] = quote.lines.map { line in
            let before = previousPrices[line.productID] ?? line.seenUnitPrice
            return [
                "title": .string(line.title),
                "sku": .string(line.sku ?? ""),
                "quantity": .int(line.quantity),
                "unitPrice": money(line.unitPrice),
                "lineTotal": money(line.lineTotal),
                "priceChanged": .bool(before != line.unitPrice),
                "previousPrice": money(before),
            ]
        }

        // As the order will store them, so the review shows "M5V 2T6" for "m5v2t6".
        let details = form.details.normalized
        let paymentMethod = try details.paymentMethodID.flatMap { id in
            try context.database.read { try PaymentMethodStore(database: $0).find(id: id) }
        }
        let paymentName = paymentMethod?.name ?? ""
        // Cash on delivery, for one, has nothing to tell the shopper after the order.
        let paymentHasInstructions = !(paymentMethod?.instructions.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true)

        var hidden = form.hiddenFields
        hidden.append(("fingerprint", quote.fingerprint))
        for line in quote.lines {
            hidden.append(("quoted_\(line.productID)", String(line.unitPrice)))
        }

        return try context.render("store/checkout-review", [
            "quote": [
                "lines": .array(lines),
                "subtotal": money(quote.subtotal),
                "shippingMethod": .string(quote.shippingMethodName),
                "shipping": money(quote.shippingPrice),
                "shippingIsFree": .bool(quote.shippingPrice == 0),
                "total": money(quote.total),
            ],
            "details": [
                "email": .string(details.email.trimmingCharacters(in: .whitespacesAndNewlines)),
                "shippingAddress": details.shippingAddress.linesValue(language: context.language),
                "billingAddress": details.billingAddress?.linesValue(language: context.language) ?? .null,
                "paymentMethod": .string(paymentName),
                "paymentHasInstructions": .bool(paymentHasInstructions),
                "notes": .string(details.notes.trimmingCharacters(in: .whitespacesAndNewlines)),
            ],
            "hidden": .array(hidden.map { ["name": .string($0.0), "value": .string($0.1)] }),
            "pricesChanged": .bool(pricesChanged),
            "cartCount": .int(quote.lines.reduce(0) { $0 + $1.quantity }),
        ], status: status)
    }

    // MARK: - Helpers

    /// The one country every active method delivers to, to preselect it, or nil when the
    /// methods serve several countries or every country.
    private static func onlyCountry(of methods: [ShippingMethod]) -> String? {
        var codes = Set<String>()
        for method in methods {
            guard case .only(let countries) = method.countries else { return nil }
            codes.formUnion(countries)
        }
        return codes.count == 1 ? codes.first : nil
    }
}
