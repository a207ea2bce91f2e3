/// A column that could not be read into the requested Swift type. The message names the
/// column, the type and the SQL, never the stored value, which may be private.
public struct RowDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The row has no column of that name.
        case columnNotFound
        /// The column is NULL and the requested type is not optional.
        case unexpectedNull
        /// The value's storage class does not fit the requested type.
        case typeMismatch(storageClass: String, reason: String?)
        /// The requested type needs a structure (keyed or unkeyed container) that one column
        /// cannot provide.
        case unsupportedStructure(String)
    }

    public let kind: Kind
    public let column: String
    public let expectedType: String
    public let availableColumns: [String]
    public let sql: String

    public init(kind: Kind, column: String, expectedType: Any.Type, row: Row) {
        self.kind = kind
        self.column = column
        self.expectedType = String(describing: expectedType)
        self.availableColumns = row.columnNames
        self.sql = row.sql
    }

    public var description: String {
        switch kind {
        case .columnNotFound:
            return "column \"\(column)\" not found in the result of `\(sql)`; its columns are \(availableColumns.joined(separator: ", ")). Select the column or rename it with AS."
        case .unexpectedNull:
            return "column \"\(column)\" is NULL but \(expectedType) is not optional, in the result of `\(sql)`. Read it as \(expectedType)? or add NOT NULL to the column."
        case .typeMismatch(let storageClass, let reason):
            var text = "column \"\(column)\" holds a \(storageClass) value that cannot be read as \(expectedType)"
            if let reason { text += " (\(reason))" }
            return text + ", in the result of `\(sql)`. Check the column's declared type and what was stored in it."
        case .unsupportedStructure(let detail):
            return "column \"\(column)\" holds one value but \(expectedType) needs \(detail), in the result of `\(sql)`. Store its parts in separate columns, or read the text and decode it yourself."
        }
    }
}
