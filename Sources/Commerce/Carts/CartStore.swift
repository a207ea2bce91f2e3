import Crypto
import Foundation
import SQLite

/// Shoppers' carts, kept in the store's file so they survive a restart.
///
/// A cart is identified by a random token that the app keeps in a cookie; the row stores
/// only its SHA-256, so a copy of the database reveals no usable cart link. Every change
/// runs in one IMMEDIATE transaction. Quantities are checked against the product's stock
/// when they change, and again when the order is placed, since stock can fall meanwhile.
public struct CartStore {
    /// A cart untouched for this long (30 days) expires and is deleted by `purgeExpired`.
    public static let defaultLifetime: TimeInterval = 30 * 24 * 60 * 60
    public static let maximumQuantity = 999
    public static let maximumLines = 100
    /// `updated_at` is written on a visit at most this often, in seconds, so browsing the
    /// cart does not turn every page view into a write.
    public static let touchInterval: TimeInterval = 60 * 60

    public let database: Database
    public let lifetime: TimeInterval
    private let now: @Sendable () -> Date

    public init(
        database: Database,
        lifetime: TimeInterval = CartStore.defaultLifetime,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.lifetime = lifetime
        self.now = now
    }

    // MARK: - Reading

    /// Returns the cart for a cookie's token, or nil when the token is unknown or the cart
    /// expired. Deletes an expired cart, and records the visit when the last record is at
    /// least `touchInterval` old, so it needs a connection that may write.
    public func find(token: String?) throws -> Cart? {
        try database.transaction(.immediate) { database in
            guard let row = try liveCartRow(token: token, in: database) else { return nil }
            var updatedAt = row.updatedAt
            let currentTime = now()
            if currentTime.timeIntervalSince(updatedAt) >= Self.touchInterval {
                try database.run("UPDATE carts SET updated_at = ? WHERE id = ?", currentTime, row.id)
                updatedAt = currentTime
            }
            return try Self.load(cartID: row.id, createdAt: row.createdAt, updatedAt: updatedAt, in: database)
        }
    }

    /// Looks up the cart for a cookie's token without writing. Returns `.needsWrite` when
    /// `find(token:)` would write: to delete an expired cart, or to record a visit because
    /// the cart's last change or visit is at least `touchInterval` old.
    public func findWithoutWriting(token: String?) throws -> VisitLookup<Cart> {
        guard let token, !token.isEmpty, token.utf8.count <= 256 else { return .notFound }
        guard let row = try database.queryFirst(
            "SELECT id, created_at, updated_at FROM carts WHERE token_hash = ?", SHA256.hash(token),
            map: { CartRow(id: try $0.get("id"), createdAt: try $0.get("created_at"), updatedAt: try $0.get("updated_at")) }
        ) else {
            return .notFound
        }

        let age = now().timeIntervalSince(row.updatedAt)
        if age >= lifetime || age >= Self.touchInterval {
            return .needsWrite
        }
        return .found(try Self.load(cartID: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt, in: database))
    }

    // MARK: - Changing

