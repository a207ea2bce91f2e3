import Commerce
import Foundation
import HTTPServer
import Templates

/// The shopper's cart at `/cart`: adding from the product grid and the product page,
/// changing quantities, removing lines, and accepting changed prices.
///
/// The cart lives in the store's file, found by the random token in the `storefleet_cart`
/// cookie (see `StoreRequest.cartToken`), so it survives a restart of the server.
enum CartController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/cart") { context, _ in try show(context) }
        router.post("/cart/add") { context, _ in try add(context) }
        router.post("/cart/update") { context, _ in try update(context) }
        router.post("/cart/remove") { context, _ in try remove(context) }
        router.post("/cart/accept-prices") { context, _ in try acceptPrices(context) }
    }

    // MARK: - Showing

    /// Renders the cart page. `lineErrors` and `submitted` come from an update that was
    /// rejected, so the page shows each message beside its line with the typed value.
    static func show(
        _ context: StoreRequest,
        notice: String? = nil,
        error: String? = nil,
        lineErrors: [Int64: String] = [:],
        submitted: [Int64: String] = [:],
        status: HTTPStatus = .ok
    ) throws -> Response {
        try context.ensureSession()
        let cart = try context.loadCart()
        let checkout = try CheckoutController.availability(context)

        var values: [String: TemplateValue] = [
            "cart": cart.map { cartValue($0, context, lineErrors: lineErrors, submitted: submitted) } ?? .null,
            "cartCount": .int(cart?.itemCount ?? 0),
            "checkout": checkout.templateValue,
            "notice": notice.map(TemplateValue.string) ?? .null,
            "error": error.map(TemplateValue.string) ?? .null,
        ]
        if let token = context.cartToken, cart?.isEmpty == true {
            // A cart emptied by an order moments ago, reached by the back button or a
            // reloaded checkout form, points to that order.
            let now = context.app.clock.now()
            let order = try context.database.write { database in
                try Checkout(database: database, now: { now }).recentOrder(cartToken: token)
            }
            if let order {
                values["placedOrder"] = ["number": .int(Int(order.number)), "url": .string(StoreMailComposer.statusPath(for: order))]
            }
        }
        if context.request.query["expired"] == "1", cart == nil || cart?.isEmpty == true {
            values["error"] = .string(context.text("cart.expired"))
        }
        if let added = context.request.query["added"].flatMap(Int64.init), notice == nil,
           let line = cart?.lines.first(where: { $0.productID == added }) {
            values["notice"] = .string(context.text("cart.added", ["title": .string(line.title)]))
        }
        // The line is gone from the cart, so its title comes from the catalogue; a product
        // deleted meanwhile gets the message without its title.
        if let removed = context.request.query["removed"].flatMap(Int64.init), notice == nil, error == nil {
            let title = try context.database.read { try ProductStore(database: $0).find(id: removed)?.title }
            values["notice"] = .string(title.map { context.text("cart.removed", ["title": .string($0)]) } ?? context.text("cart.removedUnknown"))
        }
        if context.request.query["updated"] == "1", notice == nil, error == nil, cart?.isEmpty == false {
            values["notice"] = .string(context.text("cart.updated"))
        }
        return try context.render("store/cart", values, status: status)
    }

    /// Returns the cart as the cart page reads it.
    static func cartValue(
        _ cart: Cart,
        _ context: StoreRequest,
        lineErrors: [Int64: String] = [:],
        submitted: [Int64: String] = [:]
    ) -> TemplateValue {
        let lines: [TemplateValue] = cart.lines.map { line in
            var value: [String: TemplateValue] = [
                "productID": .int(Int(line.productID)),
                "title": .string(line.title),
                "slug": .string(line.slug),
                "sku": .string(line.sku ?? ""),
                "imageURL": line.imageFileName.map { .string("/files/" + $0) } ?? .null,
                "initials": .string(StorefrontController.initials(of: line.title)),
                "quantity": .string(submitted[line.productID] ?? String(line.quantity)),
                "maximumQuantity": .int(min(CartStore.maximumQuantity, max(line.stock, line.quantity))),
                "unitPrice": .string(context.format(line.unitPrice)),
                "seenUnitPrice": .string(context.format(line.seenUnitPrice)),
                "lineTotal": .string(context.format(line.lineTotal)),
                "priceChanged": .bool(line.priceChanged),
                "error": lineErrors[line.productID].map(TemplateValue.string) ?? .null,
            ]
            switch line.availability {
            case .available:
                value["available"] = true
            case .insufficientStock(let available):
                value["insufficientStock"] = true
                value["stock"] = .int(available)
            case .soldOut:
                value["soldOut"] = true
            case .unavailable:
                value["unavailable"] = true
            }
            return .dictionary(value)
        }
        return [
            "lines": .array(lines),
            "isEmpty": .bool(cart.isEmpty),
            "itemCount": .int(cart.itemCount),
            "subtotal": .string(context.format(cart.subtotal)),
            "hasPriceChanges": .bool(cart.hasPriceChanges),
            "isReadyForCheckout": .bool(cart.isReadyForCheckout),
        ]
    }

    // MARK: - Changing

    /// Adds a product. Success redirects to the cart; an invalid quantity shows the product
    /// page again with the message beside the quantity field.
    private static func add(_ context: StoreRequest) throws -> Response {
        guard let productID = context.form["product_id"].flatMap(Int64.init), productID > 0 else {
            throw HTTPError(.notFound, "")
        }
        let quantityText = (context.form["quantity"] ?? "1").trimmingCharacters(in: .whitespaces)
        guard let quantity = Int(quantityText), quantity >= 1 else {
            return try productPage(context, productID: productID, quantity: quantityText, error: context.text("cart.error.quantityAtLeastOne"))
        }

        let now = context.app.clock.now()
        do {
            let result = try context.database.write { database in
                try CartStore(database: database, now: { now }).add(productID: productID, quantity: quantity, token: context.cartToken)
            }
            try context.setCartCookie(result.token)
            return .redirect(to: "/cart?added=\(productID)")
        } catch is ValidationErrors {
            let inCart = try context.loadCart()?.lines.first { $0.productID == productID }?.quantity ?? 0
            let product = try context.database.read { try ProductStore(database: $0).find(id: productID) }
            let message = product.map { quantityMessage(requested: quantity + inCart, stock: $0.stock, alreadyInCart: inCart, context) }
            return try productPage(context, productID: productID, quantity: quantityText, error: message ?? context.text("cart.error.quantityInvalid"))
        } catch CartError.productUnavailable(let title) {
            return try show(context, error: context.text("cart.error.productUnavailable", ["title": .string(title)]), status: .unprocessableContent)
        } catch CartError.tooManyLines(let limit) {
            return try show(context, error: context.text("cart.error.tooManyLines", ["count": .int(limit)]), status: .unprocessableContent)
        }
    }

    /// Sets every line's quantity from the `quantity_<product id>` fields, all or nothing:
    /// one invalid quantity leaves the whole cart as it was and shows each problem beside
    /// its line.
    private static func update(_ context: StoreRequest) throws -> Response {
        guard let token = context.cartToken else { return .redirect(to: "/cart?expired=1") }
        let now = context.app.clock.now()

        var submitted: [Int64: String] = [:]
        for (name, value) in context.form where name.hasPrefix("quantity_") {
            guard let productID = Int64(name.dropFirst("quantity_".count)) else { continue }
            submitted[productID] = value.trimmingCharacters(in: .whitespaces)
        }

        var lineErrors: [Int64: String] = [:]
        do {
            try context.database.write { database in
                let carts = CartStore(database: database, now: { now })
                guard let cart = try carts.find(token: token) else { throw CartError.notFound }
                for line in cart.lines {
                    guard let text = submitted[line.productID], Int(text) != line.quantity else { continue }
                    guard let quantity = Int(text), quantity >= 0 else {
                        lineErrors[line.productID] = context.text("cart.error.quantityInvalid")
                        continue
                    }
                    do {
                        try carts.setQuantity(quantity, productID: line.productID, token: token)
                    } catch is ValidationErrors {
                        lineErrors[line.productID] = quantityMessage(requested: quantity, stock: line.stock, alreadyInCart: 0, context)
                    }
                }
                // Throwing rolls back the quantities that were valid, so the cart changes
                // only as a whole.
                if !lineErrors.isEmpty { throw QuantitiesRejected() }
            }
        } catch CartError.notFound {
            return .redirect(to: "/cart?expired=1")
        } catch is QuantitiesRejected {
            return try show(context, error: context.text("cart.error.fixQuantities"), lineErrors: lineErrors, submitted: submitted, status: .unprocessableContent)
        }
        try context.setCartCookie(token)
        return .redirect(to: "/cart?updated=1")
    }

    private static func remove(_ context: StoreRequest) throws -> Response {
        guard let token = context.cartToken else { return .redirect(to: "/cart?expired=1") }
        guard let productID = context.form["product_id"].flatMap(Int64.init) else {
            return .redirect(to: "/cart")
        }
        let now = context.app.clock.now()
        do {
            try context.database.write { database in
                _ = try CartStore(database: database, now: { now }).remove(productID: productID, token: token)
            }
        } catch CartError.notFound {
            return .redirect(to: "/cart?expired=1")
        }
        return .redirect(to: "/cart?removed=\(productID)")
    }

    private static func acceptPrices(_ context: StoreRequest) throws -> Response {
        guard let token = context.cartToken else { return .redirect(to: "/cart?expired=1") }
        let now = context.app.clock.now()
        do {
            try context.database.write { database in
                _ = try CartStore(database: database, now: { now }).acceptCurrentPrices(token: token)
            }
        } catch CartError.notFound {
            return .redirect(to: "/cart?expired=1")
        }
        return .redirect(to: "/cart")
    }

    /// Rolls back a cart update in which some quantity was invalid.
    private struct QuantitiesRejected: Error {}

    // MARK: - Helpers

    /// Returns the message for a quantity that the stock or the cart limit does not allow,
    /// in the store's language.
    static func quantityMessage(requested: Int, stock: Int, alreadyInCart: Int, _ context: StoreRequest) -> String {
        if requested > CartStore.maximumQuantity {
            return context.text("cart.error.quantityTooHigh", ["count": .int(CartStore.maximumQuantity)])
        }
        if stock == 0 {
            return context.text("cart.error.soldOut")
        }
        if alreadyInCart > 0 {
            return context.text("cart.error.onlyInStockWithCart", ["count": .int(stock), "inCart": .int(alreadyInCart)])
        }
        return context.text("cart.error.onlyInStock", ["count": .int(stock)])
    }

    /// Shows the product page again with a message beside its quantity field.
    private static func productPage(_ context: StoreRequest, productID: Int64, quantity: String, error: String) throws -> Response {
        let product = try context.database.read { try ProductStore(database: $0).find(id: productID) }
        guard let product, product.isVisible else { throw HTTPError(.notFound, "") }
        return try context.render("store/product", [
            "product": StorefrontController.productValue(product, context),
            "quantity": .string(quantity),
            "quantityError": .string(error),
        ], status: .unprocessableContent)
    }
}

