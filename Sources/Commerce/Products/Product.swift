import Foundation
import SQLite

/// A product as stored. Prices are in minor units of the store's currency
/// (`StoreSettings.currency`).
public struct Product: Sendable, Hashable, Identifiable {
    public let id: Int64
    public var slug: String
    public var title: String
    public var description: String
    public var price: Int64
    /// The former or usual price shown struck through beside `price`; higher than `price`.
    public var compareAtPrice: Int64?
    public var sku: String?
    public var stock: Int
    /// Whether shoppers can see the product. Hidden products stay in the admin.
    public var isVisible: Bool
    /// The image's file name under the store's files folder, nil when there is none.
    public var imageFileName: String?
    public var createdAt: Date
    public var updatedAt: Date

    public var isInStock: Bool { stock > 0 }

    static let columns = """
        id, slug, title, description, price, compare_at_price, sku, stock, visible,
        image_file_name, created_at, updated_at
        """

    init(row: Row) throws {
        id = try row.get("id")
        slug = try row.get("slug")
        title = try row.get("title")
        description = try row.get("description")
        price = try row.get("price")
        compareAtPrice = try row.get("compare_at_price")
        sku = try row.get("sku")
        stock = try row.get("stock")
        isVisible = try row.get("visible")
        imageFileName = try row.get("image_file_name")
        createdAt = try row.get("created_at")
        updatedAt = try row.get("updated_at")
    }
}

/// The fields a merchant edits in the product form. `ProductStore` validates and trims them.
public struct ProductInput: Sendable, Hashable {
    public var title: String
    /// Empty to derive the slug from the title.
    public var slug: String
    public var description: String
    public var price: Int64
    public var compareAtPrice: Int64?
    /// Empty for none.
    public var sku: String
    public var stock: Int
    public var isVisible: Bool

    public init(
        title: String,
        slug: String = "",
        description: String = "",
        price: Int64,
        compareAtPrice: Int64? = nil,
        sku: String = "",
        stock: Int = 0,
        isVisible: Bool = true
    ) {
        self.title = title
        self.slug = slug
        self.description = description
        self.price = price
        self.compareAtPrice = compareAtPrice
        self.sku = sku
        self.stock = stock
        self.isVisible = isVisible
    }

    /// Creates the input of an existing product, to prefill the edit form.
    public init(_ product: Product) {
        self.init(
            title: product.title,
            slug: product.slug,
            description: product.description,
            price: product.price,
            compareAtPrice: product.compareAtPrice,
            sku: product.sku ?? "",
            stock: product.stock,
            isVisible: product.isVisible
        )
    }
}

/// Orders of the product list.
public enum ProductSort: String, Sendable, CaseIterable {
    /// Most recently created first.
    case newest
    /// Title A to Z, ignoring ASCII letter case.
    case title
    case priceAscending = "price-asc"
    case priceDescending = "price-desc"
    /// Lowest stock first, to see what needs restocking.
    case stock

    var orderByClause: String {
        switch self {
        case .newest: return "created_at DESC, id DESC"
        case .title: return "title COLLATE NOCASE ASC, id ASC"
        case .priceAscending: return "price ASC, id ASC"
        case .priceDescending: return "price DESC, id DESC"
        case .stock: return "stock ASC, id ASC"
        }
    }
}