    /// Adds `quantity` units of product `productID`, creating a cart when `token` is nil,
    /// unknown or expired. A product already in the cart gets the units added to its line,
    /// and its seen price becomes the current one (the shopper just saw it).
    ///
    /// - Returns: the token to keep in the cookie (new when a cart was created) and the cart.
    /// - Throws: `ValidationErrors` on `quantity` when the quantity is outside 1...999 or
    ///   above the stock; `CommerceError.notFound` for an unknown product;
    ///   `CartError.productUnavailable` for a hidden one; `CartError.tooManyLines`.
    public func add(productID: Int64, quantity: Int = 1, token: String?) throws -> (token: String, cart: Cart) {
        try database.transaction(.immediate) { database in
            guard let product = try Self.product(id: productID, in: database) else {
                throw CommerceError.notFound(entity: "product", id: String(productID))
            }
            guard product.isVisible else { throw CartError.productUnavailable(title: product.title) }
            guard quantity >= 1 else {
                throw ValidationErrors(field: "quantity", message: "Quantity must be at least 1.")
            }

            let cartToken: String
            let cart: CartRow
            if let token, let live = try liveCartRow(token: token, in: database) {
                (cartToken, cart) = (token, live)
            } else {
                (cartToken, cart) = try createCart(in: database)
            }

            let existing = try database.scalar(
                "SELECT quantity FROM cart_lines WHERE cart_id = ? AND product_id = ?", cart.id, productID, as: Int.self
            )
            let timestamp = now()
            if let existing {
                let total = existing + quantity
                try Self.checkQuantity(total, of: product, alreadyInCart: existing)
                try database.run(
                    "UPDATE cart_lines SET quantity = ?, seen_unit_price = ? WHERE cart_id = ? AND product_id = ?",
                    total, product.price, cart.id, productID
                )
            } else {
                try Self.checkQuantity(quantity, of: product, alreadyInCart: 0)
                let lineCount = try database.scalar("SELECT count(*) FROM cart_lines WHERE cart_id = ?", cart.id, as: Int.self) ?? 0
                guard lineCount < Self.maximumLines else { throw CartError.tooManyLines(limit: Self.maximumLines) }
                try database.run(
                    "INSERT INTO cart_lines (cart_id, product_id, quantity, seen_unit_price, added_at) VALUES (?, ?, ?, ?, ?)",
                    cart.id, productID, quantity, product.price, timestamp
                )
            }

            try database.run("UPDATE carts SET updated_at = ? WHERE id = ?", timestamp, cart.id)
            return (cartToken, try Self.load(cartID: cart.id, createdAt: cart.createdAt, updatedAt: timestamp, in: database))
        }
    }

    /// Sets the quantity of product `productID`'s line. Zero removes the line, as a cart
    /// form's quantity field of 0 means. The seen price is left alone, so a price change
    /// stays flagged.
    ///
    /// - Throws: `CartError.notFound` for an unknown or expired cart; `ValidationErrors` on
    ///   `quantity` for a negative quantity, one above 999 or one above the stock;
    ///   `CommerceError.notFound` when the cart has no line for the product.
    @discardableResult
    public func setQuantity(_ quantity: Int, productID: Int64, token: String) throws -> Cart {
        guard quantity != 0 else { return try remove(productID: productID, token: token) }

        return try changingCart(token: token) { cartID, database in
            guard try Self.lineExists(cartID: cartID, productID: productID, in: database),
                  let product = try Self.product(id: productID, in: database) else {
                throw CommerceError.notFound(entity: "cart line for product", id: String(productID))
            }
            guard quantity > 0 else {
                throw ValidationErrors(field: "quantity", message: "Quantity must be at least 1, or 0 to remove “\(product.title)”.")
            }
            try Self.checkQuantity(quantity, of: product, alreadyInCart: 0)
            try database.run(
                "UPDATE cart_lines SET quantity = ? WHERE cart_id = ? AND product_id = ?", quantity, cartID, productID
            )
        }
    }

    /// Removes product `productID` from the cart. Removing a product that is not in the
    /// cart changes nothing, so a repeated form post succeeds.
    ///
    /// - Throws: `CartError.notFound` for an unknown or expired cart.
    @discardableResult
    public func remove(productID: Int64, token: String) throws -> Cart {
        try changingCart(token: token) { cartID, database in
            try database.run("DELETE FROM cart_lines WHERE cart_id = ? AND product_id = ?", cartID, productID)
        }
    }

    /// Removes every line; the cart and its token stay.
    ///
    /// - Throws: `CartError.notFound` for an unknown or expired cart.
    @discardableResult
    public func clear(token: String) throws -> Cart {
        try changingCart(token: token) { cartID, database in
            try database.run("DELETE FROM cart_lines WHERE cart_id = ?", cartID)
        }
    }

    /// Records that the shopper has seen the current prices: every line's seen price becomes
    /// the product's current price, which clears the price-change flags.
    ///
    /// - Throws: `CartError.notFound` for an unknown or expired cart.
    @discardableResult
    public func acceptCurrentPrices(token: String) throws -> Cart {
        try changingCart(token: token) { cartID, database in
            try database.run(
                """
                UPDATE cart_lines SET seen_unit_price = (SELECT price FROM products WHERE products.id = cart_lines.product_id)
                WHERE cart_id = ?
                """,
                cartID
            )
        }
    }

    /// Deletes carts untouched for `lifetime` and returns how many there were. `find`
    /// already ignores them, so this only reclaims space. Run it from a periodic job.
    @discardableResult
    public func purgeExpired() throws -> Int {
        try database.transaction(.immediate) { database in
            try database.run("DELETE FROM carts WHERE updated_at <= ?", now().addingTimeInterval(-lifetime))
            return database.changes
        }
    }

