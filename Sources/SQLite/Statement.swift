import CSQLite

/// A prepared statement: one SQL statement compiled by `sqlite3_prepare_v3`, bound, stepped
/// and reset as many times as needed.
///
/// A statement belongs to the ``Database`` that prepared it and, like it, is used by one
/// thread at a time. ``Database`` keeps its own statements in a cache; one made with
/// ``Database/prepare(_:)`` belongs to the caller and is finalized when released.
public final class Statement {
    /// The SQL text as given, one statement.
    public let sql: String
    /// The number of parameters: the largest parameter index, per `sqlite3_bind_parameter_count`.
    public let parameterCount: Int

    let handle: OpaquePointer
    private let connection: ConnectionHandle
    private var boundArgumentCount: Int?
    private var columnNamesOfCurrentRun: [String]?
    private(set) var isFinalized = false

    /// Compiles `sql`, which must contain exactly one statement. `persistent` passes
    /// SQLITE_PREPARE_PERSISTENT, the hint that the statement is kept and reused, which makes
    /// SQLite 3.40 allocate it outside the limited lookaside memory
    /// (https://sqlite.org/c3ref/c_prepare_normalize.html).
    init(connection: ConnectionHandle, sql: String, persistent: Bool) throws {
        guard connection.isOpen else { throw SQLiteError.misuse("the database connection is closed", sql: sql, path: connection.path) }

        var statement: OpaquePointer?
        var tailOffset = 0
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sql.withCString { start -> Int32 in
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(connection.pointer, start, -1, flags, &statement, &tail)
            if let tail { tailOffset = start.distance(to: tail) }
            return result
        }
        guard code == SQLITE_OK else {
            throw SQLiteError(connection: connection.pointer, code: code, sql: sql, argumentCount: nil, path: connection.path)
        }
        guard let statement else {
            throw SQLiteError.misuse("the SQL text contains no statement, only whitespace or comments", sql: sql, path: connection.path)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
        self.parameterCount = Int(sqlite3_bind_parameter_count(statement))

        let remainder = String(decoding: sql.utf8.dropFirst(tailOffset), as: UTF8.self)
        if Self.containsStatement(remainder, connection: connection) {
            sqlite3_finalize(statement)
            isFinalized = true
            throw SQLiteError.misuse(
                "the SQL text contains more than one statement; run one statement at a time, or use execute(_:) for several statements without arguments",
                sql: sql,
                path: connection.path
            )
        }
    }

    deinit {
        finalize()
    }

    /// Whether `sqlite3_stmt_readonly` reports that the statement does not write to the
    /// database file. BEGIN, COMMIT, SAVEPOINT and RELEASE count as read-only.
    public var isReadOnly: Bool {
        requireCompiled()
        return sqlite3_stmt_readonly(handle) != 0
    }

    /// The result column names, as SQLite names them (the `AS` alias when there is one).
    public var columnNames: [String] {
        if let names = columnNamesOfCurrentRun { return names }
        requireCompiled()
        let count = sqlite3_column_count(handle)
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for index in 0..<count {
            names.append(sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "")
        }
        // Kept until reset(), because a schema change can re-prepare the statement with
        // other columns between runs (SELECT * after ALTER TABLE).
        columnNamesOfCurrentRun = names
        return names
    }

    // MARK: - Binding

    /// Binds `arguments`, which must match the statement's parameters exactly: the same
    /// number by position, or every name and no other by name.
    public func bind(_ arguments: StatementArguments) throws {
        try ensureUsable()
        sqlite3_clear_bindings(handle)

        switch arguments.storage {
        case .positional(let values):
            guard values.count == parameterCount else {
                throw mismatch(
                    "the statement has \(parameterCount) parameter\(parameterCount == 1 ? "" : "s") but \(values.count) argument\(values.count == 1 ? " was" : "s were") given",
                    argumentCount: values.count
                )
            }
            for (offset, value) in values.enumerated() {
                try bind(value, at: Int32(offset + 1), argumentCount: values.count)
            }
        case .named(let values):
            try bindNamed(values)
        }
        boundArgumentCount = arguments.count
    }

    private func bindNamed(_ values: [String: SQLValue]) throws {
        var usedKeys = Set<String>()
        for index in stride(from: 1, through: parameterCount, by: 1) {
            guard let cName = sqlite3_bind_parameter_name(handle, Int32(index)) else {
                throw mismatch(
                    "parameter \(index) is positional (?), so arguments must be given by position, not by name",
                    argumentCount: values.count
                )
            }
            let name = String(cString: cName)
            let bareName = String(name.dropFirst())
            let key: String
            if values[bareName] != nil {
                key = bareName
            } else if values[name] != nil {
                key = name
            } else {
                throw mismatch("no value was given for parameter \(name)", argumentCount: values.count)
            }
            usedKeys.insert(key)
            try bind(values[key]!, at: Int32(index), argumentCount: values.count)
        }

        let unknown = values.keys.filter { !usedKeys.contains($0) }.sorted()
        if !unknown.isEmpty {
            let known = stride(from: 1, through: parameterCount, by: 1).compactMap { index in
                sqlite3_bind_parameter_name(handle, Int32(index)).map { String(cString: $0) }
            }
            let knownText = known.isEmpty ? "none" : known.joined(separator: ", ")
            throw mismatch(
                "unknown parameter name\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); the statement's parameters are \(knownText)",
                argumentCount: values.count
            )
        }
    }

    private func bind(_ value: SQLValue, at index: Int32, argumentCount: Int) throws {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(var text):
            // SQLITE_TRANSIENT makes SQLite copy the bytes, because the Swift buffer is only
            // valid inside the closure. A NULL pointer would bind NULL, so an empty string
            // gets a pointer to an empty C string.
            code = text.withUTF8 { bytes -> Int32 in
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            // sqlite3_bind_blob with a NULL pointer binds NULL, so an empty blob is bound as
            // a zero-length zeroblob to keep it a blob.
            if bytes.isEmpty {
                code = sqlite3_bind_zeroblob(handle, index, 0)
            } else {
                code = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob64(handle, index, buffer.baseAddress, UInt64(buffer.count), csqlite_transient())
                }
            }
        }
        guard code == SQLITE_OK else {
            throw SQLiteError(connection: connection.pointer, code: code, sql: sql, argumentCount: argumentCount, path: connection.path)
        }
    }

