import CSQLite

/// An error reported by SQLite, or by this layer when a call cannot reach SQLite in a valid
/// state (a closed connection, a wrong parameter list).
///
/// The error never carries argument values, only their count, because arguments may hold
/// passwords, tokens or customer data that must not reach a log.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The extended result code, for example 2067 (`SQLITE_CONSTRAINT_UNIQUE`). Connections
    /// opened by ``Database`` have extended result codes enabled, so this is the most
    /// specific code SQLite reports.
    public let extendedResultCode: Int32
    /// SQLite's own message, or this layer's message when the error did not come from SQLite.
    public let message: String
    /// The SQL statement that failed, when there was one.
    public let sql: String?
    /// The number of arguments bound to `sql`, when the statement took arguments.
    public let argumentCount: Int?
    /// The database file, when the connection has one.
    public let path: String?

    /// The primary result code, for example 19 (`SQLITE_CONSTRAINT`). SQLite defines every
    /// extended code as its primary code plus a multiple of 256 (https://sqlite.org/rescode.html).
    public var resultCode: Int32 { extendedResultCode & 0xFF }

    public init(
        extendedResultCode: Int32,
        message: String,
        sql: String? = nil,
        argumentCount: Int? = nil,
        path: String? = nil
    ) {
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.sql = sql
        self.argumentCount = argumentCount
        self.path = path
    }

    /// A constraint failed: UNIQUE, NOT NULL, CHECK, FOREIGN KEY or PRIMARY KEY.
    public var isConstraintViolation: Bool { resultCode == SQLITE_CONSTRAINT }
    /// A UNIQUE or PRIMARY KEY constraint failed, which callers usually turn into
    /// "already exists".
    public var isUniqueConstraintViolation: Bool {
        extendedResultCode == SQLITE_CONSTRAINT_UNIQUE_CODE
            || extendedResultCode == SQLITE_CONSTRAINT_PRIMARYKEY_CODE
    }
    /// Another connection held a lock for longer than the busy timeout, or a deferred
    /// transaction could not be upgraded to a write transaction.
    public var isBusy: Bool { resultCode == SQLITE_BUSY }
    /// The statement conflicted with another statement or transaction on the same connection.
    public var isLocked: Bool { resultCode == SQLITE_LOCKED }
    /// The statement was stopped by `sqlite3_interrupt`.
    public var isInterrupted: Bool { resultCode == SQLITE_INTERRUPT }

    /// The symbolic name of the extended code, such as `SQLITE_CONSTRAINT_UNIQUE`, or of the
    /// primary code when the extended code has no name in the table below.
    public var codeName: String {
        if let name = Self.extendedNames[extendedResultCode] { return name }
        if let name = Self.primaryNames[resultCode] { return name }
        return "SQLITE_UNKNOWN"
    }

    public var description: String {
        var text = "SQLite error \(extendedResultCode) (\(codeName)): \(message)"
        if let path { text += " [database \(path)]" }
        if let sql {
            text += " while running `\(sql)`"
            if let argumentCount, argumentCount > 0 {
                text += " with \(argumentCount) argument\(argumentCount == 1 ? "" : "s")"
            }
        }
        return text
    }
}

// MARK: - Construction from a connection

extension SQLiteError {
    /// Builds the error SQLite recorded on `connection` for the call that just failed.
    /// `sqlite3_errmsg` must be read before any other call on the connection replaces it.
    init(connection: OpaquePointer?, code: Int32, sql: String?, argumentCount: Int?, path: String?) {
        let message: String
        if let connection, let text = sqlite3_errmsg(connection) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        // A call can return a primary code while the connection records the extended one.
        var extended = code
        if let connection {
            let recorded = sqlite3_extended_errcode(connection)
            if recorded & 0xFF == code & 0xFF { extended = recorded }
        }
        self.init(
            extendedResultCode: extended,
            message: message,
            sql: sql,
            argumentCount: argumentCount,
            path: path
        )
    }

    /// Creates the error this layer raises for a call that SQLite would reject as misuse.
    @usableFromInline
    static func misuse(_ message: String, sql: String? = nil, path: String? = nil) -> SQLiteError {
        SQLiteError(extendedResultCode: SQLITE_MISUSE, message: message, sql: sql, path: path)
    }

    /// Creates the error for a statement whose parameters do not match the arguments given.
    /// `SQLITE_RANGE` is the code SQLite itself returns for a bind index out of range.
    static func parameterMismatch(_ message: String, sql: String, argumentCount: Int, path: String?) -> SQLiteError {
        SQLiteError(
            extendedResultCode: SQLITE_RANGE,
            message: message,
            sql: sql,
            argumentCount: argumentCount,
            path: path
        )
    }
}

// MARK: - Code names

// The C header defines extended codes as macros built from other macros, which Swift does
// not import, so the values are spelled out here (https://sqlite.org/rescode.html).
private let SQLITE_CONSTRAINT_UNIQUE_CODE: Int32 = 2067
private let SQLITE_CONSTRAINT_PRIMARYKEY_CODE: Int32 = 1555

extension SQLiteError {
    private static let primaryNames: [Int32: String] = [
        0: "SQLITE_OK", 1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM",
        4: "SQLITE_ABORT", 5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM",
        8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT",
        12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL",
        16: "SQLITE_EMPTY", 17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT",
        20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS", 23: "SQLITE_AUTH",
        24: "SQLITE_FORMAT", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB", 27: "SQLITE_NOTICE",
        28: "SQLITE_WARNING", 100: "SQLITE_ROW", 101: "SQLITE_DONE",
    ]

    private static let extendedNames: [Int32: String] = [
        261: "SQLITE_BUSY_RECOVERY", 517: "SQLITE_BUSY_SNAPSHOT", 773: "SQLITE_BUSY_TIMEOUT",
        262: "SQLITE_LOCKED_SHAREDCACHE", 264: "SQLITE_READONLY_RECOVERY",
        520: "SQLITE_READONLY_CANTLOCK", 776: "SQLITE_READONLY_ROLLBACK",
        1032: "SQLITE_READONLY_DBMOVED", 270: "SQLITE_CANTOPEN_NOTEMPDIR",
        526: "SQLITE_CANTOPEN_ISDIR", 782: "SQLITE_CANTOPEN_FULLPATH",
        267: "SQLITE_CORRUPT_VTAB", 275: "SQLITE_CONSTRAINT_CHECK",
        531: "SQLITE_CONSTRAINT_COMMITHOOK", 787: "SQLITE_CONSTRAINT_FOREIGNKEY",
        1043: "SQLITE_CONSTRAINT_FUNCTION", 1299: "SQLITE_CONSTRAINT_NOTNULL",
        1555: "SQLITE_CONSTRAINT_PRIMARYKEY", 1811: "SQLITE_CONSTRAINT_TRIGGER",
        2067: "SQLITE_CONSTRAINT_UNIQUE", 2323: "SQLITE_CONSTRAINT_VTAB",
        2579: "SQLITE_CONSTRAINT_ROWID", 3091: "SQLITE_CONSTRAINT_DATATYPE",
        266: "SQLITE_IOERR_READ", 522: "SQLITE_IOERR_SHORT_READ", 778: "SQLITE_IOERR_WRITE",
        1034: "SQLITE_IOERR_FSYNC", 3338: "SQLITE_IOERR_SHMOPEN", 4874: "SQLITE_IOERR_SHMMAP",
        13: "SQLITE_FULL", 516: "SQLITE_ABORT_ROLLBACK",
    ]
}
