import Foundation
import SQLite

/// The store's payment methods. Every store has one row per known kind, created by the
/// schema migration and disabled until the merchant turns it on; rows are renamed, enabled
/// and disabled, never created or deleted here.
public struct PaymentMethodStore {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Returns every method, disabled ones included, in the order checkout offers them.
    public func list() throws -> [PaymentMethod] {
        try database.query(
            "SELECT \(PaymentMethod.columns) FROM payment_methods ORDER BY position, id",
            map: PaymentMethod.init(row:)
        )
    }

    /// Returns the methods checkout offers: enabled and of a kind this version handles.
    public func enabled() throws -> [PaymentMethod] {
        try Self.enabled(in: database)
    }

    public func find(id: Int64) throws -> PaymentMethod? {
        try Self.find(id: id, in: database)
    }

    /// Returns the method of `kind`, nil when the store has none.
    public func find(kind: PaymentMethodKind) throws -> PaymentMethod? {
        try database.queryFirst(
            "SELECT \(PaymentMethod.columns) FROM payment_methods WHERE kind = ?", kind.rawValue,
            map: PaymentMethod.init(row:)
        )
    }

    /// Renames, reorders, enables or disables method `id`, or changes its instructions.
    /// Orders placed earlier keep the name and instructions they were placed with.
    ///
    /// - Throws: `ValidationErrors` (a bank transfer cannot be enabled without
    ///   instructions), or `CommerceError.notFound` when no method has `id`.
    @discardableResult
    public func update(id: Int64, with input: PaymentMethodInput) throws -> PaymentMethod {
        try database.transaction(.immediate) { database in
            guard let method = try Self.find(id: id, in: database) else {
                throw CommerceError.notFound(entity: "payment method", id: String(id))
            }
            let (input, errors) = input.normalizedAndValidated(for: method.kind)
            try errors.throwIfAny()

            try database.run(
                "UPDATE payment_methods SET name = ?, instructions = ?, enabled = ?, position = ? WHERE id = ?",
                input.name, input.instructions, input.isEnabled, input.position, id
            )
            guard let updated = try Self.find(id: id, in: database) else {
                throw CommerceError.notFound(entity: "payment method", id: String(id))
            }
            return updated
        }
    }

    static func enabled(in database: Database) throws -> [PaymentMethod] {
        try database.query(
            "SELECT \(PaymentMethod.columns) FROM payment_methods WHERE enabled = 1 ORDER BY position, id",
            map: PaymentMethod.init(row:)
        ).filter { $0.processor != nil }
    }

    static func find(id: Int64, in database: Database) throws -> PaymentMethod? {
        try database.queryFirst(
            "SELECT \(PaymentMethod.columns) FROM payment_methods WHERE id = ?", id,
            map: PaymentMethod.init(row:)
        )
    }
}
