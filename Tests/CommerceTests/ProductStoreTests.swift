import Commerce
import Foundation
import SQLite
import Testing

@Suite struct ProductStoreTests {
    @Test func createTrimsAndDerivesSlug() throws {
        let store = try TestStore()
        let product = try store.products.create(ProductInput(
            title: "  Titanium Camp Mug ",
            description: " Light. \n",
            price: 3400,
            compareAtPrice: 3900,
            sku: " KIT-MUG ",
            stock: 12
        ))

        #expect(product.slug == "titanium-camp-mug")
        #expect(product.title == "Titanium Camp Mug")
        #expect(product.description == "Light.")
        #expect(product.sku == "KIT-MUG")
        #expect(product.price == 3400)
        #expect(product.compareAtPrice == 3900)
        #expect(product.stock == 12)
        #expect(product.isVisible)
        #expect(product.imageFileName == nil)
        #expect(product.createdAt == store.clock.now)
        #expect(try store.products.find(id: product.id) == product)
    }

    @Test func countsTotalVisibleAndSoldOut() throws {
        let store = try TestStore()
        #expect(try store.products.counts() == ProductCounts(total: 0, visible: 0, soldOut: 0))

        _ = try store.products.create(ProductInput(title: "In stock", price: 100, stock: 3))
        _ = try store.products.create(ProductInput(title: "Sold out", price: 100, stock: 0))
        _ = try store.products.create(ProductInput(title: "Hidden", price: 100, stock: 0, isVisible: false))

        #expect(try store.products.counts() == ProductCounts(total: 3, visible: 2, soldOut: 2))
    }

    @Test func emptySkuIsStoredAsNone() throws {
        let store = try TestStore()
        let first = try store.products.create(ProductInput(title: "A", price: 100, sku: " "))
        let second = try store.products.create(ProductInput(title: "B", price: 100))
        #expect(first.sku == nil)
        #expect(second.sku == nil)
    }

    @Test func slugCollisionsGetNumbers() throws {
        let store = try TestStore()
        let slugs = try (1...3).map { _ in try store.products.create(ProductInput(title: "Trail Mug", price: 100)).slug }
        #expect(slugs == ["trail-mug", "trail-mug-2", "trail-mug-3"])

        let explicit = try store.products.create(ProductInput(title: "Other", slug: "camp-mug", price: 100))
        #expect(explicit.slug == "camp-mug")
    }

    @Test func explicitDuplicateSlugIsRejected() throws {
        let store = try TestStore()
        try store.products.create(ProductInput(title: "Trail Mug", price: 100))

        let errors = try validationErrors {
            try store.products.create(ProductInput(title: "Another", slug: "trail-mug", price: 100))
        }
        #expect(errors?["slug"] == ["Address “trail-mug” is already used by “Trail Mug”; choose another, or leave it empty to derive one from the title."])
        #expect(try store.products.count() == 1)
    }

    @Test func updateKeepsOwnSlugAndChecksOthers() throws {
        let store = try TestStore()
        let mug = try store.products.create(ProductInput(title: "Trail Mug", price: 100))
        let cup = try store.products.create(ProductInput(title: "Trail Cup", price: 100, sku: "CUP"))

        store.clock.advance(by: 60)
        var input = ProductInput(mug)
        input.slug = ""
        input.price = 250
        let updated = try store.products.update(id: mug.id, with: input)
        #expect(updated.slug == "trail-mug")
        #expect(updated.price == 250)
        #expect(updated.updatedAt == store.clock.now)
        #expect(updated.createdAt == mug.createdAt)

        input.sku = "cup"
        input.slug = cup.slug
        let errors = try validationErrors { try store.products.update(id: mug.id, with: input) }
        #expect(errors?.fields == ["sku", "slug"])
        #expect(errors?["sku"] == ["SKU “cup” is already used by “Trail Cup”; choose another."])
    }

    @Test func validationMessagesPerField() throws {
        let store = try TestStore()
        try store.saveSettings(currencyCode: "USD")

        let errors = try validationErrors {
            try store.products.create(ProductInput(
                title: String(repeating: "x", count: 201),
                slug: "Bad Slug",
                description: String(repeating: "d", count: 20_001),
                price: 1_000_000_000_000,
                compareAtPrice: 5,
                sku: String(repeating: "s", count: 65),
                stock: -1
            ))
        }
        #expect(errors?.fields == ["title", "slug", "description", "price", "compareAtPrice", "sku", "stock"])
        #expect(errors?["title"] == ["Title must be at most 200 characters; it has 201."])
        #expect(errors?["slug"] == ["Address “Bad Slug” may contain only lower-case letters a–z, digits and single hyphens between them, at most 100 characters (for example trail-mug); or leave it empty to derive it from the title."])
        #expect(errors?["description"] == ["Description must be at most 20,000 characters; it has 20,001."])
        #expect(errors?["price"] == ["Price must be at most $9,999,999,999.99."])
        #expect(errors?["compareAtPrice"] == ["Compare-at price must be higher than the price, or empty."])
        #expect(errors?["sku"] == ["SKU must be at most 64 characters; it has 65."])
        #expect(errors?["stock"] == ["Stock must be 0 or more."])
        #expect(try store.products.count() == 0)
    }

