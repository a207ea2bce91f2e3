import Commerce
import Foundation
import SQLite
import Testing

@Suite struct CartStoreTests {
    @Test func addCreatesCartAndMergesLines() throws {
        let shop = try Shop()
        let (token, first) = try shop.store.carts.add(productID: shop.mug.id, quantity: 2, token: nil)
        #expect(token.count == 43)
        #expect(first.lines.map(\.quantity) == [2])

        let (sameToken, cart) = try shop.store.carts.add(productID: shop.mug.id, quantity: 3, token: token)
        #expect(sameToken == token)
        #expect(cart.lines.count == 1)
        #expect(cart.lines[0].quantity == 5)
        #expect(cart.subtotal == 5 * 1250)
        #expect(cart.itemCount == 5)
        #expect(cart.currency == .usd)
        #expect(try shop.store.count("carts") == 1)
    }

    @Test func tokenIsStoredOnlyAsHash() throws {
        let shop = try Shop()
        let (token, _) = try shop.store.carts.add(productID: shop.mug.id, token: nil)
        let stored = try shop.store.database.scalar("SELECT token_hash FROM carts", as: [UInt8].self)
        #expect(stored?.count == 32)
        #expect(stored != Array(token.utf8))
    }

    @Test func unknownTokenStartsNewCart() throws {
        let shop = try Shop()
        let (token, _) = try shop.store.carts.add(productID: shop.mug.id, token: "no-such-cart")
        #expect(token != "no-such-cart")
        #expect(try shop.store.carts.find(token: "no-such-cart") == nil)
    }

    @Test func setQuantityAndRemove() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1), (shop.lamp, 1)])

        let updated = try shop.store.carts.setQuantity(4, productID: shop.lamp.id, token: token)
        #expect(updated.lines.map(\.quantity) == [1, 4])
        #expect(updated.subtotal == 1250 + 4 * 3000)

        let removed = try shop.store.carts.remove(productID: shop.mug.id, token: token)
        #expect(removed.lines.map(\.productID) == [shop.lamp.id])

        let zero = try shop.store.carts.setQuantity(0, productID: shop.lamp.id, token: token)
        #expect(zero.isEmpty)

        let again = try shop.store.carts.remove(productID: shop.lamp.id, token: token)
        #expect(again.isEmpty)
    }

    @Test func clearEmptiesButKeepsCart() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1), (shop.lamp, 2)])
        let cleared = try shop.store.carts.clear(token: token)
        #expect(cleared.isEmpty)
        #expect(try shop.store.carts.find(token: token)?.isEmpty == true)
        #expect(try shop.store.count("cart_lines") == 0)
    }

    @Test func quantityLimits() throws {
        let shop = try Shop(mugStock: 2000, lampStock: 3)
        let token = try shop.cart([(shop.mug, 1)])

        let zero = try validationErrors { _ = try shop.store.carts.add(productID: shop.mug.id, quantity: 0, token: token) }
        #expect(zero?["quantity"] == ["Quantity must be at least 1."])

        let tooMany = try validationErrors { _ = try shop.store.carts.add(productID: shop.mug.id, quantity: 999, token: token) }
        #expect(tooMany?["quantity"] == ["At most 999 of “Camp Mug” fit in one cart, and your cart already has 1."])

        let negative = try validationErrors { try shop.store.carts.setQuantity(-1, productID: shop.mug.id, token: token) }
        #expect(negative?["quantity"] == ["Quantity must be at least 1, or 0 to remove “Camp Mug”."])

        let aboveStock = try validationErrors { _ = try shop.store.carts.add(productID: shop.lamp.id, quantity: 4, token: token) }
        #expect(aboveStock?["quantity"] == ["Only 3 are in stock of “Trail Lamp”; choose a smaller quantity."])

        _ = try shop.store.carts.add(productID: shop.lamp.id, quantity: 2, token: token)
        let sumAboveStock = try validationErrors { _ = try shop.store.carts.add(productID: shop.lamp.id, quantity: 2, token: token) }
        #expect(sumAboveStock?["quantity"] == ["Only 3 are in stock of “Trail Lamp”, and your cart already has 2; choose a smaller quantity."])

        let setAboveStock = try validationErrors { try shop.store.carts.setQuantity(5, productID: shop.lamp.id, token: token) }
        #expect(setAboveStock?["quantity"] == ["Only 3 are in stock of “Trail Lamp”; choose a smaller quantity."])

        let cart = try #require(try shop.store.carts.find(token: token))
        #expect(cart.lines.map(\.quantity) == [1, 2])
    }

    @Test func soldOutHiddenAndMissingProducts() throws {
        let shop = try Shop(lampStock: 0)
        let soldOut = try validationErrors { _ = try shop.store.carts.add(productID: shop.lamp.id, token: nil) }
        #expect(soldOut?["quantity"] == ["“Trail Lamp” is sold out."])

        try shop.store.products.hide(id: shop.mug.id)
        #expect(throws: CartError.productUnavailable(title: "Camp Mug")) {
            _ = try shop.store.carts.add(productID: shop.mug.id, token: nil)
        }
        #expect(throws: CommerceError.notFound(entity: "product", id: "999")) {
            _ = try shop.store.carts.add(productID: 999, token: nil)
        }
        #expect(try shop.store.count("carts") == 0)
    }

    @Test func changesNeedALiveCart() throws {
        let shop = try Shop()
        #expect(throws: CartError.notFound) { try shop.store.carts.setQuantity(1, productID: shop.mug.id, token: "missing") }
        #expect(throws: CartError.notFound) { try shop.store.carts.remove(productID: shop.mug.id, token: "missing") }
        #expect(throws: CartError.notFound) { try shop.store.carts.clear(token: "missing") }

        let token = try shop.cart([(shop.mug, 1)])
        #expect(throws: CommerceError.notFound(entity: "cart line for product", id: String(shop.lamp.id))) {
            try shop.store.carts.setQuantity(1, productID: shop.lamp.id, token: token)
        }
    }

    @Test func priceChangeIsFlagged() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 2), (shop.lamp, 1)])

        var input = ProductInput(shop.mug)
        input.price = 1400
        try shop.store.products.update(id: shop.mug.id, with: input)

        let cart = try #require(try shop.store.carts.find(token: token))
        #expect(cart.lines[0].priceChanged)
        #expect(cart.lines[0].seenUnitPrice == 1250)
        #expect(cart.lines[0].unitPrice == 1400)
        #expect(!cart.lines[1].priceChanged)
        #expect(cart.hasPriceChanges)
        #expect(cart.subtotal == 2 * 1400 + 3000)

        let accepted = try shop.store.carts.acceptCurrentPrices(token: token)
        #expect(!accepted.hasPriceChanges)
        #expect(accepted.lines[0].seenUnitPrice == 1400)
    }

    @Test func availabilityFollowsProduct() throws {
        let shop = try Shop(lampStock: 3)
        let token = try shop.cart([(shop.mug, 1), (shop.lamp, 3)])

        var input = ProductInput(shop.lamp)
        input.stock = 1
        try shop.store.products.update(id: shop.lamp.id, with: input)
        try shop.store.products.hide(id: shop.mug.id)

        let cart = try #require(try shop.store.carts.find(token: token))
        #expect(cart.lines[0].availability == .unavailable)
        #expect(cart.lines[1].availability == .insufficientStock(available: 1))
        #expect(!cart.isReadyForCheckout)

        try shop.store.products.delete(id: shop.lamp.id)
        let afterDelete = try #require(try shop.store.carts.find(token: token))
        #expect(afterDelete.lines.map(\.productID) == [shop.mug.id])
    }

    @Test func survivesReopeningTheFile() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 2), (shop.lamp, 1)])

        let reopened = try Database(path: shop.store.path)
        defer { try? reopened.close() }
        let carts = CartStore(database: reopened, now: shop.store.clock.closure)
        let cart = try #require(try carts.find(token: token))
        #expect(cart.lines.map(\.productID) == [shop.mug.id, shop.lamp.id])
        #expect(cart.lines.map(\.quantity) == [2, 1])
    }

    @Test func expiresAfterThirtyDays() throws {
        let shop = try Shop()
        let kept = try shop.cart([(shop.mug, 1)])
        let dropped = try shop.cart([(shop.lamp, 1)])

        shop.store.clock.advance(by: 20 * 24 * 3600)
        #expect(try shop.store.carts.find(token: kept) != nil)

        shop.store.clock.advance(by: 10 * 24 * 3600)
        #expect(try shop.store.carts.find(token: kept) != nil)
        #expect(try shop.store.carts.purgeExpired() == 1)
        #expect(try shop.store.carts.find(token: dropped) == nil)
        #expect(try shop.store.count("carts") == 1)

        shop.store.clock.advance(by: 30 * 24 * 3600)
        #expect(try shop.store.carts.find(token: kept) == nil)
        #expect(try shop.store.count("carts") == 0)
        #expect(try shop.store.count("cart_lines") == 0)
    }

    @Test func lineCountIsLimited() throws {
        let shop = try Shop()
        var token: String?
        for index in 1...CartStore.maximumLines {
            let product = try shop.store.products.create(ProductInput(title: "Item \(index)", price: 100, stock: 1))
            token = try shop.store.carts.add(productID: product.id, token: token).token
        }
        #expect(throws: CartError.tooManyLines(limit: 100)) {
            _ = try shop.store.carts.add(productID: shop.mug.id, token: token)
        }
    }
}

