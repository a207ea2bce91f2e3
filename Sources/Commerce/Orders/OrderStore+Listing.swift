import Foundation
import SQLite

/// One row of the admin order list.
public struct OrderSummary: Sendable, Hashable, Identifiable {
    public let id: Int64
    public let number: Int64
    public let status: OrderStatus
    public let fulfillment: FulfillmentStatus
    public let email: String
    /// The shipping address's name.
    public let customerName: String
    public let shippingCountry: String
    public let itemCount: Int
    public let total: Int64
    public let currencyCode: String
    public let paymentMethodKind: PaymentMethodKind
    public let paymentMethodName: String
    public let placedAt: Date

    static let columns = """
        id, number, status, fulfillment, email, shipping_name, shipping_country, total, currency_code,
        payment_method_kind, payment_method_name, placed_at,
        (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_lines.order_id = orders.id) AS item_count
        """

    init(row: Row) throws {
        id = try row.get("id")
        number = try row.get("number")
        status = try Order.decode(OrderStatus.self, column: "status", in: row)
        fulfillment = try Order.decode(FulfillmentStatus.self, column: "fulfillment", in: row)
        email = try row.get("email")
        customerName = try row.get("shipping_name")
        shippingCountry = try row.get("shipping_country")
        itemCount = try row.get("item_count")
        total = try row.get("total")
        currencyCode = try row.get("currency_code")
        paymentMethodKind = PaymentMethodKind(rawValue: try row.get("payment_method_kind"))
        paymentMethodName = try row.get("payment_method_name")
        placedAt = try row.get("placed_at")
    }
}

/// A page of the admin order list with the figures of every order the filter matches.
public struct OrderList: Sendable {
    public let page: Page<OrderSummary>
    /// Orders matching the filter on all pages.
    public var matchingCount: Int { page.totalCount }
    /// The sum of the matching orders' totals, in minor units, canceled and abandoned
    /// orders included when the filter includes them.
    public let matchingTotal: Int64
    /// The sum of the matching orders' totals without the canceled and abandoned ones,
    /// which is what the dashboard counts as sales.
    public let salesTotal: Int64
    /// How many matching orders are canceled or abandoned, so left out of `salesTotal`.
    public let uncountedCount: Int
    /// The number of orders that `salesTotal` would count but that were placed in another
    /// currency, before the store changed its own, so their amounts are left out. Canceled
    /// and abandoned orders are in `uncountedCount` instead, as on the dashboard.
    public let otherCurrencyCount: Int
    /// The same for `matchingTotal`: every matching order in another currency.
    public let otherCurrencyMatchingCount: Int
}

extension OrderStore {
    public static let maximumPerPage = 100

    /// Returns one page of the orders matching `filter`, newest first, with the count and
    /// total of all matching orders.
    ///
    /// - Parameters:
    ///   - page: 1-based; values below 1 read as 1. A page past the end has no items.
    ///   - perPage: clamped to 1...`maximumPerPage`.
    /// - Throws: `ValidationErrors` when the filter's date range ends before it starts.
    public func list(filter: OrderFilter = OrderFilter(), page: Int = 1, perPage: Int = 25) throws -> OrderList {
        try filter.validationErrors().throwIfAny()
        let page = max(1, page)
        let perPage = min(max(1, perPage), Self.maximumPerPage)
        let (clause, arguments) = filter.sqlCondition()

        return try database.transaction(.deferred) { database in
            // Amounts in another currency cannot be added to the store's, so the totals
            // count only orders in the store's current currency.
            let currencyCode = try StoreSettings.load(from: database).currencyCode
            let totals = try database.queryFirst(
                """
                SELECT count(*) AS matching,
                       coalesce(sum(CASE WHEN currency_code = ? THEN total ELSE 0 END), 0) AS amount,
                       coalesce(sum(CASE WHEN status IN ('canceled', 'abandoned') OR currency_code <> ? THEN 0 ELSE total END), 0) AS sales,
                       coalesce(sum(status IN ('canceled', 'abandoned')), 0) AS uncounted,
                       coalesce(sum(currency_code <> ? AND status NOT IN ('canceled', 'abandoned')), 0) AS other_currency,
                       coalesce(sum(currency_code <> ?), 0) AS other_currency_matching
                FROM orders\(clause)
                """,
                // The currency's four placeholders come before the filter's.
                arguments: StatementArguments([currencyCode, currencyCode, currencyCode, currencyCode] + arguments),
                map: { row in
                    (count: try row.get("matching", as: Int.self), amount: try row.get("amount", as: Int64.self),
                     sales: try row.get("sales", as: Int64.self), uncounted: try row.get("uncounted", as: Int.self),
                     otherCurrency: try row.get("other_currency", as: Int.self),
                     otherCurrencyMatching: try row.get("other_currency_matching", as: Int.self))
                }
            ) ?? (count: 0, amount: 0, sales: 0, uncounted: 0, otherCurrency: 0, otherCurrencyMatching: 0)

            let items = try database.query(
                "SELECT \(OrderSummary.columns) FROM orders\(clause) ORDER BY placed_at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [perPage, (page - 1) * perPage]),
                map: OrderSummary.init(row:)
            )
            return OrderList(
                page: Page(items: items, page: page, perPage: perPage, totalCount: totals.count),
                matchingTotal: totals.amount,
                salesTotal: totals.sales,
                uncountedCount: totals.uncounted,
                otherCurrencyCount: totals.otherCurrency,
                otherCurrencyMatchingCount: totals.otherCurrencyMatching
            )
        }
    }
}
