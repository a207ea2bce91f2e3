import Foundation
import SQLite

/// The products of one store: creation, editing, visibility, deletion and images.
///
/// Every change runs in its own IMMEDIATE transaction, which nests as a savepoint when the
/// caller already has one open, so a failed check leaves nothing half-written.
public struct ProductStore {
    public let database: Database
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock for `created_at` and `updated_at`; tests pass a fixed one.
    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Validates `input` and inserts the product, deriving a free slug from the title when
    /// `input.slug` is empty ("mug", then "mug-2", "mug-3").
    ///
    /// - Parameter limit: the plan's product limit, nil for none. Hidden products count.
    /// - Throws: `ValidationErrors` for invalid fields, `CommerceError.productLimitReached`
    ///   when the store already has `limit` products.
    @discardableResult
    public func create(_ input: ProductInput, limit: Int? = nil) throws -> Product {
        try database.transaction(.immediate) { database in
            if let limit {
                let count = try database.scalar("SELECT count(*) FROM products", as: Int.self) ?? 0
                guard count < limit else { throw CommerceError.productLimitReached(limit: limit) }
            }

            let input = try checked(input, productID: nil, in: database)
            let timestamp = now()
            try database.run(
                """
                INSERT INTO products
                    (slug, title, description, price, compare_at_price, sku, stock, visible, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                input.slug, input.title, input.description, input.price, input.compareAtPrice,
                input.sku.isEmpty ? nil : input.sku, input.stock, input.isVisible, timestamp, timestamp
            )
            return try require(database.lastInsertRowID, in: database)
        }
    }

    /// Replaces the editable fields of product `id` with `input`. An empty slug derives a
    /// new one from the title, which keeps the current slug when the title still gives it.
    ///
    /// - Throws: `ValidationErrors`, or `CommerceError.notFound` when no product has `id`.
    @discardableResult
    public func update(id: Int64, with input: ProductInput) throws -> Product {
        try database.transaction(.immediate) { database in
            _ = try require(id, in: database)
            let input = try checked(input, productID: id, in: database)
            try database.run(
                """
                UPDATE products
                SET slug = ?, title = ?, description = ?, price = ?, compare_at_price = ?, sku = ?,
                    stock = ?, visible = ?, updated_at = ?
                WHERE id = ?
                """,
                input.slug, input.title, input.description, input.price, input.compareAtPrice,
                input.sku.isEmpty ? nil : input.sku, input.stock, input.isVisible, now(), id
            )
            return try require(id, in: database)
        }
    }

    /// Hides product `id` from shoppers; it stays in the admin.
    @discardableResult
    public func hide(id: Int64) throws -> Product {
        try setVisible(false, id: id)
    }

    /// Shows product `id` to shoppers again.
    @discardableResult
    public func show(id: Int64) throws -> Product {
        try setVisible(true, id: id)
    }

    /// Deletes product `id` and returns it as it was, so the caller can delete its image file.
    ///
    /// - Throws: `CommerceError.notFound` when no product has `id`.
    @discardableResult
    public func delete(id: Int64) throws -> Product {
        try database.transaction(.immediate) { database in
            let product = try require(id, in: database)
            try database.run("DELETE FROM products WHERE id = ?", id)
            return product
        }
    }

    /// Records `fileName` as the image of product `id` and returns the previous file name,
    /// which the caller deletes once the change is committed.
    ///
    /// - Throws: `ValidationErrors` on the `image` field when `fileName` is not a plain file
    ///   name, `CommerceError.notFound` when no product has `id`.
    @discardableResult
    public func setImage(id: Int64, fileName: String) throws -> String? {
        guard Self.isPlainFileName(fileName) else {
            throw ValidationErrors(
                field: "image",
                message: "Image file name “\(fileName)” must be a plain file name of at most 255 bytes, without “/” or a leading dot."
            )
        }
        return try replaceImage(id: id, with: fileName)
    }

    /// Removes the image of product `id` and returns the previous file name, if any.
    @discardableResult
    public func clearImage(id: Int64) throws -> String? {
        try replaceImage(id: id, with: nil)
    }

    // MARK: - Reading

    /// Returns the product with `id`, visible or hidden, for the admin.
    public func find(id: Int64) throws -> Product? {
        try Self.find(id: id, in: database)
    }

    /// Returns the product with `slug`. Hidden products are found only with `includeHidden`,
    /// so the storefront's product page shows "not found" for them.
    public func find(slug: String, includeHidden: Bool = false) throws -> Product? {
        let visibility = includeHidden ? "" : " AND visible = 1"
        return try database.query(
            "SELECT \(Product.columns) FROM products WHERE slug = ?\(visibility)", slug,
            map: Product.init(row:)
        ).first
    }

    /// Returns the number of products, hidden ones included, as the plan limit counts them.
    public func count() throws -> Int {
        try database.scalar("SELECT count(*) FROM products", as: Int.self) ?? 0
    }

    // MARK: - Helpers

    private func setVisible(_ visible: Bool, id: Int64) throws -> Product {
        try database.transaction(.immediate) { database in
            _ = try require(id, in: database)
            try database.run("UPDATE products SET visible = ?, updated_at = ? WHERE id = ?", visible, now(), id)
            return try require(id, in: database)
        }
    }

    private func replaceImage(id: Int64, with fileName: String?) throws -> String? {
        try database.transaction(.immediate) { database in
            let product = try require(id, in: database)
            try database.run("UPDATE products SET image_file_name = ?, updated_at = ? WHERE id = ?", fileName, now(), id)
            return product.imageFileName
        }
    }

    /// Validates `input`, checks SKU and slug uniqueness against products other than
    /// `productID`, and fills in a derived slug.
    private func checked(_ input: ProductInput, productID: Int64?, in database: Database) throws -> ProductInput {
        let currency = try StoreSettings.load(from: database).currency ?? .usd
        var (input, errors) = input.normalizedAndValidated(currency: currency)

        if !input.sku.isEmpty, errors["sku"].isEmpty,
           let other = try productUsing(column: "sku", value: input.sku, except: productID, in: database) {
            errors.add("SKU “\(input.sku)” is already used by “\(other)”; choose another.", for: "sku")
        }

        if !input.slug.isEmpty, errors["slug"].isEmpty,
           let other = try productUsing(column: "slug", value: input.slug, except: productID, in: database) {
            errors.add("Address “\(input.slug)” is already used by “\(other)”; choose another, or leave it empty to derive one from the title.", for: "slug")
        }

        try errors.throwIfAny()

        if input.slug.isEmpty {
            input.slug = try freeSlug(for: input.title, except: productID, in: database)
        }
        return input
    }

    /// Returns the title of a product other than `productID` whose `column` equals `value`.
    private func productUsing(column: String, value: String, except productID: Int64?, in database: Database) throws -> String? {
        try database.query(
            "SELECT title FROM products WHERE \(column) = ? AND id IS NOT ?", value, productID,
            map: { try $0.get("title", as: String.self) }
        ).first
    }

    /// Returns the slug derived from `title`, numbered from 2 upwards until no other product
    /// has it.
    private func freeSlug(for title: String, except productID: Int64?, in database: Database) throws -> String {
        let base = Slug.make(from: title)
        var candidate = base
        var number = 1
        while try productUsing(column: "slug", value: candidate, except: productID, in: database) != nil {
            number += 1
            candidate = Slug.numbered(base, number)
        }
        return candidate
    }

    private func require(_ id: Int64, in database: Database) throws -> Product {
        guard let product = try Self.find(id: id, in: database) else {
            throw CommerceError.notFound(entity: "product", id: String(id))
        }
        return product
    }

    private static func find(id: Int64, in database: Database) throws -> Product? {
        try database.query(
            "SELECT \(Product.columns) FROM products WHERE id = ?", id,
            map: Product.init(row:)
        ).first
    }

    /// Returns whether `name` cannot leave the store's files folder: no path separator, no leading dot
    /// (which also excludes "." and ".."), no control characters, at most 255 bytes
    /// (the usual file-name limit of Linux file systems).
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.count <= 255
            && !name.hasPrefix(".")
            && !name.contains("/")
            && !name.contains("\\")
            && !name.containsControlCharacters
    }
}
