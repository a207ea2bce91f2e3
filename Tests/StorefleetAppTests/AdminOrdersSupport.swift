import Commerce
import Foundation
import SQLite
import Testing
import Tenancy

/// A store that sells: two products, a shipping method for Spain and Portugal, and bank
/// transfer and cash on delivery enabled. Orders are placed straight through `Checkout` in
/// the store's own file, as the storefront would place them, so the admin pages can be
/// driven against real orders.
struct OrderShop {
    /// 2026-03-15 12:00 UTC, a Sunday in the middle of a month, so that "today", "this
    /// month" and "the last 30 days" all differ.
    static let now = Date(timeIntervalSince1970: 1_773_576_000)

    let app: TestApp
    let store: StoreRecord
    let host: String
    let mug: Product
    let lamp: Product
    let standard: ShippingMethod
    let bankTransfer: PaymentMethod
    let cashOnDelivery: PaymentMethod

    static let bankInstructions = "IBAN ES91 2100 0418 4502 0005 1332\nReference: your order number"

    /// Starts an app whose clock stands at `now` and creates the store `slug` in it.
    static func start(slug: String = "alpha") throws -> OrderShop {
        let app = try TestApp(clock: SettableClock(now))
        do {
            return try OrderShop(app: app, slug: slug)
        } catch {
            app.stop()
            throw error
        }
    }

    init(app: TestApp, slug: String) throws {
        self.app = app
        store = try app.createStore(slug, name: "Alpha Outfitters")
        host = TestApp.host(slug)
        mug = try app.addProduct(store, title: "Camp Mug", price: 1_250, stock: 50)
        lamp = try app.addProduct(store, title: "Trail Lamp", price: 3_000, stock: 20)

        let now = OrderShop.now
        (standard, bankTransfer, cashOnDelivery) = try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in
                let standard = try ShippingMethodStore(database: database, now: { now }).create(ShippingMethodInput(
                    name: "Standard", price: 500, freeFromSubtotal: 10_000, countries: .only(["ES", "PT"]), position: 1
                ))
                let payments = PaymentMethodStore(database: database)
                let bank = try #require(try payments.find(kind: .bankTransfer))
                let cash = try #require(try payments.find(kind: .cashOnDelivery))
                return (
                    standard,
                    try payments.update(id: bank.id, with: PaymentMethodInput(
                        name: "Bank transfer", instructions: Self.bankInstructions, isEnabled: true, position: 1
                    )),
                    try payments.update(id: cash.id, with: PaymentMethodInput(name: "Cash on delivery", isEnabled: true, position: 2))
                )
            }
        }
    }

    func stop() {
        app.stop()
    }

    /// Places an order for `lines` as a guest would, at `time` (the app's clock when nil).
    @discardableResult
    func placeOrder(
        _ lines: [(Product, Int)],
        email: String = "ana@example.com",
        name: String = "Ana Ruiz",
        payment: PaymentMethod? = nil,
        billing: Address? = nil,
        notes: String = "",
        at time: Date? = nil
    ) throws -> Order {
        let now = time ?? app.clock.now()
        let address = Address(name: name, line1: "Calle Mayor 1", line2: "2º B", city: "Madrid", postalCode: "28013", region: "Madrid", country: "ES")
        let details = CheckoutDetails(
            email: email, shippingAddress: address, billingAddress: billing,
            shippingMethodID: standard.id, paymentMethodID: (payment ?? bankTransfer).id, notes: notes
        )
        return try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in
                let carts = CartStore(database: database, now: { now })
                var token: String?
                for (product, quantity) in lines {
                    token = try carts.add(productID: product.id, quantity: quantity, token: token).token
                }
                let cartToken = try #require(token)
                let checkout = Checkout(database: database, now: { now })
                let quote = try checkout.quote(cartToken: cartToken, details: details)
                return try checkout.placeOrder(cartToken: cartToken, details: details, confirmedFingerprint: quote.fingerprint)
            }
        }
    }

    /// Runs `body` in one write transaction of the store's file, with the app's time.
    func write<T>(_ body: (Database, @escaping @Sendable () -> Date) throws -> T) throws -> T {
        let now = app.clock.now()
        return try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in try body(database, { now }) }
        }
    }

    func order(_ id: Int64) throws -> Order {
        try #require(try write { database, _ in try OrderStore(database: database).find(id: id) })
    }

    func timeline(_ id: Int64) throws -> [OrderEvent] {
        try write { database, _ in try OrderStore(database: database).timeline(orderID: id) }
    }

    func stock(_ product: Product) throws -> Int? {
        try app.product(store, id: product.id)?.stock
    }

    /// A browser signed in as the store's owner, whose name is "Owner".
    func owner() throws -> HTTPClient {
        try app.ownerBrowser(store.slug)
    }
}

/// Parses CSV text as RFC 4180 writes it: quoted fields may hold commas, quotes and line
/// breaks, and records end in CRLF.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var characters = Array(text.unicodeScalars)[...]

    while let character = characters.popFirst() {
        if inQuotes {
            if character == "\"" {
                if characters.first == "\"" {
                    field.unicodeScalars.append("\"")
                    characters.removeFirst()
                } else {
                    inQuotes = false
                }
            } else {
                field.unicodeScalars.append(character)
            }
            continue
        }
        switch character {
        case "\"":
            inQuotes = true
        case ",":
            record.append(field)
            field = ""
        case "\r":
            if characters.first == "\n" { characters.removeFirst() }
            record.append(field)
            records.append(record)
            record = []
            field = ""
        default:
            field.unicodeScalars.append(character)
        }
    }
    if !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}

extension HTTPResponse {
    /// The page's text with tags removed and runs of white space collapsed, roughly what a
    /// reader sees, for checks of sentences that the markup splits. A tag of an element
    /// that browsers lay out as a block separates words, and an inline tag does not.
    var visibleText: String {
        let inlineTags: Set<String> = ["a", "strong", "em", "b", "i", "span", "time", "code", "abbr"]
        var result = ""
        var tag: String?
        for character in text {
            if tag == nil, character == "<" {
                tag = ""
            } else if let name = tag {
                if character == ">" {
                    let element = name.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
                    if !inlineTags.contains(element) {
                        result.append(" ")
                    }
                    tag = nil
                } else {
                    tag = name + String(character)
                }
            } else {
                result.append(character)
            }
        }
        let words = HTML.unescape(result).split(whereSeparator: { $0.isWhitespace && $0 != "\u{00A0}" })
        return words.joined(separator: " ")
    }
}
