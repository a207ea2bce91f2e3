import Foundation
import SQLite

/// Sample content for the demo store.
public enum SampleData {
    /// The number of products `seedDemoProducts` creates on an empty store.
    public static var demoProductCount: Int { demoProducts.count }

    /// Adds the demo catalogue of 24 products (coffee, camp kitchen gear, outdoor gear and
    /// stationery) in one transaction, and returns the products it created.
    ///
    /// Prices are written for a two-decimal currency and scaled to the store's currency:
    /// 1650 cents become 17 whole units of a zero-decimal currency (rounded up) and 16500
    /// units of a three-decimal one. A product whose SKU the store already has is skipped,
    /// so seeding twice adds nothing the second time. Creation times are one minute apart,
    /// so the "newest" sort lists the products in the order above.
    @discardableResult
    public static func seedDemoProducts(
        into database: Database,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> [Product] {
        try database.transaction(.immediate) { database in
            let currency = try StoreSettings.load(from: database).currency ?? .usd
            let existingSKUs = Set(try database.query("SELECT sku FROM products WHERE sku IS NOT NULL") {
                try $0.get("sku", as: String.self)
            })
            let start = now().addingTimeInterval(-Double(demoProducts.count) * 60)

            var created: [Product] = []
            for (index, template) in demoProducts.enumerated() where !existingSKUs.contains(template.sku) {
                var input = template
                input.price = scaled(template.price, to: currency)
                input.compareAtPrice = template.compareAtPrice.map { scaled($0, to: currency) }

                let createdAt = start.addingTimeInterval(Double(index) * 60)
                let store = ProductStore(database: database, now: { createdAt })
                created.append(try store.create(input))
            }
            return created
        }
    }

    /// Converts an amount in cents to the minor units of `currency`, rounding up when the
    /// currency has fewer than two decimals.
    static func scaled(_ cents: Int64, to currency: Currency) -> Int64 {
        switch currency.minorUnits {
        case 2:
            return cents
        case ..<2:
            let divisor = Int64(100) / currency.scale
            return (cents + divisor - 1) / divisor
        default:
            return cents * (currency.scale / 100)
        }
    }
}