@Suite struct CartLookupWithoutWritingTests {
    @Test func recentCartIsFoundWithoutWrite() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 2)])
        let stored = try #require(try shop.store.carts.find(token: token))
        shop.store.clock.advance(by: CartStore.touchInterval - 1)

        guard case .found(let cart) = try shop.store.carts.findWithoutWriting(token: token) else {
            Issue.record("expected the cart to be found without a write")
            return
        }
        #expect(cart == stored)
        #expect(try shop.store.database.scalar("SELECT updated_at FROM carts", as: Date.self) == stored.updatedAt)
    }

    @Test func staleVisitNeedsWrite() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1)])
        shop.store.clock.advance(by: CartStore.touchInterval)

        guard case .needsWrite = try shop.store.carts.findWithoutWriting(token: token) else {
            Issue.record("expected a cart last visited an hour ago to need a write")
            return
        }
        #expect(try shop.store.carts.find(token: token)?.updatedAt == shop.store.clock.now)
        guard case .found = try shop.store.carts.findWithoutWriting(token: token) else {
            Issue.record("expected the cart to be found without a write once its visit is recorded")
            return
        }
    }

    @Test func expiredCartNeedsWrite() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1)])
        shop.store.clock.advance(by: CartStore.defaultLifetime)

        guard case .needsWrite = try shop.store.carts.findWithoutWriting(token: token) else {
            Issue.record("expected an expired cart to need a write")
            return
        }
        #expect(try shop.store.carts.find(token: token) == nil)
        #expect(try shop.store.database.scalar("SELECT count(*) FROM carts", as: Int.self) == 0)
    }

    @Test func unknownTokensAreNotFound() throws {
        let shop = try Shop()
        for token in [nil, "", "no-such-cart"] as [String?] {
            guard case .notFound = try shop.store.carts.findWithoutWriting(token: token) else {
                Issue.record("expected token \(token ?? "nil") to be not found")
                continue
            }
        }
    }
}