// MARK: - The cart cookie

extension StoreRequest {
    static let cartCookieName = "storefleet_cart"

    /// The cart token from the `storefleet_cart` cookie. The raw token exists only in the
    /// cookie; the store's file keeps its SHA-256.
    var cartToken: String? {
        guard let token = request.cookies[Self.cartCookieName], !token.isEmpty else { return nil }
        return token
    }

    /// Returns the visitor's cart, or nil when the cookie names none or it expired.
    func loadCart() throws -> Cart? {
        guard let token = cartToken else { return nil }
        let now = app.clock.now()
        // A read suffices unless the cart expired or its last recorded visit is an hour
        // old: then `find` deletes it or records the visit, which needs a write.
        let lookup = try database.read { database in
            try CartStore(database: database, now: { now }).findWithoutWriting(token: token)
        }
        switch lookup {
        case .found(let cart):
            return cart
        case .notFound:
            return nil
        case .needsWrite:
            return try database.write { database in
                try CartStore(database: database, now: { now }).find(token: token)
            }
        }
    }

    /// Sets the cart cookie for `token`, valid as long as the cart: `CartStore`'s lifetime
    /// from the last change.
    func setCartCookie(_ token: String) throws {
        outgoingCookies.append(try storeCookie(Self.cartCookieName, value: token, maxAge: Int(CartStore.defaultLifetime)))
    }

    /// Adds what every storefront page's layout reads: the number of items in the cart for
    /// the header, and a CSRF token on pages whose product forms post to the cart. Pages
    /// that already set `cartCount` keep it.
    func addShopperValues(to context: inout [String: TemplateValue], view: String) throws {
        guard view.hasPrefix("store/") else { return }
        if view == "store/home" || view == "store/product" {
            context["csrfToken"] = .string(try formToken())
        }
        if context["cartCount"] == nil {
            // The header's count is a convenience: a cart that cannot be read must not
            // turn a page, an error page in particular, into an error.
            context["cartCount"] = .int(((try? loadCart()) ?? nil)?.itemCount ?? 0)
        }
    }

    /// Records that this request's transaction queued mail in the store's outbox, so the
    /// sender delivers it and the checkpointer copies the WAL back. Call after the commit.
    func noteQueuedMail() {
        app.shopJobs.mail.schedule(store.id, at: app.clock.now())
        app.shopJobs.checkpoints.noteWrite(store.id)
    }
}
