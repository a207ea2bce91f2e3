import Commerce
import Foundation
import SQLite
import Testing

extension TestStore {
    var carts: CartStore { CartStore(database: database, now: clock.closure) }
    var checkout: Checkout { Checkout(database: database, now: clock.closure) }
    var orders: OrderStore { OrderStore(database: database, now: clock.closure) }
    var outbox: Outbox { Outbox(database: database, now: clock.closure) }
    var shippingMethods: ShippingMethodStore { ShippingMethodStore(database: database, now: clock.closure) }
    var paymentMethods: PaymentMethodStore { PaymentMethodStore(database: database) }
    var statistics: OrderStatistics { OrderStatistics(database: database, now: clock.closure) }

    func stock(of productID: Int64) throws -> Int? {
        try products.find(id: productID)?.stock
    }

    func count(_ table: String) throws -> Int {
        try database.scalar("SELECT count(*) FROM \(table)", as: Int.self) ?? 0
    }
}

/// A store ready to sell: settings saved, two products, a shipping method that is free from
/// $50 and serves Spain and Portugal, and bank transfer enabled.
struct Shop {
    let store: TestStore
    let mug: Product
    let lamp: Product
    let standard: ShippingMethod
    let bankTransfer: PaymentMethod

    init(mugStock: Int = 10, lampStock: Int = 5) throws {
        store = try TestStore()
        try store.saveSettings()
        mug = try store.products.create(ProductInput(title: "Camp Mug", price: 1250, sku: "MUG-1", stock: mugStock))
        lamp = try store.products.create(ProductInput(title: "Trail Lamp", price: 3000, sku: "LAMP-1", stock: lampStock))
        standard = try store.shippingMethods.create(ShippingMethodInput(
            name: "Standard", price: 500, freeFromSubtotal: 10_000, countries: .only(["ES", "PT"])
        ))
        let bank = try #require(try store.paymentMethods.find(kind: .bankTransfer))
        bankTransfer = try store.paymentMethods.update(id: bank.id, with: PaymentMethodInput(
            name: "Bank transfer", instructions: "IBAN ES91 2100 0418 4502 0005 1332, reference: your order number.", isEnabled: true, position: 1
        ))
    }

    var address: Address {
        Address(name: "Ana Ruiz", line1: "Calle Mayor 1", city: "Madrid", postalCode: "28013", region: "Madrid", country: "ES")
    }

    func details(email: String = "ana@example.com", name: String = "Ana Ruiz") -> CheckoutDetails {
        var address = address
        address.name = name
        return CheckoutDetails(
            email: email, shippingAddress: address,
            shippingMethodID: standard.id, paymentMethodID: bankTransfer.id
        )
    }

    /// Creates a cart with `lines` (product and quantity) and returns its token.
    func cart(_ lines: [(Product, Int)]) throws -> String {
        var token: String?
        for (product, quantity) in lines {
            token = try store.carts.add(productID: product.id, quantity: quantity, token: token).token
        }
        return try #require(token)
    }

    /// Quotes and places an order for a new cart with `lines`.
    @discardableResult
    func buy(
        _ lines: [(Product, Int)],
        email: String = "ana@example.com",
        name: String = "Ana Ruiz",
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> Order {
        let token = try cart(lines)
        let details = details(email: email, name: name)
        let quote = try store.checkout.quote(cartToken: token, details: details)
        return try store.checkout.placeOrder(
            cartToken: token, details: details, confirmedFingerprint: quote.fingerprint, composeMails: composeMails
        )
    }
}

/// Returns a confirmation mail to the order's email, as the app would compose it.
func confirmationMail(for order: Order) -> OutgoingMail {
    OutgoingMail(
        toAddress: order.email,
        toName: order.shippingAddress.name,
        subject: "Order \(order.number) received",
        textBody: "Thank you for order \(order.number).",
        kind: .orderConfirmation
    )
}

/// Runs `body` and returns the error it throws as `E`, or nil when it throws nothing.
/// Any other error fails the test by propagating.
func caught<E: Error>(_ type: E.Type, _ body: () throws -> Void) throws -> E? {
    do {
        try body()
        return nil
    } catch let error as E {
        return error
    }
}
