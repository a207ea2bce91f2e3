/// One result row, copied out of the statement so it stays valid after the next step.
public struct Row: Sendable, Hashable {
    /// The result column names in order, as SQLite names them.
    public let columnNames: [String]
    /// The values in column order.
    public let values: [SQLValue]
    /// The statement that produced the row, for error messages.
    public let sql: String

    public init(columnNames: [String], values: [SQLValue], sql: String) {
        precondition(columnNames.count == values.count, "a row needs one name per value")
        self.columnNames = columnNames
        self.values = values
        self.sql = sql
    }

    public var count: Int { values.count }

    /// The value of column `index`, counted from 0. Traps when `index` is out of range,
    /// like an array subscript.
    public subscript(index: Int) -> SQLValue { values[index] }

    /// The value of the named column, or nil when the row has no such column.
    public subscript(column: String) -> SQLValue? {
        index(ofColumn: column).map { values[$0] }
    }

    /// Returns the position of the named column. An exact match wins. Otherwise the first
    /// match that ignores case is used, since SQL identifiers are case-insensitive.
    ///
    /// A product list reads about fifteen columns by name from each of its rows. Names of
    /// another UTF-8 length are skipped without calling `==`, which for two different
    /// strings is a call into the standard library.
    public func index(ofColumn column: String) -> Int? {
        let length = column.utf8.count
        for index in columnNames.indices where columnNames[index].utf8.count == length && columnNames[index] == column {
            return index
        }
        let lowered = column.lowercased()
        return columnNames.firstIndex { $0.lowercased() == lowered }
    }

    // The readers below are inlinable so that a caller's module specializes them for the
    // type it reads. Unspecialized, every read of an optional column looked up the
    // metadata of `Optional<T>` at run time, about a quarter of the time spent decoding
    // a product row.

    /// Reads the named column as `T`. Throws ``RowDecodingError`` naming the column when it
    /// is missing, NULL while `T` is not optional, or of a type `T` cannot hold.
    @inlinable
    public func get<T: SQLValueConvertible>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = index(ofColumn: column) else {
            throw RowDecodingError(kind: .columnNotFound, column: column, expectedType: T.self, row: self)
        }
        return try convert(values[index], column: columnNames[index], to: T.self)
    }

    /// Reads column `index` (from 0) as `T`, with the same errors as the lookup by name.
    @inlinable
    public func get<T: SQLValueConvertible>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard values.indices.contains(index) else {
            throw RowDecodingError(kind: .columnNotFound, column: "#\(index)", expectedType: T.self, row: self)
        }
        return try convert(values[index], column: columnNames[index], to: T.self)
    }

    @inlinable
    func convert<T: SQLValueConvertible>(_ value: SQLValue, column: String, to type: T.Type) throws -> T {
        do {
            return try T(sqlValue: value)
        } catch let error as SQLValueConversionError {
            let kind: RowDecodingError.Kind = value.isNull ? .unexpectedNull : .typeMismatch(storageClass: error.storageClass, reason: error.reason)
            throw RowDecodingError(kind: kind, column: column, expectedType: T.self, row: self)
        }
    }
}

/// A type built from one result row, by hand, for full control over column reads.
///
///     struct Product: RowDecodable {
///         let id: Int64, title: String
///         init(row: Row) throws {
///             id = try row.get("id")
///             title = try row.get("title")
///         }
///     }
///     let products = try db.query("SELECT id, title FROM product") { try Product(row: $0) }
public protocol RowDecodable {
    init(row: Row) throws
}
