import Commerce
import Foundation
import SQLite
import Testing

@Suite struct SampleDataTests {
    @Test func seedsTwentyFourValidProductsOnce() throws {
        let store = try TestStore()
        try store.saveSettings()

        let created = try SampleData.seedDemoProducts(into: store.database, now: store.clock.closure)
        #expect(created.count == 24)
        #expect(SampleData.demoProductCount == 24)
        #expect(Set(created.map(\.slug)).count == 24)
        for product in created {
            #expect(product.isVisible, "\(product.title)")
            #expect(!product.description.isEmpty, "\(product.title)")
            #expect(product.price > 0, "\(product.title)")
        }
        #expect(created.contains { $0.stock == 0 })
        #expect(created.contains { $0.compareAtPrice != nil })

        let newest = try store.products.list(perPage: 1, includeHidden: false).items.first
        #expect(newest?.id == created.last?.id)

        #expect(try SampleData.seedDemoProducts(into: store.database, now: store.clock.closure).isEmpty)
        #expect(try store.products.count() == 24)
    }

    @Test func pricesFollowStoreCurrency() throws {
        let yen = try TestStore()
        try yen.saveSettings(currencyCode: "JPY")
        let yenProducts = try SampleData.seedDemoProducts(into: yen.database)

        let dinar = try TestStore()
        try dinar.saveSettings(currencyCode: "BHD")
        let dinarProducts = try SampleData.seedDemoProducts(into: dinar.database)

        #expect(yenProducts.first?.price == 17)
        #expect(dinarProducts.first?.price == 16_500)
    }
}
