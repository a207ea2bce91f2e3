import Crypto
import Foundation
import SQLite

extension Checkout {
    /// Places the order for the cart with `cartToken`, in one IMMEDIATE transaction: either
    /// all of the following is committed, or none of it.
    ///
    /// 1. Reload the cart and products, validate `details`, and recompute the quote.
    /// 2. Reject the order with `pricesChanged` when the quote's fingerprint differs from
    ///    `confirmedFingerprint`, the one the shopper confirmed.
    /// 3. Take each line's quantity from stock with a guarded update that never lets stock
    ///    fall below zero; any shortfall rolls everything back with `soldOut`.
    /// 4. Insert the order with a copy of every line, the payment instructions and a new
    ///    access token for the status link. Its number is the highest so far plus one
    ///    (1001 for the first), read under the write lock, so a failed checkout leaves no gap.
    /// 5. Write the first timeline event, empty the cart, remember in the cart row which
    ///    order it became, and insert the mails `composeMails` returns into the outbox.
    ///
    /// A second submission of the same checkout (the cart is empty and the fingerprint is
    /// the one this order was placed with) throws `alreadyPlaced` with that order instead.
    ///
    /// - Parameters:
    ///   - customerID: the logged-in customer, nil for a guest. A store whose customer login
    ///     mode is `required` rejects nil.
    ///   - composeMails: builds the confirmation mails from the placed order (which has its
    ///     id, number and access token). Called inside the transaction: it must not block on
    ///     I/O, and a throw rolls back the order. Mails without `relatedOrderID` get the
    ///     order's id.
    /// - Throws: `CheckoutError.customerAccountRequired`, `.alreadyPlaced`, `.cartNotFound`, `.emptyCart`,
    ///   `.productsUnavailable`, `.pricesChanged(newQuote:)`, `.soldOut(productTitles:)`;
    ///   `ValidationErrors` for the details or for a composed mail.
    @discardableResult
    public func placeOrder(
        cartToken: String,
        details: CheckoutDetails,
        confirmedFingerprint: String,
        customerID: Int64? = nil,
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> Order {
        try database.transaction(.immediate) { database in
            let settings = try StoreSettings.load(from: database)
            // TODO: once customer accounts exist, also reject a customer the merchant has not
            // approved, as `required` mode demands; today any non-nil id passes.
            if settings.customerLoginMode == .required && customerID == nil {
                throw CheckoutError.customerAccountRequired
            }

            if let earlier = try orderPlacedBefore(cartToken: cartToken, confirmedFingerprint: confirmedFingerprint, in: database) {
                throw CheckoutError.alreadyPlaced(earlier)
            }

            let prepared = try prepare(cartToken: cartToken, details: details, checkStock: false, in: database)
            let quote = prepared.quote
            guard constantTimeEquals(quote.fingerprint, confirmedFingerprint.lowercased()) else {
                throw CheckoutError.pricesChanged(newQuote: quote)
            }

            try takeStock(for: quote, in: database)

            let timestamp = now()
            let orderID = try insertOrder(prepared, customerID: customerID, language: settings.language, at: timestamp, in: database)
            try insertLines(quote.lines, orderID: orderID, in: database)
            var order = try OrderStore.require(id: orderID, in: database)

            let instructions = prepared.paymentProcessor.instructions(for: order, method: prepared.paymentMethod) ?? ""
            if instructions != order.paymentInstructions {
                try database.run("UPDATE orders SET payment_instructions = ? WHERE id = ?", instructions, orderID)
                order.paymentInstructions = instructions
            }

            let total = Money(minorUnits: quote.total, currency: prepared.currency).formatted()
            let units = order.itemCount == 1 ? "1 item" : "\(order.itemCount) items"
            try OrderStore.recordEvent(
                .placed, orderID: orderID, actor: .shopper,
                message: "Order placed: \(units), total \(total), payment by \(order.paymentMethodName).",
                at: timestamp, in: database
            )

            try database.run("DELETE FROM cart_lines WHERE cart_id = ?", prepared.cart.id)
            try database.run(
                "UPDATE carts SET updated_at = ?1, placed_order_id = ?2, placed_fingerprint = ?3, placed_at = ?1 WHERE id = ?4",
                timestamp, orderID, quote.fingerprint, prepared.cart.id
            )

            try OrderStore.enqueueMails(composeMails(order), for: order, at: timestamp, in: database)
            return order
        }
    }

    /// Takes every line's quantity from stock. Each update succeeds only while enough stock
    /// is left, so concurrent checkouts (serialised by BEGIN IMMEDIATE) can never sell more
    /// than there is. `updated_at` is left alone because it records the merchant's edits.
    ///
    /// - Throws: `CheckoutError.soldOut` naming every short line; the caller's transaction
    ///   then rolls back the updates that succeeded.
    private func takeStock(for quote: CheckoutQuote, in database: Database) throws {
        var short: [String] = []
        for line in quote.lines {
            try database.run(
                "UPDATE products SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1",
                line.quantity, line.productID
            )
            if database.changes == 0 {
                short.append(line.title)
            }
        }
        guard short.isEmpty else { throw CheckoutError.soldOut(productTitles: short) }
    }

    private func insertOrder(_ prepared: Prepared, customerID: Int64?, language: String, at timestamp: Date, in database: Database) throws -> Int64 {
        let details = prepared.details
        let quote = prepared.quote
        let shipping = details.shippingAddress
        let billing = details.effectiveBillingAddress
        let number = try database.scalar("SELECT coalesce(max(number), 1000) + 1 FROM orders", as: Int64.self) ?? 1001
        let accessToken = SecureRandom.token()
        let initialStatus = prepared.paymentProcessor.initialStatus

        try database.run(
            """
            INSERT INTO orders (
                number, status, fulfillment, customer_id, email, email_key,
                shipping_name, shipping_line1, shipping_line2, shipping_city, shipping_postal_code, shipping_region, shipping_country,
                billing_name, billing_line1, billing_line2, billing_city, billing_postal_code, billing_region, billing_country,
                shipping_method_id, shipping_method_name, shipping_price,
                payment_method_id, payment_method_kind, payment_method_name, payment_instructions,
                currency_code, subtotal, total, notes, language, access_token, access_token_hash,
                placed_at, paid_at, updated_at
            ) VALUES (
                :number, :status, 'unfulfilled', :customer_id, :email, :email_key,
                :shipping_name, :shipping_line1, :shipping_line2, :shipping_city, :shipping_postal_code, :shipping_region, :shipping_country,
                :billing_name, :billing_line1, :billing_line2, :billing_city, :billing_postal_code, :billing_region, :billing_country,
                :shipping_method_id, :shipping_method_name, :shipping_price,
                :payment_method_id, :payment_method_kind, :payment_method_name, '',
                :currency_code, :subtotal, :total, :notes, :language, :access_token, :access_token_hash,
                :placed_at, :paid_at, :placed_at
            )
            """,
            [
                "number": number,
                "status": initialStatus.rawValue,
                "customer_id": customerID,
                "email": details.email,
                "email_key": EmailAddress.key(details.email),
                "shipping_name": shipping.name,
                "shipping_line1": shipping.line1,
                "shipping_line2": shipping.line2,
                "shipping_city": shipping.city,
                "shipping_postal_code": shipping.postalCode,
                "shipping_region": shipping.region,
                "shipping_country": shipping.country,
                "billing_name": billing.name,
                "billing_line1": billing.line1,
                "billing_line2": billing.line2,
                "billing_city": billing.city,
                "billing_postal_code": billing.postalCode,
                "billing_region": billing.region,
                "billing_country": billing.country,
                "shipping_method_id": quote.shippingMethodID,
                "shipping_method_name": quote.shippingMethodName,
                "shipping_price": quote.shippingPrice,
                "payment_method_id": prepared.paymentMethod.id,
                "payment_method_kind": prepared.paymentMethod.kind.rawValue,
                "payment_method_name": prepared.paymentMethod.name,
                "currency_code": quote.currency.code,
                "subtotal": quote.subtotal,
                "total": quote.total,
                "notes": details.notes,
                "language": language,
                "access_token": accessToken,
                "access_token_hash": SHA256.hash(accessToken),
                "placed_at": timestamp,
                "paid_at": initialStatus == .paid ? timestamp : nil,
            ]
        )
        return database.lastInsertRowID
    }

    private func insertLines(_ lines: [CheckoutQuote.Line], orderID: Int64, in database: Database) throws {
        for line in lines {
            try database.run(
                """
                INSERT INTO order_lines (order_id, product_id, title, sku, unit_price, quantity, line_total)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                orderID, line.productID, line.title, line.sku, line.unitPrice, line.quantity, line.lineTotal
            )
        }
    }
}
