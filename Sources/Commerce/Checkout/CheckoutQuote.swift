import Crypto
import Foundation

/// The price of an order placed now: the cart at current prices plus shipping. The shopper
/// confirms it by posting back `fingerprint`. `Checkout.placeOrder` recomputes the quote and
/// rejects the order when the fingerprint differs, so the shopper is never charged an
/// amount they did not see.
public struct CheckoutQuote: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public let productID: Int64
        public let title: String
        public let sku: String?
        public let quantity: Int
        /// The product's current price in minor units.
        public let unitPrice: Int64
        public let lineTotal: Int64
        /// The price the shopper saw when adding it, for showing a change.
        public let seenUnitPrice: Int64
    }

    public let lines: [Line]
    public let subtotal: Int64
    public let shippingMethodID: Int64
    public let shippingMethodName: String
    /// Zero when the subtotal reached the method's free-shipping threshold.
    public let shippingPrice: Int64
    public let total: Int64
    public let currency: Currency
    /// Lower-case hex SHA-256 over the currency, every line's product id, quantity and unit
    /// price, the shipping method and price, and the total.
    public let fingerprint: String

    init(lines: [Line], shipping: ShippingOption, currency: Currency) {
        self.lines = lines
        subtotal = lines.reduce(0) { $0 + $1.lineTotal }
        shippingMethodID = shipping.method.id
        shippingMethodName = shipping.method.name
        shippingPrice = shipping.price
        total = subtotal + shipping.price
        self.currency = currency

        // One field per line, in a fixed order, so equal quotes give equal text.
        var text = "storefleet-quote-1\ncurrency=\(currency.code)\n"
        for line in lines {
            text += "line=\(line.productID):\(line.quantity):\(line.unitPrice)\n"
        }
        text += "shipping=\(shipping.method.id):\(shipping.price)\ntotal=\(total)\n"
        fingerprint = Hex.encode(SHA256.hash(text))
    }

    /// Whether any price differs from the one the shopper saw when adding the product.
    public var hasPriceChanges: Bool { lines.contains { $0.unitPrice != $0.seenUnitPrice } }
}
