import CSQLite
import Foundation

/// One connection to one SQLite database file.
///
/// Opening sets `journal_mode=WAL`, `foreign_keys=ON`, the busy timeout and the
/// `synchronous` level from ``Configuration``. The connection is closed by ``close()`` or,
/// failing that, when the object is released.
///
/// A `Database` must be used by one thread at a time; ``DatabaseQueue`` shares one between
/// threads. It is opened with `SQLITE_OPEN_NOMUTEX`, SQLite's multi-thread mode, in which
/// "SQLite can be safely used by multiple threads provided that no single database
/// connection is used simultaneously in two or more threads"
/// (https://sqlite.org/threadsafe.html). Since this type already requires that, SQLite's
/// own per-connection mutex would only add a lock and unlock to every call.
///
/// `@unchecked Sendable`: the type may move between threads (a worker pool hands it from
/// one request to the next), but it is not safe to use from two threads at once. Callers
/// guarantee that, directly or through ``DatabaseQueue``'s lock.
public final class Database: @unchecked Sendable {
    /// The file path as given, or `:memory:`.
    public let path: String
    public let configuration: Configuration

    let connection: ConnectionHandle
    let statementCache: StatementCache
    /// Depth of nested ``transaction(_:_:)`` calls that opened a SAVEPOINT.
    var savepointDepth = 0
    /// Depth of ``DatabaseQueue/read(_:)`` calls; statements that write are rejected while
    /// it is above zero.
    var readOnlyAccessDepth = 0

    /// Opens (or creates) the database at `path` and applies `configuration`.
    ///
    /// Throws ``SQLiteError`` when the file cannot be opened, is not a database, or cannot be
    /// switched to WAL mode.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = configuration

        SQLiteLibrary.configureOnce()
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch configuration.accessMode {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }

        var pointer: OpaquePointer?
        let code = sqlite3_open_v2(path, &pointer, flags, nil)
        guard code == SQLITE_OK, let pointer else {
            // sqlite3_open_v2 usually returns a handle even on failure, and it must be closed.
            let error = SQLiteError(connection: pointer, code: code, sql: nil, argumentCount: nil, path: path)
            sqlite3_close_v2(pointer)
            throw SQLiteError(
                extendedResultCode: error.extendedResultCode,
                message: "\(error.message); check that the folder exists and that the process may read\(configuration.accessMode == .readOnly ? "" : " and write") it",
                path: path
            )
        }
        self.connection = ConnectionHandle(pointer: pointer, path: path)
        self.statementCache = StatementCache(capacity: configuration.statementCacheCapacity)

        do {
            try applyConfiguration()
        } catch {
            statementCache.removeAll()
            connection.close()
            throw error
        }
    }

    deinit {
        statementCache.removeAll()
        connection.close()
    }

    private func applyConfiguration() throws {
        // Set first, so that switching to WAL waits for a connection that holds a lock.
        sqlite3_busy_timeout(connection.pointer, configuration.busyTimeoutMilliseconds)

        if let lookaside = configuration.lookaside {
            // Must precede the first statement, while no lookaside memory is in use
            // (https://sqlite.org/c3ref/c_dbconfig_defensive.html#sqlitedbconfiglookaside).
            _ = csqlite_set_lookaside(connection.pointer, Int32(lookaside.slotSize), Int32(lookaside.count))
        }
        try registerSearchFolding()
        if configuration.keepsWALFiles {
            var keep: Int32 = 1
            _ = sqlite3_file_control(connection.pointer, "main", SQLITE_FCNTL_PERSIST_WAL, &keep)
        }

        if configuration.accessMode != .readOnly {
            // WAL lets readers and one writer work at the same time and makes each commit a
            // single append (https://sqlite.org/wal.html). The mode is stored in the file, so
            // on a migrated file this only reads the header.
            let mode = try pragmaText("PRAGMA journal_mode=WAL")
            guard mode == "wal" || (path == ":memory:" && mode == "memory") else {
                throw SQLiteError(
                    extendedResultCode: SQLITE_ERROR,
                    message: "could not switch the database to WAL mode, the journal mode is still \(mode); WAL needs a local file system with shared memory (not a network share)",
                    sql: "PRAGMA journal_mode=WAL",
                    path: path
                )
            }
        }
        // Foreign key enforcement is off by default in SQLite and is set per connection
        // (https://sqlite.org/foreignkeys.html, section 2).
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA synchronous=\(configuration.synchronous.rawValue)")
        if configuration.keepsTemporaryDataInMemory {
            try execute("PRAGMA temp_store=MEMORY")
        }
        if let pageCacheKiB = configuration.pageCacheKiB {
            try execute("PRAGMA cache_size=-\(max(pageCacheKiB, 1))")
        }
    }

    private func pragmaText(_ sql: String) throws -> String {
        try withStatement(sql, arguments: []) { statement in
            guard try statement.step(), case .text(let text) = statement.value(at: 0) else { return "" }
            return text
        }
    }

    /// Closes the connection, rolling back an open transaction. Closing twice does nothing.
    ///
    /// Cached statements are finalized. A statement made with ``prepare(_:)`` that the caller
    /// still references keeps SQLite's connection allocated until it is released, as
    /// `sqlite3_close_v2` allows (https://sqlite.org/c3ref/close.html), but using it throws.
    public func close() throws {
        guard connection.isOpen else { return }
        statementCache.removeAll()
        let code = connection.close()
        guard code == SQLITE_OK else {
            throw SQLiteError(extendedResultCode: code, message: "closing the database failed: \(String(cString: sqlite3_errstr(code)))", path: path)
        }
    }

    public var isClosed: Bool { !connection.isOpen }

    /// Whether a transaction is open, that is, the connection is not in autocommit mode
    /// (`sqlite3_get_autocommit`).
    public var isInTransaction: Bool {
        connection.isOpen && sqlite3_get_autocommit(connection.pointer) == 0
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE (`sqlite3_changes64`).
    public var changes: Int {
        guard connection.isOpen else { return 0 }
        return Int(sqlite3_changes64(connection.pointer))
    }

    /// Rows changed since the connection opened (`sqlite3_total_changes64`).
    public var totalChanges: Int {
        guard connection.isOpen else { return 0 }
        return Int(sqlite3_total_changes64(connection.pointer))
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 {
        guard connection.isOpen else { return 0 }
        return sqlite3_last_insert_rowid(connection.pointer)
    }

    public var statementCacheStatistics: StatementCacheStatistics {
        statementCache.statistics
    }

    /// Compiles `sql` into a statement owned by the caller, outside the statement cache.
    /// Most code should use `run` and `query`, which reuse cached statements.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: connection, sql: sql, persistent: false)
    }
}

// MARK: - Connection handle

/// The `sqlite3*` shared by a ``Database`` and its statements. A statement checks here
/// whether its connection closed. It cannot reference the `Database` itself, because the
/// `Database` owns the cache that owns the statement, and that would be a reference cycle.
final class ConnectionHandle {
    let pointer: OpaquePointer
    let path: String
    private(set) var isOpen = true

    init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    /// Closes the connection with `sqlite3_close_v2`, which defers the release until
    /// statements still held elsewhere are finalized. Returns SQLite's result code.
    @discardableResult
    func close() -> Int32 {
        guard isOpen else { return SQLITE_OK }
        isOpen = false
        return sqlite3_close_v2(pointer)
    }
}
