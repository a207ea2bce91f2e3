import Foundation
import SQLite

/// A placed order. Names, SKUs and prices are copies taken when it was placed, so later
/// edits of products, shipping or payment methods do not change it. Amounts are in minor
/// units of `currencyCode`.
public struct Order: Sendable, Hashable, Identifiable {
    public let id: Int64
    /// The number people use, from 1001 upwards without gaps.
    public let number: Int64
    public var status: OrderStatus
    public var fulfillment: FulfillmentStatus
    /// The customer account that placed the order, nil for a guest.
    public var customerID: Int64?
    public var email: String
    public var shippingAddress: Address
    public var billingAddress: Address
    /// Nil once the shipping method was deleted.
    public var shippingMethodID: Int64?
    public var shippingMethodName: String
    public var shippingPrice: Int64
    /// Nil once the payment method was deleted.
    public var paymentMethodID: Int64?
    public var paymentMethodKind: PaymentMethodKind
    public var paymentMethodName: String
    /// The payment method's instructions as they were when the order was placed; empty
    /// for none.
    public var paymentInstructions: String
    /// A payment processor's transaction id, or the reference staff gave when marking the
    /// order paid.
    public var paymentReference: String?
    public var currencyCode: String
    public var subtotal: Int64
    public var total: Int64
    /// The shopper's notes from checkout.
    public var notes: String
    /// The store's language (ISO 639-1) when the order was placed, which later mail about
    /// the order uses; nil for orders placed before it was recorded.
    public var language: String?
    /// The secret of the order status link, which the app mails to the shopper. Treat it
    /// like a password: never log it.
    public var accessToken: String
    public var carrier: String?
    public var trackingNumber: String?
    public var placedAt: Date
    public var paidAt: Date?
    public var shippedAt: Date?
    public var deliveredAt: Date?
    public var canceledAt: Date?
    public var abandonedAt: Date?
    public var updatedAt: Date
    /// In the order the shopper added them to the cart.
    public var lines: [OrderLine]

    /// The currency of the amounts, nil only when `currencyCode` is missing from the table.
    public var currency: Currency? { Currency.named(currencyCode) }

    /// Units across all lines.
    public var itemCount: Int { lines.reduce(0) { $0 + $1.quantity } }

    static let columns = """
        id, number, status, fulfillment, customer_id, email,
        shipping_name, shipping_line1, shipping_line2, shipping_city, shipping_postal_code, shipping_region, shipping_country,
        billing_name, billing_line1, billing_line2, billing_city, billing_postal_code, billing_region, billing_country,
        shipping_method_id, shipping_method_name, shipping_price,
        payment_method_id, payment_method_kind, payment_method_name, payment_instructions, payment_reference,
        currency_code, subtotal, total, notes, language, access_token, carrier, tracking_number,
        placed_at, paid_at, shipped_at, delivered_at, canceled_at, abandoned_at, updated_at
        """

    init(row: Row, lines: [OrderLine]) throws {
        id = try row.get("id")
        number = try row.get("number")
        status = try Self.decode(OrderStatus.self, column: "status", in: row)
        fulfillment = try Self.decode(FulfillmentStatus.self, column: "fulfillment", in: row)
        customerID = try row.get("customer_id")
        email = try row.get("email")
        shippingAddress = try Self.address(prefix: "shipping", in: row)
        billingAddress = try Self.address(prefix: "billing", in: row)
        shippingMethodID = try row.get("shipping_method_id")
        shippingMethodName = try row.get("shipping_method_name")
        shippingPrice = try row.get("shipping_price")
        paymentMethodID = try row.get("payment_method_id")
        paymentMethodKind = PaymentMethodKind(rawValue: try row.get("payment_method_kind"))
        paymentMethodName = try row.get("payment_method_name")
        paymentInstructions = try row.get("payment_instructions")
        paymentReference = try row.get("payment_reference")
        currencyCode = try row.get("currency_code")
        subtotal = try row.get("subtotal")
        total = try row.get("total")
        notes = try row.get("notes")
        language = try row.get("language")
        accessToken = try row.get("access_token")
        carrier = try row.get("carrier")
        trackingNumber = try row.get("tracking_number")
        placedAt = try row.get("placed_at")
        paidAt = try row.get("paid_at")
        shippedAt = try row.get("shipped_at")
        deliveredAt = try row.get("delivered_at")
        canceledAt = try row.get("canceled_at")
        abandonedAt = try row.get("abandoned_at")
        updatedAt = try row.get("updated_at")
        self.lines = lines
    }

    private static func address(prefix: String, in row: Row) throws -> Address {
        Address(
            name: try row.get("\(prefix)_name"),
            line1: try row.get("\(prefix)_line1"),
            line2: try row.get("\(prefix)_line2"),
            city: try row.get("\(prefix)_city"),
            postalCode: try row.get("\(prefix)_postal_code"),
            region: try row.get("\(prefix)_region"),
            country: try row.get("\(prefix)_country")
        )
    }

    static func decode<T: RawRepresentable>(_ type: T.Type, column: String, in row: Row) throws -> T where T.RawValue == String {
        let text: String = try row.get(column)
        guard let value = T(rawValue: text) else {
            throw CommerceError.corruptRecord(table: "orders", column: column, value: text)
        }
        return value
    }
}

/// One product line of an order, copied from the cart and the product when the order was
/// placed.
public struct OrderLine: Sendable, Hashable, Identifiable {
    public let id: Int64
    /// Nil once the product was deleted.
    public let productID: Int64?
    public let title: String
    public let sku: String?
    public let unitPrice: Int64
    public let quantity: Int
    public let lineTotal: Int64

    static let columns = "id, order_id, product_id, title, sku, unit_price, quantity, line_total"

    init(row: Row) throws {
        id = try row.get("id")
        productID = try row.get("product_id")
        title = try row.get("title")
        sku = try row.get("sku")
        unitPrice = try row.get("unit_price")
        quantity = try row.get("quantity")
        lineTotal = try row.get("line_total")
    }
}

/// One entry of an order's timeline.
public struct OrderEvent: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, CaseIterable {
        case placed, paid, shipped, delivered, canceled, abandoned
        /// An internal note by staff, never shown to the shopper.
        case note
    }

    public let id: Int64
    public let orderID: Int64
    public let kind: Kind
    public let actor: OrderActor
    public let message: String
    public let createdAt: Date

    /// Whether only staff may see the entry.
    public var isInternal: Bool { kind == .note }

    static let columns = "id, order_id, kind, actor, message, created_at"

    init(row: Row) throws {
        id = try row.get("id")
        orderID = try row.get("order_id")
        let kindText: String = try row.get("kind")
        guard let kind = Kind(rawValue: kindText) else {
            throw CommerceError.corruptRecord(table: "order_events", column: "kind", value: kindText)
        }
        self.kind = kind
        actor = OrderActor(storedValue: try row.get("actor"))
        message = try row.get("message")
        createdAt = try row.get("created_at")
    }
}
