import Crypto
import Foundation
import SQLite

extension Checkout {
    /// How long after placing an order a second submission of the same checkout still leads
    /// to that order: 1 hour, in seconds. A double click or a reload arrives within
    /// seconds, so a much later POST is treated as a new visit and gets the emptied cart.
    public static let resubmissionWindow: TimeInterval = 60 * 60

    /// Returns the order that the cart with `cartToken` became, when this submission repeats
    /// the one that placed it: the cart is still empty, the order was placed within
    /// `resubmissionWindow`, and `confirmedFingerprint` is the fingerprint confirmed then.
    ///
    /// A shopper who fills the same cart again and confirms an identical quote gets a new
    /// order, because a cart with lines never matches.
    func orderPlacedBefore(cartToken: String, confirmedFingerprint: String, in database: Database) throws -> Order? {
        guard let placed = try recentPlacement(cartToken: cartToken, in: database),
              constantTimeEquals(placed.fingerprint, confirmedFingerprint.lowercased())
        else { return nil }
        return try OrderStore.find(id: placed.orderID, in: database)
    }

    /// Returns the order that the cart with `cartToken` became within `resubmissionWindow`,
    /// while the cart is still empty, so that the cart page can point to it instead of only
    /// saying that the cart is empty. Nil for an unknown cart or one with lines.
    public func recentOrder(cartToken: String) throws -> Order? {
        try database.transaction(.immediate) { database in
            guard let placed = try recentPlacement(cartToken: cartToken, in: database) else { return nil }
            return try OrderStore.find(id: placed.orderID, in: database)
        }
    }

    private func recentPlacement(cartToken: String, in database: Database) throws -> (orderID: Int64, fingerprint: String)? {
        let carts = CartStore(database: database, now: now)
        guard let cart = try carts.liveCartRow(token: cartToken, in: database) else { return nil }
        let placed = try database.queryFirst(
            """
            SELECT placed_order_id, placed_fingerprint, placed_at FROM carts
            WHERE id = ? AND placed_order_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = carts.id)
            """,
            cart.id
        ) { row in
            (try row.get("placed_order_id", as: Int64.self), try row.get("placed_fingerprint", as: String.self), try row.get("placed_at", as: Date.self))
        }
        guard let (orderID, fingerprint, placedAt) = placed, now().timeIntervalSince(placedAt) < Self.resubmissionWindow else {
            return nil
        }
        return (orderID, fingerprint)
    }
}
