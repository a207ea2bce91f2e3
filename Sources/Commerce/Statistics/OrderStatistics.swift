import Foundation
import SQLite

/// Order counts and revenue for the admin dashboard, by UTC day.
///
/// An order counts on the UTC day it was placed unless it is now canceled or abandoned;
/// pending and paid orders both count. Revenue is the sum of those orders' totals
/// (shipping included) in minor units of the store's currency.
public struct OrderStatistics {
    /// Orders and revenue of one period.
    public struct Figures: Sendable, Hashable {
        public let orderCount: Int
        public let revenue: Int64

        public init(orderCount: Int, revenue: Int64) {
            self.orderCount = orderCount
            self.revenue = revenue
        }

        public static let zero = Figures(orderCount: 0, revenue: 0)
    }

    /// The figures of one UTC day.
    public struct DayFigures: Sendable, Hashable {
        public let day: UTCDay
        public let figures: Figures
    }

    public struct Summary: Sendable, Hashable {
        /// One entry per day, oldest first and ending today, with zeros for days without
        /// orders.
        public let days: [DayFigures]
        public let today: Figures
        /// From the first of the current UTC month through today.
        public let thisMonth: Figures
        public let currency: Currency
    }

    public static let maximumDays = 366

    public let database: Database
    private let now: @Sendable () -> Date

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Returns the figures of the last `dayCount` UTC days (today included; clamped to
    /// 1...366), of today and of the current month.
    public func summary(dayCount: Int = 30) throws -> Summary {
        let dayCount = min(max(1, dayCount), Self.maximumDays)
        let today = UTCDay(now())
        let firstDay = today.adding(days: -(dayCount - 1))
        let monthStart = today.firstOfMonth
        let queryStart = min(firstDay, monthStart)

        return try database.transaction(.deferred) { database in
            // `placed_at` is UTC text beginning with YYYY-MM-DD, so its first ten characters
            // are the UTC day.
            let rows = try database.query(
                """
                SELECT substr(placed_at, 1, 10) AS day, count(*) AS order_count, coalesce(sum(total), 0) AS revenue
                FROM orders
                WHERE status NOT IN ('canceled', 'abandoned') AND placed_at >= ? AND placed_at < ?
                GROUP BY day
                """,
                queryStart.start, today.adding(days: 1).start,
                map: { row in
                    (day: try row.get("day", as: String.self),
                     figures: Figures(orderCount: try row.get("order_count"), revenue: try row.get("revenue")))
                }
            )
            var byDay: [UTCDay: Figures] = [:]
            for row in rows {
                if let day = UTCDay(row.day) {
                    byDay[day] = row.figures
                }
            }

            let days = (0..<dayCount).map { offset in
                let day = firstDay.adding(days: offset)
                return DayFigures(day: day, figures: byDay[day] ?? .zero)
            }
            let month = byDay.filter { $0.key >= monthStart }.values.reduce(Figures.zero) { sum, figures in
                Figures(orderCount: sum.orderCount + figures.orderCount, revenue: sum.revenue + figures.revenue)
            }
            let currency = try StoreSettings.load(from: database).currency ?? .usd
            return Summary(days: days, today: byDay[today] ?? .zero, thisMonth: month, currency: currency)
        }
    }
}
