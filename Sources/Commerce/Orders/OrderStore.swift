import Crypto
import Foundation
import SQLite

/// The store's orders: lookups for the admin and the shopper, the status changes staff
/// make, abandonment of unpaid orders, and the admin list. Checkout creates orders.
///
/// Every change runs in one IMMEDIATE transaction together with its timeline event, its
/// stock changes and its mails, so none of them exists without the others.
public struct OrderStore {
    public let database: Database
    let now: @Sendable () -> Date

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    // MARK: - Lookups

    public func find(id: Int64) throws -> Order? {
        try Self.find(id: id, in: database)
    }

    /// Returns the order with `number`, as staff type it.
    public func find(number: Int64) throws -> Order? {
        try findFirst(where: "number = ?", number)
    }

    /// Returns the order with `number` placed with `email`, ignoring letter case and
    /// surrounding spaces, for the guest order lookup form. Both must match, so a number
    /// alone reveals nothing.
    public func find(number: Int64, email: String) throws -> Order? {
        try findFirst(where: "number = ? AND email_key = ?", number, EmailAddress.key(email))
    }

    /// Returns the order whose status link carries `token`, or nil.
    ///
    /// The row is found by the token's SHA-256, which reveals nothing useful through timing,
    /// and the stored token is then compared with `token` in constant time.
    public func find(accessToken token: String) throws -> Order? {
        // Tokens are 43 characters; anything far longer is not one of ours.
        guard !token.isEmpty, token.utf8.count <= 256 else { return nil }
        guard let order = try findFirst(where: "access_token_hash = ?", SHA256.hash(token)),
              constantTimeEquals(order.accessToken, token)
        else { return nil }
        return order
    }

    /// Returns the timeline of order `orderID`, oldest first. Pass `includeInternal: false`
    /// for the shopper's status page, which must not show staff notes.
    public func timeline(orderID: Int64, includeInternal: Bool = true) throws -> [OrderEvent] {
        let filter = includeInternal ? "" : " AND kind <> 'note'"
        return try database.query(
            "SELECT \(OrderEvent.columns) FROM order_events WHERE order_id = ?\(filter) ORDER BY id", orderID,
            map: OrderEvent.init(row:)
        )
    }

    // MARK: - Shared helpers

    private func findFirst(where condition: String, _ values: (any SQLValueConvertible)?...) throws -> Order? {
        let row = try database.queryFirst(
            "SELECT \(Order.columns) FROM orders WHERE \(condition)", arguments: StatementArguments(values), map: { $0 }
        )
        guard let row else { return nil }
        return try Order(row: row, lines: Self.lines(orderID: try row.get("id"), in: database))
    }

    static func find(id: Int64, in database: Database) throws -> Order? {
        guard let row = try database.queryFirst("SELECT \(Order.columns) FROM orders WHERE id = ?", id, map: { $0 }) else {
            return nil
        }
        return try Order(row: row, lines: lines(orderID: id, in: database))
    }

    static func require(id: Int64, in database: Database) throws -> Order {
        guard let order = try find(id: id, in: database) else {
            throw CommerceError.notFound(entity: "order", id: String(id))
        }
        return order
    }

    static func lines(orderID: Int64, in database: Database) throws -> [OrderLine] {
        try database.query(
            "SELECT \(OrderLine.columns) FROM order_lines WHERE order_id = ? ORDER BY id", orderID,
            map: OrderLine.init(row:)
        )
    }

    static func recordEvent(
        _ kind: OrderEvent.Kind, orderID: Int64, actor: OrderActor, message: String, at time: Date, in database: Database
    ) throws {
        try database.run(
            "INSERT INTO order_events (order_id, kind, actor, message, created_at) VALUES (?, ?, ?, ?, ?)",
            orderID, kind.rawValue, actor.storedValue, message, time
        )
    }

    /// Inserts `mails` into the outbox in the open transaction, linking those without an
    /// order to `order`.
    static func enqueueMails(_ mails: [OutgoingMail], for order: Order, at time: Date, in database: Database) throws {
        guard !mails.isEmpty else { return }
        let linked = mails.map { mail in
            var mail = mail
            mail.relatedOrderID = mail.relatedOrderID ?? order.id
            return mail
        }
        _ = try Outbox.enqueue(linked, at: time, in: database)
    }

    /// Puts back the stock of every line whose product still exists. Like checkout, it
    /// leaves the product's `updated_at`, which records the merchant's edits.
    static func restoreStock(of order: Order, in database: Database) throws {
        for line in order.lines {
            guard let productID = line.productID else { continue }
            try database.run("UPDATE products SET stock = stock + ? WHERE id = ?", line.quantity, productID)
        }
    }
}
