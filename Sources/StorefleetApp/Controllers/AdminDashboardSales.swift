import Commerce
import Foundation
import Templates

/// The dashboard's sales figures: orders and revenue per UTC day for the last 30 days as
/// two bar charts, and today's and this month's totals. Canceled and abandoned orders do
/// not count (see `OrderStatistics`).
enum AdminDashboardSales {
    static let dayCount = 30
    /// Lower than `BarChart`'s default, because the two charts stand one above the other.
    static let chartHeight = 180

    static func templateValue(_ summary: OrderStatistics.Summary) -> TemplateValue {
        let currency = summary.currency
        let format = { (amount: Int64) in Money(minorUnits: amount, currency: currency).formatted() }

        var revenueBars: [BarChart.Bar] = []
        var orderBars: [BarChart.Bar] = []
        var periodOrders = 0
        var periodRevenue: Int64 = 0
        for entry in summary.days {
            let label = dayLabel(entry.day)
            let figures = entry.figures
            let orders = figures.orderCount == 1 ? "1 order" : "\(figures.orderCount) orders"
            let title = "\(label): \(orders), \(format(figures.revenue))"
            // Bar heights come straight from minor units. Only their proportions matter.
            revenueBars.append(BarChart.Bar(label: label, value: Double(figures.revenue), title: title))
            orderBars.append(BarChart.Bar(label: label, value: Double(figures.orderCount), title: title))
            periodOrders += figures.orderCount
            periodRevenue += figures.revenue
        }

        var revenueChart = BarChart(
            bars: revenueBars, caption: "Revenue per day, last \(dayCount) days", height: chartHeight,
            scaleLabel: { format(Int64($0.rounded())) }
        )
        var ordersChart = BarChart(
            bars: orderBars, caption: "Orders per day, last \(dayCount) days", height: chartHeight,
            countsOnly: true, scaleLabel: { String(Int($0.rounded())) }
        )
        // One major unit at least (1.00 €), rather than a scale of cents.
        revenueChart.minimumScale = Double(currency.scale)
        // The charts stand one above the other, so both leave room for the wider scale.
        let labelWidth = (revenueChart.scaleLabels + ordersChart.scaleLabels).map(\.count).max() ?? 0
        revenueChart.minimumLabelWidth = labelWidth
        ordersChart.minimumLabelWidth = labelWidth

        return .dictionary([
            "revenueChart": revenueChart.templateValue,
            "ordersChart": ordersChart.templateValue,
            "today": figures(summary.today, format: format),
            "thisMonth": figures(summary.thisMonth, format: format),
            "period": figures(OrderStatistics.Figures(orderCount: periodOrders, revenue: periodRevenue), format: format),
            "monthName": .string(monthName(summary.days.last?.day)),
            "days": .int(dayCount),
            "hasOrders": .bool(periodOrders > 0),
            "currencyCode": .string(currency.code),
            "otherCurrencyLabel": .string(AdminFormat.ordersInOtherCurrencies(summary.otherCurrencyOrderCount)),
            "otherCurrencyOne": .bool(summary.otherCurrencyOrderCount == 1),
        ])
    }

    private static func figures(_ figures: OrderStatistics.Figures, format: (Int64) -> String) -> TemplateValue {
        TemplateValue(fields: [
            "orders": figures.orderCount,
            "ordersLabel": AdminFormat.orders(figures.orderCount),
            "revenue": format(figures.revenue),
        ])
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// "Mar 5": the admin's English short month and the day.
    static func dayLabel(_ day: UTCDay) -> String {
        "\(monthNames[day.month - 1].prefix(3)) \(day.day)"
    }

    private static func monthName(_ day: UTCDay?) -> String {
        guard let day else { return "" }
        return monthNames[day.month - 1]
    }
}