    private func mismatch(_ message: String, argumentCount: Int) -> SQLiteError {
        .parameterMismatch(message, sql: sql, argumentCount: argumentCount, path: connection.path)
    }

    // MARK: - Stepping and reading

    /// Runs the statement to its next row. Returns true when a row is available and false when
    /// the statement has finished. On an error the statement is reset, which ends the
    /// implicit transaction of a statement run outside BEGIN…COMMIT.
    public func step() throws -> Bool {
        try ensureUsable()
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            let error = SQLiteError(connection: connection.pointer, code: code, sql: sql, argumentCount: boundArgumentCount, path: connection.path)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Returns the value of column `index` (from 0) of the current row.
    public func value(at index: Int) -> SQLValue {
        requireCompiled()
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            // sqlite3_column_text first, then sqlite3_column_bytes, as the C documentation
            // recommends, so the byte count is that of the UTF-8 text.
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            // A zero-length blob comes back as a NULL pointer.
            guard let blob = sqlite3_column_blob(handle, column) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    /// Returns a copy of the current row, which stays valid after the statement moves on.
    public func currentRow() -> Row {
        let names = columnNames
        var values: [SQLValue] = []
        values.reserveCapacity(names.count)
        for index in names.indices {
            values.append(value(at: index))
        }
        return Row(columnNames: names, values: values, sql: sql)
    }

    /// Resets the statement so it can run again and clears its bindings, so that a later run
    /// cannot reuse an earlier run's arguments by accident.
    public func reset() {
        guard !isFinalized else { return }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        boundArgumentCount = nil
        columnNamesOfCurrentRun = nil
    }

    /// Releases the compiled statement. Further use throws.
    func finalize() {
        guard !isFinalized else { return }
        isFinalized = true
        sqlite3_finalize(handle)
    }

    private func ensureUsable() throws {
        guard connection.isOpen else {
            throw SQLiteError.misuse("the database connection is closed; open a new Database to run this statement", sql: sql, path: connection.path)
        }
        guard !isFinalized else {
            throw SQLiteError.misuse("the statement was finalized when its database closed", sql: sql, path: connection.path)
        }
    }

    /// Stops the process when a non-throwing accessor is called after finalization, because
    /// SQLite would read freed memory. ``step()`` throws instead, so a caller that checks its
    /// errors never gets here.
    private func requireCompiled() {
        precondition(!isFinalized, "Statement `\(sql)` was used after its database closed")
    }

    /// Returns whether `text` contains a statement, as opposed to whitespace and comments only.
    private static func containsStatement(_ text: String, connection: ConnectionHandle) -> Bool {
        guard text.contains(where: { !$0.isWhitespace && $0 != ";" }) else { return false }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(connection.pointer, text, -1, &statement, nil)
        if let statement { sqlite3_finalize(statement) }
        // A second statement that does not compile is still a second statement.
        return code != SQLITE_OK || statement != nil
    }
}
