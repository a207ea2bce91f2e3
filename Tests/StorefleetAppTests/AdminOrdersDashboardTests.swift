import Commerce
import Foundation
import Testing
@testable import StorefleetApp

/// The dashboard's sales figures and charts.
@Suite struct AdminOrdersDashboardTests {
    private let hour: TimeInterval = 60 * 60
    private let day: TimeInterval = 24 * 60 * 60

    /// Returns the `<svg class="chart" …>…</svg>` elements of the page, in order.
    private func charts(in page: String) -> [Substring] {
        var found: [Substring] = []
        var rest = page[...]
        while let start = rest.range(of: "<svg class=\"chart\""), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            found.append(rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        return found
    }

    @Test func chartAndFiguresOfTheLast30Days() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let now = OrderShop.now
        // Today (2026-03-15): $17.50 and $35.00, plus a canceled order that does not count.
        try shop.placeOrder([(shop.mug, 1)], at: now.addingTimeInterval(-3 * hour))
        try shop.placeOrder([(shop.lamp, 1)], at: now.addingTimeInterval(-1 * hour))
        let canceled = try shop.placeOrder([(shop.mug, 2)], at: now.addingTimeInterval(-2 * hour))
        _ = try shop.write { database, clock in
            try OrderStore(database: database, now: clock).cancel(id: canceled.id, by: .system)
        }
        // Earlier this month, earlier in the 30 days, and before them.
        try shop.placeOrder([(shop.mug, 1)], at: now.addingTimeInterval(-13 * day))
        try shop.placeOrder([(shop.lamp, 2)], at: now.addingTimeInterval(-23 * day))
        try shop.placeOrder([(shop.mug, 1)], at: now.addingTimeInterval(-42 * day))
        let browser = try shop.owner()

        let page = try browser.get("/admin", host: shop.host)
        #expect(page.status == 200)
        let text = page.visibleText
        #expect(text.contains("Today $52.50 2 orders"))
        #expect(text.contains("March $70.00 3 orders this month"))
        #expect(text.contains("Last 30 days $135.00 4 orders"))
        // The product and staff figures are still there.
        #expect(text.contains("Products 2"))
        #expect(text.contains("Staff accounts 1"))

        // Two server-drawn charts and no script.
        #expect(!page.text.contains("<script"))
        let drawn = charts(in: page.text)
        #expect(drawn.count == 2)
        let revenue = try #require(drawn.first)
        let orders = try #require(drawn.last)
        #expect(revenue.contains("role=\"img\" aria-label=\"Revenue per day, last 30 days\""))
        #expect(orders.contains("aria-label=\"Orders per day, last 30 days\""))
        for chart in drawn {
            #expect(chart.components(separatedBy: "<rect ").count - 1 == 30)
            #expect(chart.contains("<title>Mar 15: 2 orders, $52.50</title>"))
            #expect(chart.contains("<title>Mar 2: 1 order, $17.50</title>"))
            #expect(chart.contains("<title>Feb 20: 1 order, $65.00</title>"))
            #expect(chart.contains("<title>Feb 14: 0 orders, $0.00</title>"))
            #expect(!chart.contains("<title>Feb 13:"))
            #expect(!chart.contains("<title>Feb 1:"))
        }
        // The revenue scale runs to $80.00, the round number above the tallest bar ($65.00
        // on Feb 20), with a line at its half. So that bar takes 65/80 of the plot's 128
        // units (the 180 high chart less its margins). The order scale ends at today's two
        // orders, whose bar fills the plot.
        #expect(revenue.contains(">$80.00</text>"))
        #expect(revenue.contains(">$40.00</text>"))
        #expect(revenue.contains("height=\"104.0\" rx=\"2\" class=\"bar\"><title>Feb 20:"))
        #expect(orders.contains(">2</text>"))
        #expect(orders.contains(">1</text>"))
        // One chart is drawn above the other, so their plots start at the same x.
        func axisStart(_ chart: Substring) -> Substring? {
            guard let axis = chart.range(of: "class=\"axis\"") else { return nil }
            let line = chart[..<axis.lowerBound]
            guard let x1 = line.range(of: "x1=\"", options: .backwards) else { return nil }
            return line[x1.upperBound...].prefix { $0 != "\"" }
        }
        #expect(axisStart(revenue) != nil)
        #expect(axisStart(revenue) == axisStart(orders))
        #expect(orders.contains("height=\"128.0\" rx=\"2\" class=\"bar\"><title>Mar 15:"))
        #expect(orders.contains("height=\"64.0\" rx=\"2\" class=\"bar\"><title>Feb 20:"))
    }

