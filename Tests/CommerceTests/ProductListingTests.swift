import Commerce
import Foundation
import SQLite
import Testing

@Suite struct ProductListingTests {
    @Test func paginationCoversEveryProductOnce() throws {
        let store = try TestStore()
        for number in 1...25 {
            try store.products.create(ProductInput(title: "Product \(number)", price: Int64(number)))
            store.clock.advance(by: 1)
        }

        let pages = try (1...3).map { try store.products.list(page: $0, perPage: 10, includeHidden: true) }
        #expect(pages.map(\.items.count) == [10, 10, 5])
        #expect(pages.map(\.totalCount) == [25, 25, 25])
        #expect(pages.map(\.pageCount) == [3, 3, 3])
        #expect(Set(pages.flatMap(\.items).map(\.id)).count == 25)
        #expect(pages[0].items.first?.title == "Product 25")
        #expect(!pages[0].hasPreviousPage)
        #expect(pages[0].hasNextPage)
        #expect(!pages[2].hasNextPage)

        let beyond = try store.products.list(page: 4, perPage: 10, includeHidden: true)
        #expect(beyond.items.isEmpty)
        #expect(beyond.totalCount == 25)

        let huge = try store.products.list(page: Int.max, perPage: 10, includeHidden: true)
        #expect(huge.items.isEmpty)
    }

    @Test func pageAndPerPageAreClamped() throws {
        let store = try TestStore()
        try store.products.create(ProductInput(title: "Only", price: 1))

        let page = try store.products.list(page: -3, perPage: 0, includeHidden: true)
        #expect(page.page == 1)
        #expect(page.perPage == 1)
        #expect(page.items.count == 1)
        #expect(try store.products.list(perPage: 10_000, includeHidden: true).perPage == ProductStore.maximumPerPage)
    }

    @Test func emptyStoreHasOnePage() throws {
        let store = try TestStore()
        let page = try store.products.list(includeHidden: false)
        #expect(page.items.isEmpty)
        #expect(page.totalCount == 0)
        #expect(page.pageCount == 1)
    }

    @Test func searchMatchesTitleSkuAndDescription() throws {
        let store = try TestStore()
        try store.products.create(ProductInput(title: "Enamel Mug", price: 1))
        try store.products.create(ProductInput(title: "Notebook", price: 1, sku: "STA-MUGLESS"))
        try store.products.create(ProductInput(title: "Kettle", description: "Pours into any mug.", price: 1))
        try store.products.create(ProductInput(title: "Beanie", price: 1))

        let titles = try store.products.list(search: " MUG ", sort: .title, includeHidden: true).items.map(\.title)
        #expect(titles == ["Enamel Mug", "Kettle", "Notebook"])
        #expect(try store.products.list(search: "", includeHidden: true).totalCount == 4)
        #expect(try store.products.list(search: "nothing like this", includeHidden: true).totalCount == 0)
    }

    @Test func searchIgnoresCaseAndAccents() throws {
        let store = try TestStore()
        try store.products.create(ProductInput(title: "Café de Olla", price: 1))
        try store.products.create(ProductInput(title: "Crème Brûlée Mix", price: 1))
        try store.products.create(ProductInput(title: "Plain Tea", description: "Notes of ÉPICES.", price: 1))

        func titles(_ search: String) throws -> [String] {
            try store.products.list(search: search, sort: .title, includeHidden: true).items.map(\.title)
        }
        #expect(try titles("cafe") == ["Café de Olla"])
        #expect(try titles("CAFÉ") == ["Café de Olla"])
        #expect(try titles("creme brulee") == ["Crème Brûlée Mix"])
        #expect(try titles("epices") == ["Plain Tea"])
    }

    @Test func searchTreatsWildcardsLiterally() throws {
        let store = try TestStore()
        try store.products.create(ProductInput(title: "100% Cotton Tee", price: 1))
        try store.products.create(ProductInput(title: "Mug_Large", price: 1))
        try store.products.create(ProductInput(title: "Mug Large", price: 1))
        try store.products.create(ProductInput(title: "Back\\slash", price: 1))

        func titles(_ search: String) throws -> [String] {
            try store.products.list(search: search, sort: .title, includeHidden: true).items.map(\.title)
        }
        #expect(try titles("%") == ["100% Cotton Tee"])
        #expect(try titles("_") == ["Mug_Large"])
        #expect(try titles("g_L") == ["Mug_Large"])
        #expect(try titles("0%") == ["100% Cotton Tee"])
        #expect(try titles("\\") == ["Back\\slash"])
        #expect(try titles("Mug") == ["Mug Large", "Mug_Large"])
    }

    @Test func sortsOrderAsNamed() throws {
        let store = try TestStore()
        let specs: [(String, Int64, Int)] = [("banana", 300, 5), ("Apple", 100, 0), ("cherry", 200, 9)]
        for (title, price, stock) in specs {
            try store.products.create(ProductInput(title: title, price: price, stock: stock))
            store.clock.advance(by: 60)
        }

        func titles(_ sort: ProductSort) throws -> [String] {
            try store.products.list(sort: sort, includeHidden: true).items.map(\.title)
        }
        #expect(try titles(.newest) == ["cherry", "Apple", "banana"])
        #expect(try titles(.title) == ["Apple", "banana", "cherry"])
        #expect(try titles(.priceAscending) == ["Apple", "cherry", "banana"])
        #expect(try titles(.priceDescending) == ["banana", "cherry", "Apple"])
        #expect(try titles(.stock) == ["Apple", "banana", "cherry"])
    }

    @Test func storefrontListExcludesHidden() throws {
        let store = try TestStore()
        let hidden = try store.products.create(ProductInput(title: "Hidden Mug", price: 1))
        try store.products.create(ProductInput(title: "Visible Mug", price: 1))
        try store.products.hide(id: hidden.id)

        let storefront = try store.products.list(search: "mug", includeHidden: false)
        #expect(storefront.items.map(\.title) == ["Visible Mug"])
        #expect(storefront.totalCount == 1)
        #expect(try store.products.list(search: "mug", includeHidden: true).totalCount == 2)
    }

    @Test func sortNamesRoundTrip() {
        #expect(ProductSort(rawValue: "price-asc") == .priceAscending)
        #expect(ProductSort(rawValue: "price-desc") == .priceDescending)
        #expect(ProductSort(rawValue: "cheapest") == nil)
    }
}