    @Test func requiredAndRangeMessages() throws {
        let store = try TestStore()
        let errors = try validationErrors {
            try store.products.create(ProductInput(title: "  ", price: -1, stock: 1_000_000_001))
        }
        #expect(errors?["title"] == ["Title is required."])
        #expect(errors?["price"] == ["Price must be 0 or more."])
        #expect(errors?["stock"] == ["Stock must be at most 1,000,000,000."])

        let control = try validationErrors {
            try store.products.create(ProductInput(title: "Two\nlines", price: 0, sku: "A\tB"))
        }
        #expect(control?["title"] == ["Title must not contain line breaks or control characters."])
        #expect(control?["sku"] == ["SKU must not contain line breaks or control characters."])

        let free = try store.products.create(ProductInput(title: "Sticker", price: 0))
        #expect(free.price == 0)
    }

    @Test func priceLimitMessageUsesStoreCurrency() throws {
        let store = try TestStore()
        try store.saveSettings(currencyCode: "JPY")
        let errors = try validationErrors {
            try store.products.create(ProductInput(title: "Yacht", price: 1_000_000_000_000))
        }
        #expect(errors?["price"] == ["Price must be at most ¥999,999,999,999."])
    }

    @Test func limitCountsHiddenProducts() throws {
        let store = try TestStore()
        let first = try store.products.create(ProductInput(title: "One", price: 100), limit: 2)
        try store.products.hide(id: first.id)
        try store.products.create(ProductInput(title: "Two", price: 100), limit: 2)

        #expect(throws: CommerceError.productLimitReached(limit: 2)) {
            try store.products.create(ProductInput(title: "Three", price: 100), limit: 2)
        }
        #expect(CommerceError.productLimitReached(limit: 1000).description
            == "Your plan allows 1,000 products; upgrade your plan or delete some products.")

        try store.products.delete(id: first.id)
        try store.products.create(ProductInput(title: "Three", price: 100), limit: 2)
        #expect(try store.products.count() == 2)
        // Without a limit (an unlimited plan) creation goes on.
        try store.products.create(ProductInput(title: "Four", price: 100))
        #expect(try store.products.count() == 3)
    }

    @Test func hiddenProductsNotFoundBySlugForStorefront() throws {
        let store = try TestStore()
        let product = try store.products.create(ProductInput(title: "Secret Blend", price: 100))

        let hidden = try store.products.hide(id: product.id)
        #expect(!hidden.isVisible)
        #expect(try store.products.find(slug: "secret-blend") == nil)
        #expect(try store.products.find(slug: "secret-blend", includeHidden: true)?.id == product.id)
        #expect(try store.products.find(id: product.id)?.isVisible == false)

        try store.products.show(id: product.id)
        #expect(try store.products.find(slug: "secret-blend")?.id == product.id)
        #expect(try store.products.find(slug: "no-such-product") == nil)
    }

    @Test func deleteReturnsProductAndMissingIdFails() throws {
        let store = try TestStore()
        let product = try store.products.create(ProductInput(title: "Mug", price: 100))
        try store.products.setImage(id: product.id, fileName: "mug.jpg")

        let deleted = try store.products.delete(id: product.id)
        #expect(deleted.imageFileName == "mug.jpg")
        #expect(try store.products.find(id: product.id) == nil)

        #expect(throws: CommerceError.notFound(entity: "product", id: String(product.id))) {
            try store.products.delete(id: product.id)
        }
        #expect(throws: CommerceError.notFound(entity: "product", id: "999")) {
            try store.products.update(id: 999, with: ProductInput(title: "X", price: 1))
        }
        #expect(throws: CommerceError.notFound(entity: "product", id: "999")) {
            try store.products.hide(id: 999)
        }
    }

    @Test func imageSetAndClearReturnPreviousName() throws {
        let store = try TestStore()
        let product = try store.products.create(ProductInput(title: "Mug", price: 100))

        #expect(try store.products.setImage(id: product.id, fileName: "a1.jpg") == nil)
        #expect(try store.products.setImage(id: product.id, fileName: "b2.webp") == "a1.jpg")
        #expect(try store.products.find(id: product.id)?.imageFileName == "b2.webp")
        #expect(try store.products.clearImage(id: product.id) == "b2.webp")
        #expect(try store.products.find(id: product.id)?.imageFileName == nil)
    }

    @Test(arguments: ["", "../etc/passwd", "a/b.jpg", ".hidden", "..", "a\\b.jpg", "line\nbreak.jpg", String(repeating: "a", count: 256)])
    func imageNameMustBePlain(fileName: String) throws {
        let store = try TestStore()
        let product = try store.products.create(ProductInput(title: "Mug", price: 100))
        let errors = try validationErrors { try store.products.setImage(id: product.id, fileName: fileName) }
        #expect(errors?.fields == ["image"])
        #expect(try store.products.find(id: product.id)?.imageFileName == nil)
    }
}