    // MARK: - Helpers

    struct CartRow {
        let id: Int64
        let createdAt: Date
        let updatedAt: Date
    }

    /// Returns the cart row for `token` unless it is unknown or expired; deletes an expired one.
    func liveCartRow(token: String?, in database: Database) throws -> CartRow? {
        // Tokens from `createCart` are 43 characters; anything far longer is not one of ours
        // and need not be hashed.
        guard let token, !token.isEmpty, token.utf8.count <= 256 else { return nil }

        guard let row = try database.queryFirst(
            "SELECT id, created_at, updated_at FROM carts WHERE token_hash = ?", SHA256.hash(token),
            map: { CartRow(id: try $0.get("id"), createdAt: try $0.get("created_at"), updatedAt: try $0.get("updated_at")) }
        ) else {
            return nil
        }
        guard now().timeIntervalSince(row.updatedAt) < lifetime else {
            try database.run("DELETE FROM carts WHERE id = ?", row.id)
            return nil
        }
        return row
    }

    private func createCart(in database: Database) throws -> (String, CartRow) {
        let token = SecureRandom.token()
        let timestamp = now()
        try database.run(
            "INSERT INTO carts (token_hash, created_at, updated_at) VALUES (?, ?, ?)", SHA256.hash(token), timestamp, timestamp
        )
        return (token, CartRow(id: database.lastInsertRowID, createdAt: timestamp, updatedAt: timestamp))
    }

    /// Runs `change` on the live cart for `token` in one transaction, records the change
    /// time, and returns the cart as it is afterwards.
    private func changingCart(token: String, _ change: (Int64, Database) throws -> Void) throws -> Cart {
        try database.transaction(.immediate) { database in
            guard let cart = try liveCartRow(token: token, in: database) else { throw CartError.notFound }
            try change(cart.id, database)
            let timestamp = now()
            try database.run("UPDATE carts SET updated_at = ? WHERE id = ?", timestamp, cart.id)
            return try Self.load(cartID: cart.id, createdAt: cart.createdAt, updatedAt: timestamp, in: database)
        }
    }

    static func load(cartID: Int64, createdAt: Date, updatedAt: Date, in database: Database) throws -> Cart {
        let lines = try database.query(
            """
            SELECT \(CartLine.columns)
            FROM cart_lines JOIN products ON products.id = cart_lines.product_id
            WHERE cart_lines.cart_id = ?
            ORDER BY cart_lines.id
            """,
            cartID,
            map: CartLine.init(row:)
        )
        let currency = try StoreSettings.load(from: database).currency ?? .usd
        return Cart(id: cartID, lines: lines, currency: currency, createdAt: createdAt, updatedAt: updatedAt)
    }

    private static func product(id: Int64, in database: Database) throws -> Product? {
        try database.queryFirst("SELECT \(Product.columns) FROM products WHERE id = ?", id, map: Product.init(row:))
    }

    private static func lineExists(cartID: Int64, productID: Int64, in database: Database) throws -> Bool {
        try database.scalar(
            "SELECT EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = ? AND product_id = ?)", cartID, productID, as: Bool.self
        ) ?? false
    }

    /// Throws `ValidationErrors` on `quantity` unless `quantity` units of `product` fit the
    /// 999 limit and the stock. `alreadyInCart` is the line's quantity before an addition,
    /// mentioned in the message so the shopper understands the sum.
    private static func checkQuantity(_ quantity: Int, of product: Product, alreadyInCart: Int) throws {
        let inCart = alreadyInCart > 0 ? ", and your cart already has \(alreadyInCart)" : ""
        if quantity > maximumQuantity {
            throw ValidationErrors(
                field: "quantity",
                message: "At most \(maximumQuantity) of “\(product.title)” fit in one cart\(inCart)."
            )
        }
        if product.stock == 0 {
            throw ValidationErrors(field: "quantity", message: "“\(product.title)” is sold out.")
        }
        if quantity > product.stock {
            let units = product.stock == 1 ? "1 is" : "\(formatWithGrouping(product.stock)) are"
            throw ValidationErrors(
                field: "quantity",
                message: "Only \(units) in stock of “\(product.title)”\(inCart); choose a smaller quantity."
            )
        }
    }
}
