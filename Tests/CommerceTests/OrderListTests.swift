import Commerce
import Foundation
import Testing

@Suite struct OrderListTests {
    /// Four orders on three days: 1001 and 1002 on March 1, 1003 on March 2 (paid, cash on
    /// delivery), 1004 on March 4 (canceled).
    private func makeShop() throws -> Shop {
        let shop = try Shop(mugStock: 100, lampStock: 100)
        try shop.buy([(shop.mug, 1)], email: "ana@example.com", name: "Ana Ruiz")
        try shop.buy([(shop.lamp, 1)], email: "bo_rivers@example.com", name: "Bo 100% Rivers")

        shop.store.clock.advance(by: 24 * 3600)
        let cash = try #require(try shop.store.paymentMethods.find(kind: .cashOnDelivery))
        try shop.store.paymentMethods.update(id: cash.id, with: PaymentMethodInput(name: "Cash on delivery", isEnabled: true))
        let token = try shop.cart([(shop.mug, 2)])
        var details = shop.details(email: "cleo@example.org", name: "Cleo Park")
        details.paymentMethodID = cash.id
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)
        let third = try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
        try shop.store.orders.markPaid(id: third.id, by: .system)

        shop.store.clock.advance(by: 2 * 24 * 3600)
        let fourth = try shop.buy([(shop.lamp, 2)], email: "dan@example.com", name: "Dan Ruiz")
        try shop.store.orders.cancel(id: fourth.id, by: .system)
        return shop
    }

    private func numbers(_ shop: Shop, _ filter: OrderFilter) throws -> [Int64] {
        try shop.store.orders.list(filter: filter).page.items.map(\.number)
    }

    @Test func newestFirstWithTotals() throws {
        let shop = try makeShop()
        let list = try shop.store.orders.list()
        #expect(list.page.items.map(\.number) == [1004, 1003, 1002, 1001])
        #expect(list.matchingCount == 4)
        #expect(list.matchingTotal == 1750 + 3500 + 3000 + 6500)
        // Order 1004 is canceled, so sales leave it out.
        #expect(list.salesTotal == 1750 + 3500 + 3000)
        #expect(list.uncountedCount == 1)

        let first = try #require(list.page.items.last)
        #expect(first.customerName == "Ana Ruiz")
        #expect(first.itemCount == 1)
        #expect(first.total == 1750)
        #expect(first.paymentMethodKind == .bankTransfer)
        #expect(first.shippingCountry == "ES")
    }

    @Test func filtersByStatusFulfillmentAndPayment() throws {
        let shop = try makeShop()
        #expect(try numbers(shop, OrderFilter(status: .pendingPayment)) == [1002, 1001])
        #expect(try numbers(shop, OrderFilter(status: .canceled)) == [1004])
        #expect(try numbers(shop, OrderFilter(fulfillment: .shipped)).isEmpty)
        #expect(try numbers(shop, OrderFilter(paymentMethodKind: .cashOnDelivery)) == [1003])

        let pending = try shop.store.orders.list(filter: OrderFilter(status: .pendingPayment))
        #expect(pending.matchingCount == 2)
        #expect(pending.matchingTotal == 1750 + 3500)
    }

    @Test func filtersByInclusiveUTCDays() throws {
        let shop = try makeShop()
        let march1 = try #require(UTCDay("2026-03-01"))
        let march2 = try #require(UTCDay("2026-03-02"))
        let march3 = try #require(UTCDay("2026-03-03"))
        #expect(try numbers(shop, OrderFilter(from: march1, to: march1)) == [1002, 1001])
        #expect(try numbers(shop, OrderFilter(from: march2)) == [1004, 1003])
        #expect(try numbers(shop, OrderFilter(to: march2)) == [1003, 1002, 1001])
        #expect(try numbers(shop, OrderFilter(from: march3, to: march3)).isEmpty)

        let errors = try validationErrors { _ = try shop.store.orders.list(filter: OrderFilter(from: march2, to: march1)) }
        #expect(errors?["to"] == ["The end date 2026-03-01 is before the start date 2026-03-02; choose an end date on or after it."])
    }

    @Test func searchesNumberNameAndEmail() throws {
        let shop = try makeShop()
        #expect(try numbers(shop, OrderFilter(search: "1003")) == [1003])
        #expect(try numbers(shop, OrderFilter(search: " #1002 ")) == [1002])
        #expect(try numbers(shop, OrderFilter(search: "ruiz")) == [1004, 1001])
        #expect(try numbers(shop, OrderFilter(search: "example.org")) == [1003])
        #expect(try numbers(shop, OrderFilter(search: "100%")) == [1002])
        #expect(try numbers(shop, OrderFilter(search: "o_r")) == [1002])
        #expect(try numbers(shop, OrderFilter(search: "%")) == [1002])
        #expect(try numbers(shop, OrderFilter(status: .canceled, search: "ruiz")) == [1004])
    }

    @Test func searchIgnoresCaseAndAccents() throws {
        let shop = try Shop(mugStock: 10, lampStock: 10)
        try shop.buy([(shop.mug, 1)], email: "lucia@example.com", name: "Lucía Gómez")
        try shop.buy([(shop.lamp, 1)], email: "bjorn@example.com", name: "BJÖRN Ångström")
        for term in ["LUCÍA", "gomez", "Gómez", "lucia gómez"] {
            #expect(try numbers(shop, OrderFilter(search: term)) == [1001], "\(term)")
        }
        for term in ["björn", "angstrom", "ÅNGSTRÖM"] {
            #expect(try numbers(shop, OrderFilter(search: term)) == [1002], "\(term)")
        }
        #expect(try numbers(shop, OrderFilter(search: "gomes")).isEmpty)
    }

    @Test func pagesSplitTheList() throws {
        let shop = try makeShop()
        let second = try shop.store.orders.list(page: 2, perPage: 3)
        #expect(second.page.items.map(\.number) == [1001])
        #expect(second.page.pageCount == 2)
        #expect(second.matchingCount == 4)
        #expect(try shop.store.orders.list(page: 3, perPage: 3).page.items.isEmpty)
    }

    @Test func csvExportsMatchingOrders() throws {
        let shop = try makeShop()
        var output: [String] = []
        try OrderCSV(database: shop.store.database).write(filter: OrderFilter(status: .pendingPayment)) { output.append($0) }

        #expect(output.count == 3)
        #expect(output[0] == "Number,Placed at (UTC),Status,Fulfillment,Email,Name,Address line 1,Address line 2,City,Postal code,Region,Country,Items,Subtotal,Shipping,Total,Currency,Payment method,Payment reference,Shipping method,Carrier,Tracking number,Notes\r\n")
        #expect(output[1] == "1002,2026-03-01 12:00:00,Pending payment,Unfulfilled,bo_rivers@example.com,Bo 100% Rivers,Calle Mayor 1,,Madrid,28013,Madrid,ES,1,30.00,5.00,35.00,USD,Bank transfer,,Standard,,,\r\n")
        #expect(output[2].hasPrefix("1001,"))
    }

    @Test func csvQuotesAndProtectsFormulas() throws {
        #expect(OrderCSV.field("plain") == "plain")
        #expect(OrderCSV.field("a,b") == "\"a,b\"")
        #expect(OrderCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(OrderCSV.field("two\nlines") == "\"two\nlines\"")
        #expect(OrderCSV.field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"")
        #expect(OrderCSV.field("+34 600") == "'+34 600")
        #expect(OrderCSV.field("-1") == "'-1")
        #expect(OrderCSV.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(OrderCSV.field("\tcmd") == "'\tcmd")
        #expect(OrderCSV.field("") == "")
        #expect(OrderCSV.record(["a", "b,c"]) == "a,\"b,c\"\r\n")
    }

    @Test func csvProtectsShopperText() throws {
        let shop = try Shop()
        let token = try shop.cart([(shop.mug, 1)])
        var details = shop.details(name: "=cmd|' /C calc'!A0")
        details.notes = "Ring, then \"knock\"\nthanks"
        let quote = try shop.store.checkout.quote(cartToken: token, details: details)
        try shop.store.checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)

        var csv = ""
        try OrderCSV(database: shop.store.database).write { csv += $0 }
        #expect(csv.contains(",'=cmd|' /C calc'!A0,"))
        #expect(csv.hasSuffix(",\"Ring, then \"\"knock\"\"\nthanks\"\r\n"))
    }
}
