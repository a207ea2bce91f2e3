/// The values bound to a statement's parameters: either by position (`?`, `?NNN`, or named
/// parameters in the order SQLite numbers them) or by name (`:name`, `@name`, `$name`).
public struct StatementArguments: Sendable, Hashable, ExpressibleByArrayLiteral {
    enum Storage: Sendable, Hashable {
        case positional([SQLValue])
        case named([String: SQLValue])
    }

    let storage: Storage

    /// Arguments bound in order to parameters 1, 2, 3, ….
    public init(_ values: [(any SQLValueConvertible)?]) {
        storage = .positional(values.map { $0?.sqlValue ?? .null })
    }

    /// Arguments bound in order, from values already converted.
    public init(values: [SQLValue]) {
        storage = .positional(values)
    }

    /// Arguments bound by name. A key may omit the prefix (`"id"` binds `:id`, `@id` or `$id`)
    /// or include it (`":id"`).
    public init(named values: [String: (any SQLValueConvertible)?]) {
        storage = .named(values.mapValues { $0?.sqlValue ?? .null })
    }

    public init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        self.init(elements)
    }

    /// How many values were given, for error messages that must not show the values.
    public var count: Int {
        switch storage {
        case .positional(let values): return values.count
        case .named(let values): return values.count
        }
    }

    public var isEmpty: Bool { count == 0 }
}
