import Commerce
import Foundation
import HTTPServer
import SQLite
import Templates

/// Checkout at `/checkout`: one form for the contact, addresses, shipping and payment,
/// then a review of the `CheckoutQuote` whose "Place order" button posts the quote's
/// fingerprint to `/checkout/place`.
///
/// Every amount is computed on the server from the cart and the products. The form's
/// hidden fields carry only the shopper's details and the fingerprint. An order is placed
/// only when the fingerprint matches the quote recomputed at that moment.
enum CheckoutController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/checkout") { context, _ in try start(context) }
        router.post("/checkout") { context, _ in try review(context) }
        router.post("/checkout/place") { context, _ in try place(context) }
    }

    // MARK: - Whether checkout is open

    /// Whether the store takes orders from this visitor now.
    enum Availability {
        case open
        /// The store's customer login setting is `required`, and only approved customers
        /// may check out.
        case accountRequired
        /// The store has no active shipping method or no enabled payment method.
        case notReady

        var templateValue: TemplateValue {
            [
                "open": .bool(self == .open),
                "accountRequired": .bool(self == .accountRequired),
                "notReady": .bool(self == .notReady),
            ]
        }
    }

    static func availability(_ context: StoreRequest) throws -> Availability {
        // TODO: once customer accounts exist, let a logged-in customer whom the merchant
        // approved through; until then `required` refuses every visitor.
        if context.settings.customerLoginMode == .required {
            return .accountRequired
        }
        let setup = try context.database.read { try MethodSetup(database: $0) }
        return setup.isComplete ? .open : .notReady
    }

    /// Whether the store has what checkout needs from the merchant: an active shipping
    /// method and an enabled payment method. The admin dashboard names what is missing.
    struct MethodSetup {
        let hasShipping: Bool
        let hasPayment: Bool
        var isComplete: Bool { hasShipping && hasPayment }

        init(database: Database) throws {
            hasShipping = try ShippingMethodStore(database: database).list().contains { $0.isActive }
            hasPayment = try !PaymentMethodStore(database: database).enabled().isEmpty
        }
    }

    /// Returns nil when checkout is open, or the page that explains why it is not. Every
    /// route that could create an order calls this first.
    private static func refusal(_ context: StoreRequest) throws -> Response? {
        switch try availability(context) {
        case .open:
            return nil
        case .accountRequired:
            return try context.render("store/message", [
                "heading": .string(context.text("checkout.accountRequired.heading")),
                "message": .string(context.text("checkout.accountRequired.message", ["email": .string(context.settings.contactEmail)])),
            ], status: .forbidden)
        case .notReady:
            return try context.render("store/message", [
                "heading": .string(context.text("checkout.notReady.heading")),
                "message": .string(context.text("checkout.notReady.message")),
            ], status: .serviceUnavailable)
        }
    }

    // MARK: - Steps

    private static func start(_ context: StoreRequest) throws -> Response {
        if let refusal = try refusal(context) { return refusal }
        guard let cart = try context.loadCart(), cart.isReadyForCheckout else {
            return .redirect(to: "/cart")
        }
        try context.ensureSession()
        return try CheckoutPages.form(context, cart: cart, form: CheckoutForm())
    }

    /// Validates the form and shows the review step, or the form again with a message
    /// beside each invalid field. `action=refresh` only recomputes the shipping options
    /// for the chosen country, and `action=edit` returns from the review to the form.
    private static func review(_ context: StoreRequest) throws -> Response {
        if let refusal = try refusal(context) { return refusal }
        guard let token = context.cartToken, let cart = try context.loadCart(), !cart.isEmpty else {
            return .redirect(to: "/cart")
        }
        let form = CheckoutForm(form: context.form)
        if let action = context.form["action"], action == "refresh" || action == "edit" {
            return try CheckoutPages.form(context, cart: cart, form: form)
        }

        let now = context.app.clock.now()
        do {
            let quote = try context.database.write { database in
                try Checkout(database: database, now: { now }).quote(cartToken: token, details: form.details)
            }
            return try CheckoutPages.review(context, form: form, quote: quote)
        } catch let errors as ValidationErrors {
            return try CheckoutPages.form(context, cart: cart, form: form, errors: errors, status: .unprocessableContent)
        } catch let error as CheckoutError {
            return try handle(error, context, form: form)
        }
    }

    /// Places the order whose quote the shopper confirmed, then shows its status page.
    private static func place(_ context: StoreRequest) throws -> Response {
        if let refusal = try refusal(context) { return refusal }
        guard let token = context.cartToken else { return .redirect(to: "/cart?expired=1") }
        let form = CheckoutForm(form: context.form)
        let fingerprint = context.form["fingerprint"] ?? ""
        let composer = StoreMailComposer(context)
        let now = context.app.clock.now()

        let order: Order
        do {
            order = try context.database.write { database in
                try Checkout(database: database, now: { now }).placeOrder(
                    cartToken: token, details: form.details, confirmedFingerprint: fingerprint
                ) { order in
                    var mails = [try composer.orderConfirmation(order)]
                    if let notice = try composer.newOrderNotice(order) {
                        mails.append(notice)
                    }
                    return mails
                }
            }
        } catch CheckoutError.alreadyPlaced(let earlier) {
            // A second click on "Place order" or a reloaded POST: both requests lead to the
            // one order, and the shopper is never shown the cart that the first one emptied.
            context.app.logger.info("order.resubmitted", [
                "request_id": context.request.requestID, "store_id": context.store.id, "number": earlier.number,
            ])
            return .redirect(to: StoreMailComposer.statusPath(for: earlier) + "&placed=1")
        } catch CheckoutError.pricesChanged(let newQuote) {
            return try CheckoutPages.review(
                context, form: form, quote: newQuote, previousPrices: quotedPrices(context.form), pricesChanged: true, status: .conflict
            )
        } catch let errors as ValidationErrors {
            let cart = try context.loadCart()
            guard let cart, !cart.isEmpty else { return .redirect(to: "/cart") }
            return try CheckoutPages.form(context, cart: cart, form: form, errors: errors, status: .unprocessableContent)
        } catch let error as CheckoutError {
            return try handle(error, context, form: form)
        }

        context.noteQueuedMail()
        if order.status == .pendingPayment {
            context.app.shopJobs.pendingOrders.insert(context.store.id)
        }
        context.app.logger.info("order.placed", [
            "request_id": context.request.requestID, "store_id": context.store.id, "number": order.number,
            "items": order.itemCount, "total": order.total, "currency": order.currencyCode,
        ])
        return .redirect(to: StoreMailComposer.statusPath(for: order) + "&placed=1")
    }

    // MARK: - Failures

    /// Shows what went wrong for a checkout error that concerns the cart rather than one
    /// field. The cart is never changed by these.
    private static func handle(_ error: CheckoutError, _ context: StoreRequest, form: CheckoutForm) throws -> Response {
        switch error {
        case .cartNotFound:
            return .redirect(to: "/cart?expired=1")
        case .emptyCart:
            return .redirect(to: "/cart")
        case .customerAccountRequired:
            return try refusal(context) ?? .redirect(to: "/cart")
        case .alreadyPlaced(let order):
            return .redirect(to: StoreMailComposer.statusPath(for: order) + "&placed=1")
        case .pricesChanged(let quote):
            return try CheckoutPages.review(context, form: form, quote: quote, pricesChanged: true, status: .conflict)
        case .soldOut, .productsUnavailable:
            guard let cart = try context.loadCart(), !cart.isEmpty else { return .redirect(to: "/cart") }
            return try CheckoutPages.form(context, cart: cart, form: form, notice: context.text(error.message), status: .conflict)
        }
    }

    /// Returns the unit prices the review step showed, from its `quoted_<product id>`
    /// fields. They only mark which prices changed on the next review, and nothing is
    /// charged from them.
    private static func quotedPrices(_ form: FormParameters) -> [Int64: Int64] {
        var prices: [Int64: Int64] = [:]
        for (name, value) in form where name.hasPrefix("quoted_") {
            if let productID = Int64(name.dropFirst("quoted_".count)), let price = Int64(value) {
                prices[productID] = price
            }
        }
        return prices
    }
}
