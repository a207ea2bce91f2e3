import Foundation
import SQLite

/// A shopper's cart, loaded with the current data of its products. Totals use current
/// prices; each line also carries the price the shopper last saw, so the storefront can
/// point out a change before checkout.
public struct Cart: Sendable, Hashable, Identifiable {
    public let id: Int64
    /// Oldest line first, the order the shopper added them.
    public let lines: [CartLine]
    public let currency: Currency
    public let createdAt: Date
    /// The last change or visit; the cart expires `CartStore.lifetime` after it.
    public let updatedAt: Date

    public var isEmpty: Bool { lines.isEmpty }

    /// Units across all lines.
    public var itemCount: Int { lines.reduce(0) { $0 + $1.quantity } }

    /// The sum of the lines at current prices, in minor units.
    public var subtotal: Int64 { lines.reduce(0) { $0 + $1.lineTotal } }

    /// Whether any line's price differs from the one the shopper saw.
    public var hasPriceChanges: Bool { lines.contains { $0.priceChanged } }

    /// Whether every line can be bought as it is: visible, in stock for its quantity.
    public var isReadyForCheckout: Bool {
        !isEmpty && lines.allSatisfy { $0.availability == .available }
    }
}

/// One product in a cart, with the product's current title, price and stock.
public struct CartLine: Sendable, Hashable, Identifiable {
    public let id: Int64
    public let productID: Int64
    public let title: String
    public let slug: String
    public let sku: String?
    public let imageFileName: String?
    public let quantity: Int
    /// The product's current price, which checkout charges.
    public let unitPrice: Int64
    /// The price when the shopper added the product or last confirmed the cart.
    public let seenUnitPrice: Int64
    /// Units in stock now.
    public let stock: Int
    public let isVisible: Bool

    public var lineTotal: Int64 { unitPrice * Int64(quantity) }

    /// Whether the price changed since the shopper saw it; the storefront must show both.
    public var priceChanged: Bool { unitPrice != seenUnitPrice }

    public var availability: CartLineAvailability {
        if !isVisible { return .unavailable }
        if stock == 0 { return .soldOut }
        if stock < quantity { return .insufficientStock(available: stock) }
        return .available
    }

    static let columns = """
        cart_lines.id AS line_id, cart_lines.product_id, cart_lines.quantity, cart_lines.seen_unit_price,
        products.title, products.slug, products.sku, products.image_file_name, products.price,
        products.stock, products.visible
        """

    init(row: Row) throws {
        id = try row.get("line_id")
        productID = try row.get("product_id")
        quantity = try row.get("quantity")
        seenUnitPrice = try row.get("seen_unit_price")
        title = try row.get("title")
        slug = try row.get("slug")
        sku = try row.get("sku")
        imageFileName = try row.get("image_file_name")
        unitPrice = try row.get("price")
        stock = try row.get("stock")
        isVisible = try row.get("visible")
    }
}

/// Whether a cart line can be bought as it is.
public enum CartLineAvailability: Sendable, Hashable {
    case available
    /// Fewer units are in stock than the line's quantity.
    case insufficientStock(available: Int)
    case soldOut
    /// The merchant hid the product.
    case unavailable
}
