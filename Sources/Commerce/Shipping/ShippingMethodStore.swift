import Foundation
import SQLite

/// The store's shipping methods: editing them in the admin and offering them at checkout.
public struct ShippingMethodStore {
    public let database: Database
    private let now: @Sendable () -> Date

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Validates `input` and inserts the method.
    ///
    /// - Throws: `ValidationErrors` naming each invalid field; nothing is written then.
    @discardableResult
    public func create(_ input: ShippingMethodInput) throws -> ShippingMethod {
        try database.transaction(.immediate) { database in
            let input = try checked(input, in: database)
            let timestamp = now()
            try database.run(
                """
                INSERT INTO shipping_methods
                    (name, price, free_from_subtotal, countries, active, position, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                input.name, input.price, input.freeFromSubtotal, input.countries.storedValue,
                input.isActive, input.position, timestamp, timestamp
            )
            return try require(database.lastInsertRowID, in: database)
        }
    }

    /// Replaces the fields of method `id`. Orders placed earlier keep the name and price
    /// they were placed with.
    ///
    /// - Throws: `ValidationErrors`, or `CommerceError.notFound` when no method has `id`.
    @discardableResult
    public func update(id: Int64, with input: ShippingMethodInput) throws -> ShippingMethod {
        try database.transaction(.immediate) { database in
            _ = try require(id, in: database)
            let input = try checked(input, in: database)
            try database.run(
                """
                UPDATE shipping_methods
                SET name = ?, price = ?, free_from_subtotal = ?, countries = ?, active = ?, position = ?,
                    updated_at = ?
                WHERE id = ?
                """,
                input.name, input.price, input.freeFromSubtotal, input.countries.storedValue,
                input.isActive, input.position, now(), id
            )
            return try require(id, in: database)
        }
    }

    /// Deletes method `id` and returns it as it was. Orders that used it keep their copy of
    /// its name and price.
    ///
    /// - Throws: `CommerceError.notFound` when no method has `id`.
    @discardableResult
    public func delete(id: Int64) throws -> ShippingMethod {
        try database.transaction(.immediate) { database in
            let method = try require(id, in: database)
            try database.run("DELETE FROM shipping_methods WHERE id = ?", id)
            return method
        }
    }

    public func find(id: Int64) throws -> ShippingMethod? {
        try Self.find(id: id, in: database)
    }

    /// Returns every method, inactive ones included, in the order checkout offers them.
    public func list() throws -> [ShippingMethod] {
        try database.query(
            "SELECT \(ShippingMethod.columns) FROM shipping_methods ORDER BY position, id",
            map: ShippingMethod.init(row:)
        )
    }

    /// Returns the active methods that deliver to `countryCode`, each with the price a cart
    /// with `subtotal` (minor units) pays, in the order checkout offers them.
    public func available(for countryCode: String, subtotal: Int64) throws -> [ShippingOption] {
        try Self.available(for: countryCode, subtotal: subtotal, in: database)
    }

    static func available(for countryCode: String, subtotal: Int64, in database: Database) throws -> [ShippingOption] {
        let methods = try database.query(
            "SELECT \(ShippingMethod.columns) FROM shipping_methods WHERE active = 1 ORDER BY position, id",
            map: ShippingMethod.init(row:)
        )
        return methods
            .filter { $0.countries.includes(countryCode) }
            .map { ShippingOption(method: $0, price: $0.price(forSubtotal: subtotal)) }
    }

    static func find(id: Int64, in database: Database) throws -> ShippingMethod? {
        try database.queryFirst(
            "SELECT \(ShippingMethod.columns) FROM shipping_methods WHERE id = ?", id,
            map: ShippingMethod.init(row:)
        )
    }

    private func checked(_ input: ShippingMethodInput, in database: Database) throws -> ShippingMethodInput {
        let currency = try StoreSettings.load(from: database).currency ?? .usd
        let (normalized, errors) = input.normalizedAndValidated(currency: currency)
        try errors.throwIfAny()
        return normalized
    }

    private func require(_ id: Int64, in database: Database) throws -> ShippingMethod {
        guard let method = try Self.find(id: id, in: database) else {
            throw CommerceError.notFound(entity: "shipping method", id: String(id))
        }
        return method
    }
}
