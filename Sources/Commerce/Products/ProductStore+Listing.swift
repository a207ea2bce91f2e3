import Foundation
import SQLite

extension ProductStore {
    public static let maximumPerPage = 100

    /// Returns one page of products.
    ///
    /// - Parameters:
    ///   - page: 1-based; values below 1 read as 1. A page past the end has no items.
    ///   - perPage: clamped to 1...`maximumPerPage`.
    ///   - search: matched as a substring of the title, SKU or description. `%` and `_` match
    ///     themselves. Letter case and accents are ignored (`search_fold`).
    ///   - includeHidden: true for the admin, false for the storefront.
    public func list(
        page: Int = 1,
        perPage: Int = 20,
        search: String? = nil,
        sort: ProductSort = .newest,
        includeHidden: Bool
    ) throws -> Page<Product> {
        let page = max(1, page)
        let perPage = min(max(1, perPage), Self.maximumPerPage)

        var conditions: [String] = []
        var arguments: [(any SQLValueConvertible)?] = []
        if !includeHidden {
            conditions.append("visible = 1")
        }
        let term = search?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !term.isEmpty {
            let pattern = "%" + Self.escapingLikeWildcards(Database.foldForSearch(term)) + "%"
            conditions.append(
                "(search_fold(title) LIKE ? ESCAPE '\\' OR search_fold(sku) LIKE ? ESCAPE '\\' OR search_fold(description) LIKE ? ESCAPE '\\')"
            )
            arguments += [pattern, pattern, pattern]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")

        let totalCount = try database.scalar(
            "SELECT count(*) FROM products\(whereClause)", arguments: StatementArguments(arguments), as: Int.self
        ) ?? 0

        // The offset is bounded by the product count, so a page number past the end cannot
        // overflow: it is clamped before multiplying.
        let lastUsefulPage = max(1, (totalCount + perPage - 1) / perPage) + 1
        let offset = (min(page, lastUsefulPage) - 1) * perPage
        let items = try database.query(
            "SELECT \(Product.columns) FROM products\(whereClause) ORDER BY \(sort.orderByClause) LIMIT ? OFFSET ?",
            arguments: StatementArguments(arguments + [perPage, offset]),
            map: Product.init(row:)
        )
        return Page(items: items, page: page, perPage: perPage, totalCount: totalCount)
    }

    /// Escapes `\`, `%` and `_` with a backslash, for a LIKE pattern with `ESCAPE '\'`.
    static func escapingLikeWildcards(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" {
                escaped.append("\\")
            }
            escaped.append(character)
        }
        return escaped
    }
}

/// Product counts for the admin dashboard.
public struct ProductCounts: Sendable, Equatable {
    public let total: Int
    public let visible: Int
    public let soldOut: Int

    public init(total: Int, visible: Int, soldOut: Int) {
        self.total = total
        self.visible = visible
        self.soldOut = soldOut
    }
}

extension ProductStore {
    /// Counts all products, the visible ones and those with no stock, in one query.
    public func counts() throws -> ProductCounts {
        try database.queryFirst("""
            SELECT count(*) AS total,
                   coalesce(sum(visible), 0) AS visible,
                   coalesce(sum(stock = 0), 0) AS sold_out
            FROM products
            """) { row in
            ProductCounts(total: try row.get("total"), visible: try row.get("visible"), soldOut: try row.get("sold_out"))
        } ?? ProductCounts(total: 0, visible: 0, soldOut: 0)
    }
}
