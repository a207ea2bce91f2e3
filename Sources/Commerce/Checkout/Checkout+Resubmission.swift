import Crypto
import Foundation
import SQLite

extension Checkout {
    /// How long after placing an order a second submission of the same checkout still leads
    /// to that order: 1 hour, in seconds. A double click or a reload arrives within
    /// seconds; a much later POST is a new visit, which sees the emptied cart instead.
    public static let resubmissionWindow: TimeInterval = 60 * 60

    /// Returns the order that the cart with `cartToken` became, when this submission repeats
    /// the one that placed it: the cart is still empty, the order was placed within
    /// `resubmissionWindow`, and `confirmedFingerprint` is the fingerprint confirmed then.
    ///
    /// A shopper who fills the same cart again and confirms an identical quote gets a new
    /// order, because a cart with lines never matches.
    func orderPlacedBefore(cartToken: String, confirmedFingerprint: String, in database: Database) throws -> Order? {
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
        guard let (orderID, fingerprint, placedAt) = placed,
              now().timeIntervalSince(placedAt) < Self.resubmissionWindow,
              constantTimeEquals(fingerprint, confirmedFingerprint.lowercased())
        else { return nil }
        return try OrderStore.find(id: orderID, in: database)
    }
}
