import CSQLite
import Foundation

// Running SQL. Apart from execute(_:), every method here takes its statement from the
// connection's StatementCache, binds the arguments, steps, and then resets the statement and
// clears its bindings, whether the run succeeds or throws.

extension Database {
    // MARK: - Several statements

    /// Runs one or more statements separated by semicolons, such as a schema script. The
    /// statements take no parameters, and each is compiled only when the previous one has
    /// run, so later statements can use tables that earlier ones create. Statements run
    /// here are not cached.
    public func execute(_ sql: String) throws {
        try ensureOpen(sql: sql)
        try sql.withCString { start in
            var next = start
            while true {
                var statementPointer: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(connection.pointer, next, -1, &statementPointer, &tail)
                let end = tail ?? next
                guard code == SQLITE_OK else {
                    // After a syntax error the tail points just past the bad token rather
                    // than past the semicolon, so the message extends to the semicolon.
                    let semicolon = CChar(UInt8(ascii: ";"))
                    var statementEnd = end
                    if statementEnd == next || (statementEnd - 1).pointee != semicolon {
                        while statementEnd.pointee != 0, statementEnd.pointee != semicolon {
                            statementEnd += 1
                        }
                    }
                    let failed = Self.text(from: next, to: statementEnd)
                    throw SQLiteError(connection: connection.pointer, code: code, sql: failed, argumentCount: nil, path: path)
                }
                let current = Self.text(from: next, to: end)
                // Only whitespace or comments were left.
                guard let statementPointer else { return }
                defer { sqlite3_finalize(statementPointer) }

                try runWithoutArguments(statementPointer, sql: current)
                next = end
            }
        }
    }

    private func runWithoutArguments(_ statement: OpaquePointer, sql: String) throws {
        guard sqlite3_bind_parameter_count(statement) == 0 else {
            throw SQLiteError.parameterMismatch(
                "execute(_:) runs statements without arguments; use run(_:_:) to bind values to parameters",
                sql: sql,
                argumentCount: 0,
                path: path
            )
        }
        try rejectWriteDuringRead(statement, sql: sql)

        var code = sqlite3_step(statement)
        while code == SQLITE_ROW {
            code = sqlite3_step(statement)
        }
        guard code == SQLITE_DONE else {
            throw SQLiteError(connection: connection.pointer, code: code, sql: sql, argumentCount: nil, path: path)
        }
    }

    /// Returns the trimmed text between two positions of one C string, for error messages.
    private static func text(from start: UnsafePointer<CChar>, to end: UnsafePointer<CChar>) -> String {
        let bytes = UnsafeRawBufferPointer(start: start, count: start.distance(to: end))
        return String(decoding: bytes, as: UTF8.self).trimmedSQL
    }

    // MARK: - One statement, no result

    /// Runs one statement with positional arguments and discards any rows it returns.
    /// Afterwards ``changes`` and ``lastInsertRowID`` describe it.
    public func run(_ sql: String, _ values: (any SQLValueConvertible)?...) throws {
        try run(sql, arguments: StatementArguments(values))
    }

    /// Runs one statement with arguments bound by parameter name.
    public func run(_ sql: String, _ named: [String: (any SQLValueConvertible)?]) throws {
        try run(sql, arguments: StatementArguments(named: named))
    }

    public func run(_ sql: String, arguments: StatementArguments) throws {
        try withStatement(sql, arguments: arguments) { statement in
            while try statement.step() {}
        }
    }

    // MARK: - One statement, rows
    //
    // The generic readers are inlinable so that the caller's module specializes them for
    // its row type, instead of looking up the type's metadata at run time for every
    // array append and conversion.

    /// Runs a query and maps every row with `map`.
    public func query<T>(_ sql: String, _ values: (any SQLValueConvertible)?..., map: (Row) throws -> T) throws -> [T] {
        try query(sql, arguments: StatementArguments(values), map: map)
    }

    public func query<T>(_ sql: String, _ named: [String: (any SQLValueConvertible)?], map: (Row) throws -> T) throws -> [T] {
        try query(sql, arguments: StatementArguments(named: named), map: map)
    }