    @Test(arguments: [
        (0.0, false, 1.0), (1, true, 1), (2, true, 2), (3, true, 4), (5, true, 6), (7, true, 8),
        (9, true, 10), (11, true, 16), (6500, false, 8000), (1234, false, 1500), (3, false, 3),
        (0.07, false, 0.08), (100_000, false, 100_000), (100_001, false, 150_000),
    ])
    func chartScaleEndsAtARoundNumber(tallest: Double, countsOnly: Bool, expected: Double) {
        #expect(BarChart.roundMaximum(for: tallest, countsOnly: countsOnly) == expected)
    }

    /// A revenue chart whose days all have zero revenue, such as orders in an earlier
    /// currency only, shows a scale of whole currency units, not of cents.
    @Test func zeroRevenueChartScaleIsOneUnit() {
        var chart = BarChart(bars: [BarChart.Bar(label: "Mar 1", value: 0, title: "Mar 1")], caption: "Revenue",
                             scaleLabel: { Money(minorUnits: Int64($0.rounded()), currency: .eur).formatted() })
        #expect(chart.scaleLabels == ["0,01\u{00A0}€", "0,01\u{00A0}€"])
        chart.minimumScale = 100
        #expect(chart.scaleLabels == ["1,00\u{00A0}€", "0,50\u{00A0}€"])
    }

    @Test func dashboardSaysWhatBlocksCheckout() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Store alpha")
        let owner = try app.ownerBrowser("alpha")
        let host = TestApp.host("alpha")
        func notice() throws -> String? {
            let page = try owner.get("/admin", host: host)
            #expect(page.status == 200)
            guard let start = page.text.range(of: "id=\"checkout-blocked\">"),
                  let end = page.text.range(of: "</div>", range: start.upperBound..<page.text.endIndex) else { return nil }
            return String(page.text[start.upperBound..<end.lowerBound])
        }

        // A new store has neither a shipping method nor an enabled payment method.
        let fresh = try #require(try notice())
        #expect(fresh.contains("href=\"/admin/settings/shipping/new\""))
        #expect(fresh.contains("href=\"/admin/settings/payments\""))

        try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in
                _ = try ShippingMethodStore(database: database).create(ShippingMethodInput(
                    name: "Standard", price: 500, freeFromSubtotal: nil, countries: .all
                ))
            }
        }
        let paymentOnly = try #require(try notice())
        #expect(!paymentOnly.contains("shipping"))
        #expect(paymentOnly.contains("href=\"/admin/settings/payments\""))

        try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in
                let payments = PaymentMethodStore(database: database)
                let cash = try #require(try payments.find(kind: .cashOnDelivery))
                try payments.update(id: cash.id, with: PaymentMethodInput(name: "Cash on delivery", instructions: "", isEnabled: true))
            }
        }
        #expect(try notice() == nil)

        // Customer login set to required refuses every shopper until accounts exist.
        try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in
                var settings = try StoreSettings.load(from: database)
                settings.customerLoginMode = .required
                try settings.save(to: database)
            }
        }
        let required = try #require(try notice())
        #expect(required.contains("href=\"/admin/settings/general\""))
    }

    @Test func dashboardWithoutOrders() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }

        let page = try shop.owner().get("/admin", host: shop.host)
        #expect(page.status == 200)
        #expect(page.visibleText.contains("Today $0.00 0 orders"))
        #expect(page.visibleText.contains("No orders in the last 30 days."))
        #expect(charts(in: page.text).isEmpty)
        #expect(!page.visibleText.contains("could not be sent"))
    }
}
