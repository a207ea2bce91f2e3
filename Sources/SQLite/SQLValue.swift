/// One value as SQLite stores it: the five storage classes of https://sqlite.org/datatype3.html.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The storage class name as SQLite's `typeof()` returns it, for error messages that must
    /// name the kind of a value without showing the value itself.
    public var storageClass: String {
        switch self {
        case .null: return "null"
        case .integer: return "integer"
        case .real: return "real"
        case .text: return "text"
        case .blob: return "blob"
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
