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
        /// Orders of the period (the days and the month) placed in another currency, before
        /// the store changed its currency. They count as orders in `days`, `today` and
        /// `thisMonth`, but their totals are left out of the revenue, which is in `currency`.
        public let otherCurrencyOrderCount: Int

        public init(days: [DayFigures], today: Figures, thisMonth: Figures, currency: Currency, otherCurrencyOrderCount: Int = 0) {
            self.days = days
            self.today = today
            self.thisMonth = thisMonth
            self.currency = currency
            self.otherCurrencyOrderCount = otherCurrencyOrderCount
        }
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
            let currency = try StoreSettings.load(from: database).currency ?? .usd
            // `placed_at` is UTC text beginning with YYYY-MM-DD, so its first ten characters
            // are the UTC day. Amounts in another currency cannot be added to the store's.
            let rows = try database.query(
                """
                SELECT substr(placed_at, 1, 10) AS day, count(*) AS order_count,
                       coalesce(sum(CASE WHEN currency_code = ? THEN total ELSE 0 END), 0) AS revenue,
                       coalesce(sum(currency_code <> ?), 0) AS other_currency
                FROM orders
                WHERE status NOT IN ('canceled', 'abandoned') AND placed_at >= ? AND placed_at < ?
                GROUP BY day
                """,
                currency.code, currency.code, queryStart.start, today.adding(days: 1).start,
                map: { row in
                    (day: try row.get("day", as: String.self),
                     figures: Figures(orderCount: try row.get("order_count"), revenue: try row.get("revenue")),
                     otherCurrency: try row.get("other_currency", as: Int.self))
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
            let otherCurrency = rows.reduce(0) { $0 + $1.otherCurrency }
            return Summary(days: days, today: byDay[today] ?? .zero, thisMonth: month, currency: currency, otherCurrencyOrderCount: otherCurrency)
        }
    }
}
