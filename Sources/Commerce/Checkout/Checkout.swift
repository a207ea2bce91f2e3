import Foundation
import SQLite

/// Turns a cart into an order: quoting it for the confirmation page, then placing it (see
/// `placeOrder` in Checkout+PlaceOrder.swift).
///
/// Every amount comes from the cart's quantities and the products' current prices, read on
/// the server inside one transaction. Of what the browser posts, only the checkout details
/// and the confirmed fingerprint are used.
public struct Checkout {
    public let database: Database
    let now: @Sendable () -> Date

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Returns the shipping methods that deliver to `countryCode`, priced for the cart's
    /// current subtotal, for the checkout form.
    ///
    /// - Throws: `CheckoutError.cartNotFound` for an unknown or expired cart.
    public func shippingOptions(cartToken: String, countryCode: String) throws -> [ShippingOption] {
        try database.transaction(.immediate) { database in
            let cart = try loadCart(token: cartToken, in: database)
            return try ShippingMethodStore.available(for: countryCode, subtotal: cart.subtotal, in: database)
        }
    }

    /// Validates `details` and returns what the order would cost now, for the confirmation
    /// page. The page posts `fingerprint` back to `placeOrder`.
    ///
    /// - Throws: `ValidationErrors` for the details; `CheckoutError.cartNotFound`,
    ///   `.emptyCart`, `.productsUnavailable`, or `.soldOut` when a line's quantity exceeds
    ///   the stock.
    public func quote(cartToken: String, details: CheckoutDetails) throws -> CheckoutQuote {
        try database.transaction(.immediate) { database in
            try prepare(cartToken: cartToken, details: details, checkStock: true, in: database).quote
        }
    }

    // MARK: - Shared steps

    /// Everything an order is built from, read and checked in the caller's transaction.
    struct Prepared {
        let details: CheckoutDetails
        let cart: Cart
        let quote: CheckoutQuote
        let paymentMethod: PaymentMethod
        let paymentProcessor: any PaymentProcessor
        let currency: Currency
    }

    /// Loads the cart, validates `details` against the store, and quotes the cart.
    ///
    /// - Parameter checkStock: whether to throw `soldOut` for lines above the stock.
    ///   `placeOrder` passes false, since its guarded stock update is the authority.
    func prepare(cartToken: String, details: CheckoutDetails, checkStock: Bool, in database: Database) throws -> Prepared {
        let cart = try loadCart(token: cartToken, in: database)
        guard !cart.isEmpty else { throw CheckoutError.emptyCart }

        var (details, errors) = details.normalizedAndValidated()
        let shipping = try shippingOption(for: details, subtotal: cart.subtotal, errors: &errors, in: database)
        let payment = try paymentMethod(for: details, errors: &errors, in: database)
        try errors.throwIfAny()
        guard let shipping, let payment else {
            // Unreachable: either is nil only together with a message in `errors`.
            throw ValidationErrors(field: "shippingMethod", message: TranslatableMessage("checkout.error.chooseShippingMethod", english: "Choose a shipping method."))
        }
        let (paymentMethod, processor) = payment

        let unavailable = cart.lines.filter { !$0.isVisible }.map(\.title)
        guard unavailable.isEmpty else { throw CheckoutError.productsUnavailable(productTitles: unavailable) }
        if checkStock {
            let short = cart.lines.filter { $0.stock < $0.quantity }.map(\.title)
            guard short.isEmpty else { throw CheckoutError.soldOut(productTitles: short) }
        }

        let lines = cart.lines.map { line in
            CheckoutQuote.Line(
                productID: line.productID,
                title: line.title,
                sku: line.sku,
                quantity: line.quantity,
                unitPrice: line.unitPrice,
                lineTotal: line.lineTotal,
                seenUnitPrice: line.seenUnitPrice
            )
        }
        let quote = CheckoutQuote(lines: lines, shipping: shipping, currency: cart.currency)
        return Prepared(
            details: details, cart: cart, quote: quote,
            paymentMethod: paymentMethod, paymentProcessor: processor, currency: cart.currency
        )
    }

    private func loadCart(token: String, in database: Database) throws -> Cart {
        let carts = CartStore(database: database, now: now)
        guard let row = try carts.liveCartRow(token: token, in: database) else { throw CheckoutError.cartNotFound }
        return try CartStore.load(cartID: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt, in: database)
    }

    /// Returns the chosen shipping method priced for `subtotal`, or nil after adding a
    /// message to `errors`.
    private func shippingOption(
        for details: CheckoutDetails, subtotal: Int64, errors: inout ValidationErrors, in database: Database
    ) throws -> ShippingOption? {
        let countryCode = details.shippingAddress.country
        guard errors["shipping.country"].isEmpty, let country = Country.named(countryCode) else { return nil }

        let options = try ShippingMethodStore.available(for: country.code, subtotal: subtotal, in: database)
        guard !options.isEmpty else {
            errors.add(TranslatableMessage(
                "checkout.error.noDeliveryToCountry", ["country": .country(code: country.code)],
                english: "This store does not deliver to \(country.name); choose another country."
            ), for: "shipping.country")
            return nil
        }
        guard let methodID = details.shippingMethodID else { return nil }
        if let option = options.first(where: { $0.method.id == methodID }) {
            return option
        }

        if let method = try ShippingMethodStore.find(id: methodID, in: database), method.isActive {
            errors.add(TranslatableMessage(
                "checkout.error.methodDoesNotDeliver", ["method": .text(method.name), "country": .country(code: country.code)],
                english: "“\(method.name)” does not deliver to \(country.name); choose another shipping method."
            ), for: "shippingMethod")
        } else {
            errors.add(TranslatableMessage(
                "checkout.error.shippingMethodUnavailable", english: "The chosen shipping method is no longer offered; choose another."
            ), for: "shippingMethod")
        }
        return nil
    }

    /// Returns the chosen payment method with its processor, or nil after adding a message
    /// to `errors`.
    private func paymentMethod(
        for details: CheckoutDetails, errors: inout ValidationErrors, in database: Database
    ) throws -> (PaymentMethod, any PaymentProcessor)? {
        guard let methodID = details.paymentMethodID else { return nil }
        guard let method = try PaymentMethodStore.find(id: methodID, in: database),
              method.isEnabled, let processor = method.processor
        else {
            errors.add(TranslatableMessage(
                "checkout.error.paymentMethodUnavailable", english: "The chosen payment method is no longer offered; choose another."
            ), for: "paymentMethod")
            return nil
        }
        return (method, processor)
    }
}
