import Commerce
import Foundation
import Testing

@Suite struct OrderStatisticsTests {
    @Test func emptyStoreIsZeroFilled() throws {
        let store = try TestStore()
        let summary = try store.statistics.summary()
        #expect(summary.days.count == 30)
        #expect(summary.days.first?.day.description == "2026-01-31")
        #expect(summary.days.last?.day.description == "2026-03-01")
        #expect(summary.days.allSatisfy { $0.figures == .zero })
        #expect(summary.today == .zero)
        #expect(summary.thisMonth == .zero)
    }

    @Test func countsOpenOrdersPerUTCDay() throws {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        // 2026-03-01 12:00 UTC: two orders, one later canceled.
        try shop.buy([(shop.mug, 1)])
        let canceled = try shop.buy([(shop.lamp, 1)])
        try shop.store.orders.cancel(id: canceled.id, by: .system)

        // 2026-03-02 23:59:59 UTC, then 2026-03-03 00:00:00 UTC.
        shop.store.clock.advance(by: 36 * 3600 - 1)
        try shop.buy([(shop.lamp, 2)])
        shop.store.clock.advance(by: 1)
        let paid = try shop.buy([(shop.mug, 2)])
        try shop.store.orders.markPaid(id: paid.id, by: .system)

        // 2026-03-10: one order, then the summary is read on that day.
        shop.store.clock.advance(by: 7 * 24 * 3600)
        try shop.buy([(shop.mug, 4)])

        let summary = try shop.store.statistics.summary()
        let byDay = Dictionary(uniqueKeysWithValues: summary.days.map { ($0.day.description, $0.figures) })
        #expect(summary.days.count == 30)
        #expect(summary.days.last?.day.description == "2026-03-10")
        #expect(byDay["2026-03-01"] == OrderStatistics.Figures(orderCount: 1, revenue: 1750))
        #expect(byDay["2026-03-02"] == OrderStatistics.Figures(orderCount: 1, revenue: 6500))
        #expect(byDay["2026-03-03"] == OrderStatistics.Figures(orderCount: 1, revenue: 3000))
        #expect(byDay["2026-03-04"] == .zero)
        #expect(byDay["2026-03-10"] == OrderStatistics.Figures(orderCount: 1, revenue: 5500))
        #expect(summary.today == OrderStatistics.Figures(orderCount: 1, revenue: 5500))
        #expect(summary.thisMonth == OrderStatistics.Figures(orderCount: 4, revenue: 1750 + 6500 + 3000 + 5500))
        #expect(summary.currency == .usd)
    }

    @Test func monthStartsOnTheFirst() throws {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        try shop.buy([(shop.mug, 1)])
        shop.store.clock.advance(by: 31 * 24 * 3600)
        try shop.buy([(shop.lamp, 1)])

        let summary = try shop.store.statistics.summary(dayCount: 7)
        #expect(summary.days.count == 7)
        #expect(summary.days.last?.day.description == "2026-04-01")
        #expect(summary.thisMonth == OrderStatistics.Figures(orderCount: 1, revenue: 3500))
        #expect(summary.days.reduce(0) { $0 + $1.figures.orderCount } == 1)
    }

    @Test func utcDayParsing() {
        #expect(UTCDay("2026-02-28")?.adding(days: 1).description == "2026-03-01")
        #expect(UTCDay("2026-02-30") == nil)
        #expect(UTCDay("2026-2-01") == nil)
        #expect(UTCDay("2026-02-01T00:00") == nil)
        #expect(UTCDay("") == nil)
        #expect(UTCDay(Date(timeIntervalSince1970: 86_399)).description == "1970-01-01")
    }
}

/// Orders placed before the store changed its currency keep their own currency, and their
/// amounts cannot be added to the new currency's.
@Suite struct OtherCurrencyTotalsTests {
    private func switchCurrency(_ shop: Shop, to code: String) throws {
        var settings = try StoreSettings.load(from: shop.store.database)
        settings.currencyCode = code
        try settings.save(to: shop.store.database)
    }

    @Test func statisticsLeaveOutAmountsInOtherCurrencies() throws {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        try shop.buy([(shop.mug, 1)])
        try shop.buy([(shop.lamp, 1)])
        try switchCurrency(shop, to: "EUR")
        let euroOrder = try shop.buy([(shop.mug, 2)])

        let summary = try shop.store.statistics.summary()
        #expect(summary.currency.code == "EUR")
        #expect(summary.today == OrderStatistics.Figures(orderCount: 3, revenue: euroOrder.total))
        #expect(summary.thisMonth == summary.today)
        #expect(summary.otherCurrencyOrderCount == 2)
    }

    @Test func orderListTotalsOnlyTheStoreCurrency() throws {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        try shop.buy([(shop.mug, 1)])
        try switchCurrency(shop, to: "EUR")
        let euroOrder = try shop.buy([(shop.lamp, 1)])
        let canceled = try shop.buy([(shop.mug, 1)])
        try shop.store.orders.cancel(id: canceled.id, by: .system)

        let list = try shop.store.orders.list()
        #expect(list.matchingCount == 3)
        #expect(list.matchingTotal == euroOrder.total + canceled.total)
        #expect(list.salesTotal == euroOrder.total)
        #expect(list.uncountedCount == 1)
        #expect(list.otherCurrencyCount == 1)

        // A filter's own arguments still line up with the query's placeholders.
        let paidOnly = try shop.store.orders.list(filter: OrderFilter(status: .pendingPayment))
        #expect(paidOnly.otherCurrencyCount == 1)
        #expect(paidOnly.salesTotal == euroOrder.total)
    }

    /// A canceled order in an earlier currency counts once: as canceled for the sales
    /// total, and as another currency only for the total of every matching order.
    @Test func canceledOrderInAnEarlierCurrencyCountsOnce() throws {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        try shop.buy([(shop.mug, 1)])
        let canceled = try shop.buy([(shop.lamp, 1)])
        try shop.store.orders.cancel(id: canceled.id, by: .system)
        try switchCurrency(shop, to: "EUR")
        try shop.buy([(shop.mug, 1)])

        let list = try shop.store.orders.list()
        #expect(list.matchingCount == 3)
        #expect(list.uncountedCount == 1)
        #expect(list.otherCurrencyCount == 1)
        #expect(list.otherCurrencyMatchingCount == 2)
        #expect(try shop.store.statistics.summary().otherCurrencyOrderCount == 1)

        let onlyCanceled = try shop.store.orders.list(filter: OrderFilter(status: .canceled))
        #expect(onlyCanceled.otherCurrencyMatchingCount == 1)
        #expect(onlyCanceled.matchingTotal == 0)
    }

    @Test func sameCurrencyHasNoOtherCurrencyOrders() throws {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        let order = try shop.buy([(shop.mug, 1)])
        #expect(try shop.store.orders.list().otherCurrencyCount == 0)
        #expect(try shop.store.orders.list().salesTotal == order.total)
        #expect(try shop.store.statistics.summary().otherCurrencyOrderCount == 0)
    }
}
