import Commerce
import Foundation
import Testing

/// The admin order list: filters, search, pagination, totals and the CSV export.
@Suite struct AdminOrdersListTests {
    private let day: TimeInterval = 24 * 60 * 60

    @Test func listShowsOrdersWithCountAndTotal() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let first = try shop.placeOrder([(shop.mug, 2)], email: "ana@example.com", name: "Ana Ruiz")
        let second = try shop.placeOrder([(shop.lamp, 1)], email: "bo@example.com", name: "Bo Lind", payment: shop.cashOnDelivery)
        let browser = try shop.owner()

        let page = try browser.get("/admin/orders", host: shop.host)
        #expect(page.status == 200)
        let text = page.pageText
        #expect(text.contains("#\(first.number)"))
        #expect(text.contains("#\(second.number)"))
        #expect(text.contains("Ana Ruiz"))
        #expect(text.contains("bo@example.com"))
        #expect(text.contains("Cash on delivery"))
        #expect(text.contains("Pending payment"))
        // 2 × $12.50 + $5.00 shipping, and $30.00 + $5.00.
        #expect(text.contains("$30.00"))
        #expect(text.contains("$35.00"))
        #expect(page.visibleText.contains("2 orders, sales $65.00."))
        #expect(HTML.links(in: page.text).contains("/admin/orders/\(first.id)"))
        #expect(HTML.links(in: page.text).contains("/admin/orders.csv"))
        // The newest order comes first.
        let firstPosition = try #require(text.range(of: "#\(first.number)")?.lowerBound)
        let secondPosition = try #require(text.range(of: "#\(second.number)")?.lowerBound)
        #expect(secondPosition < firstPosition)
    }

    @Test func emptyListAndLoginRequired() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }

        let anonymous = try shop.app.browser().get("/admin/orders", host: shop.host)
        #expect(anonymous.status == 303)
        #expect(anonymous.location?.hasPrefix("/admin/login") == true)
        let export = try shop.app.browser().get("/admin/orders.csv", host: shop.host)
        #expect(export.status == 303)
        #expect(export.header("Content-Type")?.hasPrefix("text/csv") != true)

        let page = try shop.owner().get("/admin/orders", host: shop.host)
        #expect(page.status == 200)
        #expect(page.pageText.contains("No orders yet."))
        #expect(page.visibleText.contains("0 orders."))
    }

    @Test func salesLeaveOutCanceledOrders() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        try shop.placeOrder([(shop.mug, 1)], name: "Kept Person")
        let canceled = try shop.placeOrder([(shop.mug, 1)], email: "gone@example.com", name: "Gone Person")
        _ = try shop.write { database, clock in
            try OrderStore(database: database, now: clock).cancel(id: canceled.id, by: .system)
        }
        let browser = try shop.owner()

        // Canceled orders stay in the list but, as on the dashboard, not in the sales figure.
        let all = try browser.get("/admin/orders", host: shop.host)
        #expect(all.visibleText.contains("2 orders, sales $17.50 (not counting 1 canceled or abandoned order, as on the dashboard)."), "\(all.visibleText)")
        let onlyCanceled = try browser.get("/admin/orders?status=canceled", host: shop.host)
        #expect(onlyCanceled.visibleText.contains("1 order matching these filters, total $17.50."), "\(onlyCanceled.visibleText)")
    }

    /// Orders placed before a currency change keep their currency, so the totals of the
    /// list and the dashboard leave their amounts out and state how many.
    @Test func totalsLeaveOutOrdersInAnEarlierCurrency() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        try shop.placeOrder([(shop.mug, 1)], name: "Dollar Person")
        try shop.placeOrder([(shop.lamp, 1)], name: "Other Dollar Person")
        _ = try shop.write { database, _ in
            var settings = try StoreSettings.load(from: database)
            settings.currencyCode = "EUR"
            try settings.save(to: database)
        }
        let browser = try shop.owner()

        let list = try browser.get("/admin/orders", host: shop.host)
        #expect(list.visibleText.contains("2 orders, sales 0,00\u{00A0}€. The total is in EUR; 2 orders in other currencies, placed before the store's currency changed, are not in it."), "\(list.visibleText)")
        // The rows still show each order in its own currency.
        #expect(list.pageText.contains("$17.50"))

        let dashboard = try browser.get("/admin", host: shop.host)
        #expect(dashboard.visibleText.contains("Revenue is in EUR only: 2 orders in other currencies, placed before the store's currency changed, count as orders without their amounts."), "\(dashboard.visibleText)")
        #expect(!dashboard.visibleText.contains("$"))
    }

    @Test func filtersByStatusFulfillmentAndPayment() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let pending = try shop.placeOrder([(shop.mug, 1)], name: "Pending Person")
        let paid = try shop.placeOrder([(shop.mug, 1)], name: "Paid Person")
        let cash = try shop.placeOrder([(shop.lamp, 1)], name: "Cash Person", payment: shop.cashOnDelivery)
        try shop.write { database, now in
            let orders = OrderStore(database: database, now: now)
            try orders.markPaid(id: paid.id, by: .system)
            try orders.ship(id: cash.id, carrier: "Correos", trackingNumber: "PK123", by: .system)
        }
        let browser = try shop.owner()

        let byStatus = try browser.get("/admin/orders?status=paid", host: shop.host)
        #expect(byStatus.status == 200)
        #expect(byStatus.pageText.contains("Paid Person"))
        #expect(!byStatus.pageText.contains("Pending Person"))
        #expect(!byStatus.pageText.contains("Cash Person"))
        #expect(byStatus.visibleText.contains("1 order matching these filters, sales $17.50."))
        #expect(byStatus.text.contains("<option value=\"paid\" selected>"))

        let byFulfillment = try browser.get("/admin/orders?fulfillment=shipped", host: shop.host)
        #expect(byFulfillment.pageText.contains("Cash Person"))
        #expect(!byFulfillment.pageText.contains("Paid Person"))

        let byPayment = try browser.get("/admin/orders?payment=bank_transfer", host: shop.host)
        #expect(byPayment.pageText.contains("Pending Person"))
        #expect(byPayment.pageText.contains("Paid Person"))
        #expect(!byPayment.pageText.contains("Cash Person"))
        #expect(byPayment.visibleText.contains("2 orders matching these filters"))

        let combined = try browser.get("/admin/orders?status=pending_payment&payment=bank_transfer", host: shop.host)
        #expect(combined.pageText.contains("#\(pending.number)"))
        #expect(combined.visibleText.contains("1 order matching"))

        let none = try browser.get("/admin/orders?status=canceled", host: shop.host)
        #expect(none.pageText.contains("No orders match these filters."))
    }

    @Test func filtersByDateRangeInclusive() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        // 2026-03-01 09:00, 2026-03-05 23:30 and 2026-03-10 00:15 UTC.
        let march1 = try shop.placeOrder([(shop.mug, 1)], name: "March First", at: Date(timeIntervalSince1970: 1_772_355_600))
        let march5 = try shop.placeOrder([(shop.mug, 1)], name: "March Fifth", at: Date(timeIntervalSince1970: 1_772_753_400))
        let march10 = try shop.placeOrder([(shop.mug, 1)], name: "March Tenth", at: Date(timeIntervalSince1970: 1_773_101_700))
        let browser = try shop.owner()

        let range = try browser.get("/admin/orders?from=2026-03-05&to=2026-03-10", host: shop.host)
        #expect(range.status == 200)
        #expect(!range.pageText.contains("#\(march1.number)"))
        #expect(range.pageText.contains("#\(march5.number)"))
        #expect(range.pageText.contains("#\(march10.number)"))
        #expect(HTML.inputValue(named: "from", in: range.text) == "2026-03-05")
        #expect(HTML.inputValue(named: "to", in: range.text) == "2026-03-10")

        let oneDay = try browser.get("/admin/orders?from=2026-03-05&to=2026-03-05", host: shop.host)
        #expect(oneDay.pageText.contains("March Fifth"))
        #expect(oneDay.visibleText.contains("1 order matching"))

        let untilFifth = try browser.get("/admin/orders?to=2026-03-05", host: shop.host)
        #expect(untilFifth.pageText.contains("March First"))
        #expect(untilFifth.pageText.contains("March Fifth"))
        #expect(!untilFifth.pageText.contains("March Tenth"))
    }

    @Test func searchByNumberNameOrEmail() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let ana = try shop.placeOrder([(shop.mug, 1)], email: "ana@example.com", name: "Ana Ruiz")
        let bo = try shop.placeOrder([(shop.mug, 1)], email: "bo.lind@sample.org", name: "Bo Lind")
        let browser = try shop.owner()

        let byNumber = try browser.get("/admin/orders?q=%23\(bo.number)", host: shop.host)
        #expect(byNumber.pageText.contains("Bo Lind"))
        #expect(!byNumber.pageText.contains("Ana Ruiz"))
        #expect(HTML.inputValue(named: "q", in: byNumber.text) == "#\(bo.number)")

        let byName = try browser.get("/admin/orders?q=ruiz", host: shop.host)
        #expect(byName.pageText.contains("#\(ana.number)"))
        #expect(!byName.pageText.contains("#\(bo.number)"))

        let byEmail = try browser.get("/admin/orders?q=sample.org", host: shop.host)
        #expect(byEmail.pageText.contains("Bo Lind"))
        #expect(!byEmail.pageText.contains("Ana Ruiz"))

        let wildcard = try browser.get("/admin/orders?q=%25", host: shop.host)
        #expect(wildcard.pageText.contains("No orders match these filters."))
    }

    @Test func invalidFiltersGiveMessages() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        try shop.placeOrder([(shop.mug, 1)])
        let browser = try shop.owner()

        let impossibleDay = try browser.get("/admin/orders?from=2026-02-30", host: shop.host)
        #expect(impossibleDay.status == 400)
        #expect(HTML.fieldErrors("from", in: impossibleDay.text) == [
            "From date “2026-02-30” is not a valid date; enter it as YYYY-MM-DD, such as 2026-03-01.",
        ])
        #expect(!impossibleDay.pageText.contains("#1001"))

        let words = try browser.get("/admin/orders?to=yesterday", host: shop.host)
        #expect(words.status == 400)
        #expect(HTML.fieldErrors("to", in: words.text).first?.contains("“yesterday” is not a valid date") == true)

        let reversed = try browser.get("/admin/orders?from=2026-03-10&to=2026-03-01", host: shop.host)
        #expect(reversed.status == 400)
        #expect(HTML.fieldErrors("to", in: reversed.text) == [
            "The end date 2026-03-01 is before the start date 2026-03-10; choose an end date on or after it.",
        ])

        let unknown = try browser.get("/admin/orders?status=lost&fulfillment=teleported&payment=bitcoin", host: shop.host)
        #expect(unknown.status == 400)
        #expect(HTML.fieldErrors("status", in: unknown.text).first?.hasPrefix("Status “lost” is unknown") == true)
        #expect(HTML.fieldErrors("fulfillment", in: unknown.text).first?.hasPrefix("Fulfillment “teleported” is unknown") == true)
        #expect(HTML.fieldErrors("payment", in: unknown.text).first?.hasPrefix("Payment method “bitcoin” is unknown") == true)

        let export = try browser.get("/admin/orders.csv?from=2026-13-01", host: shop.host)
        #expect(export.status == 400)
        #expect(export.header("Content-Type") == "text/html; charset=utf-8")
        #expect(HTML.fieldErrors("from", in: export.text).first?.contains("“2026-13-01” is not a valid date") == true)
    }

    @Test func paginationKeepsEveryFilter() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let base = OrderShop.now.addingTimeInterval(-3 * day)
        var numbers: [Int64] = []
        for index in 0..<30 {
            let order = try shop.placeOrder([(shop.mug, 1)], name: "Buyer \(index)", at: base.addingTimeInterval(Double(index) * 60))
            numbers.append(order.number)
        }
        try shop.placeOrder([(shop.lamp, 1)], name: "Cash Buyer", payment: shop.cashOnDelivery)
        let browser = try shop.owner()

        let filters = "status=pending_payment&payment=bank_transfer&from=2026-03-01&to=2026-03-15&q=buyer"
        let first = try browser.get("/admin/orders?\(filters)", host: shop.host)
        #expect(first.status == 200)
        #expect(first.visibleText.contains("30 orders matching these filters, sales $525.00."))
        #expect(!first.pageText.contains("Cash Buyer"))
        let links = HTML.links(in: first.text)
        let nextLink = try #require(links.first { $0.contains("page=2") })
        for pair in ["status=pending_payment", "payment=bank_transfer", "from=2026-03-01", "to=2026-03-15", "q=buyer"] {
            #expect(nextLink.contains(pair), "the page 2 link \(nextLink) lacks \(pair)")
        }
        let exportLink = try #require(links.first { $0.hasPrefix("/admin/orders.csv") })
        for pair in ["status=pending_payment", "payment=bank_transfer", "from=2026-03-01", "to=2026-03-15", "q=buyer"] {
            #expect(exportLink.contains(pair), "the export link \(exportLink) lacks \(pair)")
        }

        // Newest first: page 1 holds the last 25 placed, page 2 the first 5.
        #expect(first.pageText.contains("#\(numbers[29])"))
        #expect(!first.pageText.contains("#\(numbers[4])"))
        let second = try browser.get(nextLink, host: shop.host)
        #expect(second.status == 200)
        #expect(second.pageText.contains("#\(numbers[0])"))
        #expect(second.pageText.contains("#\(numbers[4])"))
        #expect(!second.pageText.contains("#\(numbers[5])"))
        #expect(second.text.contains("aria-current=\"page\">2</span>"))

        let pastTheEnd = try browser.get("/admin/orders?\(filters)&page=9", host: shop.host)
        #expect(pastTheEnd.status == 200)
        #expect(pastTheEnd.pageText.contains("#\(numbers[0])"))
    }

    @Test func csvExportOfTheFilteredList() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        let ana = try shop.placeOrder([(shop.mug, 2), (shop.lamp, 1)], email: "ana@example.com", name: "Ana Ruiz", notes: "Ring twice, please")
        let formula = try shop.placeOrder([(shop.mug, 1)], email: "eve@example.com", name: "=HYPERLINK(\"http://evil.example\",\"Click\")")
        let cash = try shop.placeOrder([(shop.lamp, 1)], email: "bo@example.com", name: "Bo Lind", payment: shop.cashOnDelivery)
        let browser = try shop.owner()

        let response = try browser.get("/admin/orders.csv?payment=bank_transfer", host: shop.host)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(response.header("Content-Disposition") == "attachment; filename=orders-2026-03-15.csv")
        #expect(response.header("Cache-Control") == "no-store")
        // Streamed: written in chunks as it is read, with no length known up front.
        #expect(response.header("Transfer-Encoding") == "chunked")
        #expect(response.header("Content-Length") == nil)

        #expect(response.body.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: response.body.dropFirst(3), as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        let records = parseCSV(text)
        #expect(records.count == 3)
        #expect(records.first == OrderCSV.header)
        let numbers = records.dropFirst().map { $0[0] }
        #expect(numbers == [String(formula.number), String(ana.number)])
        #expect(!numbers.contains(String(cash.number)))

        let anaRecord = try #require(records.first { $0[0] == String(ana.number) })
        #expect(anaRecord[2] == "Pending payment")
        #expect(anaRecord[4] == "ana@example.com")
        #expect(anaRecord[5] == "Ana Ruiz")
        #expect(anaRecord[7] == "2º B")
        #expect(anaRecord[12] == "3")
        #expect(anaRecord[13] == "55.00")
        #expect(anaRecord[14] == "5.00")
        #expect(anaRecord[15] == "60.00")
        #expect(anaRecord[16] == "USD")
        #expect(anaRecord[17] == "Bank transfer")
        #expect(anaRecord[22] == "Ring twice, please")

        // A cell that a spreadsheet would run as a formula starts with an apostrophe.
        let formulaRecord = try #require(records.first { $0[0] == String(formula.number) })
        #expect(formulaRecord[5] == "'=HYPERLINK(\"http://evil.example\",\"Click\")")
        #expect(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""))

        let all = try browser.get("/admin/orders.csv", host: shop.host)
        #expect(parseCSV(String(decoding: all.body.dropFirst(3), as: UTF8.self)).count == 4)

        let head = try browser.send("HEAD", "/admin/orders.csv", host: shop.host)
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "text/csv; charset=utf-8")
    }

    @Test func csvExportStreamsManyOrders() throws {
        let shop = try OrderShop.start()
        defer { shop.stop() }
        // Enough rows for several 16 KiB chunks, inserted in one transaction to stay quick.
        try shop.write { database, now in
            let carts = CartStore(database: database, now: now)
            let checkout = Checkout(database: database, now: now)
            for index in 0..<400 {
                let token = try carts.add(productID: shop.mug.id, quantity: 1, token: nil).token
                let details = CheckoutDetails(
                    email: "buyer\(index)@example.com",
                    shippingAddress: Address(name: "Buyer \(index)", line1: "Rua Augusta \(index)", city: "Lisboa", postalCode: "1100-053", country: "PT"),
                    shippingMethodID: shop.standard.id, paymentMethodID: shop.bankTransfer.id
                )
                let quote = try checkout.quote(cartToken: token, details: details)
                try checkout.placeOrder(cartToken: token, details: details, confirmedFingerprint: quote.fingerprint)
                // Put the unit back so the 50 in stock last for every order.
                try database.run("UPDATE products SET stock = stock + 1 WHERE id = ?", shop.mug.id)
            }
        }
        let browser = try shop.owner()

        let response = try browser.get("/admin/orders.csv", host: shop.host)
        #expect(response.status == 200)
        #expect(response.body.count > 3 * 16 * 1024)
        let records = parseCSV(String(decoding: response.body.dropFirst(3), as: UTF8.self))
        #expect(records.count == 401)
        #expect(Set(records.dropFirst().map { $0[4] }).count == 400)
        #expect(!shop.app.waitForLog { $0.contains("orders.exported") && $0.contains("rows=400") }.isEmpty)

        // The store answers other requests after the export, so it released its connection.
        let page = try browser.get("/admin/orders", host: shop.host)
        #expect(page.visibleText.contains("400 orders"))
    }
}
