import Foundation
import SQLite

extension OrderStore {
    /// Abandons every order still in `pendingPayment` and unfulfilled that was placed at
    /// least `window` seconds ago, putting back its stock and writing a timeline event by
    /// the system. Shipped orders are left alone, since cash on delivery is paid only when
    /// the carrier delivers. Run it from a periodic job.
    ///
    /// All orders are abandoned in one transaction, so a throw from `composeMails` leaves
    /// every order as it was.
    ///
    /// - Parameters:
    ///   - window: nil for the store's `OrderSettings.abandonAfterDays` (7 days unless the
    ///     merchant changed it).
    ///   - composeMails: builds the mails for each abandoned order, for example a note to
    ///     the shopper; none by default.
    /// - Returns: the abandoned orders, oldest first.
    @discardableResult
    public func abandonStalePendingOrders(
        olderThan window: TimeInterval? = nil,
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> [Order] {
        try database.transaction(.immediate) { database in
            let window = max(0, try window ?? OrderSettings.load(from: database).abandonmentWindow)
            let time = now()
            let ids = try database.query(
                """
                SELECT id FROM orders
                WHERE status = 'pending_payment' AND fulfillment = 'unfulfilled' AND placed_at <= ?
                ORDER BY placed_at, id
                """,
                time.addingTimeInterval(-window),
                map: { try $0.get("id", as: Int64.self) }
            )

            var abandoned: [Order] = []
            for id in ids {
                let order = try Self.require(id: id, in: database)
                try database.run(
                    "UPDATE orders SET status = 'abandoned', abandoned_at = ?, updated_at = ? WHERE id = ?", time, time, id
                )
                try Self.restoreStock(of: order, in: database)
                try Self.recordEvent(
                    .abandoned, orderID: id, actor: .system,
                    message: "Abandoned: not paid within \(Self.describe(window)); stock put back.",
                    at: time, in: database
                )
                let changed = try Self.require(id: id, in: database)
                try Self.enqueueMails(composeMails(changed), for: changed, at: time, in: database)
                abandoned.append(changed)
            }
            return abandoned
        }
    }

    /// "7 days", "1 day", or hours for windows below a day.
    private static func describe(_ window: TimeInterval) -> String {
        let day: TimeInterval = 24 * 60 * 60
        if window >= day && window.truncatingRemainder(dividingBy: day) == 0 {
            let days = Int(window / day)
            return days == 1 ? "1 day" : "\(days) days"
        }
        let hours = Int((window / 3600).rounded())
        return hours == 1 ? "1 hour" : "\(hours) hours"
    }
}