    @inlinable
    public func query<T>(_ sql: String, arguments: StatementArguments, map: (Row) throws -> T) throws -> [T] {
        try withStatement(sql, arguments: arguments) { statement in
            var results: [T] = []
            while try statement.step() {
                results.append(try map(statement.currentRow()))
            }
            return results
        }
    }

    /// Runs a query and maps its first row, or returns nil when it has none. The statement
    /// stops after the first row.
    public func queryFirst<T>(_ sql: String, _ values: (any SQLValueConvertible)?..., map: (Row) throws -> T) throws -> T? {
        try queryFirst(sql, arguments: StatementArguments(values), map: map)
    }

    public func queryFirst<T>(_ sql: String, _ named: [String: (any SQLValueConvertible)?], map: (Row) throws -> T) throws -> T? {
        try queryFirst(sql, arguments: StatementArguments(named: named), map: map)
    }

    @inlinable
    public func queryFirst<T>(_ sql: String, arguments: StatementArguments, map: (Row) throws -> T) throws -> T? {
        try withStatement(sql, arguments: arguments) { statement in
            guard try statement.step() else { return nil }
            return try map(statement.currentRow())
        }
    }

    /// Returns the first column of the first row as `T`, or nil when there is no row or the
    /// value is NULL (as `SELECT max(price) FROM product` on an empty table returns).
    public func scalar<T: SQLValueConvertible>(_ sql: String, _ values: (any SQLValueConvertible)?..., as type: T.Type = T.self) throws -> T? {
        try scalar(sql, arguments: StatementArguments(values), as: type)
    }

    public func scalar<T: SQLValueConvertible>(_ sql: String, _ named: [String: (any SQLValueConvertible)?], as type: T.Type = T.self) throws -> T? {
        try scalar(sql, arguments: StatementArguments(named: named), as: type)
    }

    @inlinable
    public func scalar<T: SQLValueConvertible>(_ sql: String, arguments: StatementArguments, as type: T.Type = T.self) throws -> T? {
        try withStatement(sql, arguments: arguments) { statement in
            guard try statement.step() else { return nil }
            let row = statement.currentRow()
            guard row.count > 0 else {
                throw SQLiteError.misuse("scalar(_:) needs a statement that returns at least one column", sql: sql, path: path)
            }
            if row[0].isNull { return nil }
            return try row.get(0, as: T.self)
        }
    }

    // MARK: - Statement lifecycle

    /// Lends the cached statement for `sql`, bound to `arguments`, to `body`, then resets it
    /// and clears its bindings even when `body` throws.
    @usableFromInline
    func withStatement<T>(_ sql: String, arguments: StatementArguments, _ body: (Statement) throws -> T) throws -> T {
        try ensureOpen(sql: sql)
        let lease = try statementCache.checkout(sql) {
            try Statement(connection: connection, sql: sql, persistent: true)
        }
        defer {
            lease.statement.reset()
            statementCache.checkin(lease)
        }
        try rejectWriteDuringRead(lease.statement.handle, sql: sql)
        try lease.statement.bind(arguments)
        return try body(lease.statement)
    }

    func ensureOpen(sql: String?) throws {
        guard connection.isOpen else {
            throw SQLiteError.misuse("the database connection is closed; open a new Database", sql: sql, path: path)
        }
    }

    /// Inside ``DatabaseQueue/read(_:)``, rejects a statement that would write, because the
    /// read runs in a deferred transaction that could fail to upgrade to a write (SQLITE_BUSY)
    /// and because other code relies on reads not changing data.
    private func rejectWriteDuringRead(_ statement: OpaquePointer, sql: String) throws {
        guard readOnlyAccessDepth > 0, sqlite3_stmt_readonly(statement) == 0 else { return }
        throw SQLiteError(
            extendedResultCode: SQLITE_READONLY,
            message: "a statement that writes cannot run inside DatabaseQueue.read; use DatabaseQueue.write",
            sql: sql,
            path: path
        )
    }
}

extension String {
    /// The statement text without the whitespace and semicolons around it, for messages.
    var trimmedSQL: String {
        trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
    }
}
