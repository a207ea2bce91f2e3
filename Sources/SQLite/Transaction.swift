import CSQLite

/// The three ways to BEGIN a transaction (https://sqlite.org/lang_transaction.html).
public enum TransactionKind: String, Sendable {
    /// Takes no lock until the first statement: a read starts a read transaction and the
    /// first write tries to upgrade it. In WAL mode that upgrade fails at once with
    /// `SQLITE_BUSY_SNAPSHOT`, without waiting, when another connection committed since the
    /// read began. Use it for transactions that only read.
    case deferred = "DEFERRED"
    /// Takes the write lock at BEGIN, waiting up to the busy timeout for it. Use it for every
    /// transaction that may write.
    case immediate = "IMMEDIATE"
    /// Like `immediate`; in WAL mode the two are the same, and in rollback-journal mode
    /// EXCLUSIVE also keeps readers out.
    case exclusive = "EXCLUSIVE"
}

extension Database {
    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it
    /// throws.
    ///
    /// The default kind is IMMEDIATE because a write transaction that starts DEFERRED takes
    /// a read lock first and must later upgrade it, and the upgrade can fail without waiting:
    ///
    /// - When invoking the busy handler "could result in a deadlock", SQLite returns
    ///   SQLITE_BUSY at once instead (https://sqlite.org/c3ref/busy_handler.html).
    /// - In WAL mode the upgrade fails with SQLITE_BUSY_SNAPSHOT whenever another connection
    ///   committed after the read began, since waiting cannot make the old snapshot current.
    ///
    /// BEGIN IMMEDIATE waits for the write lock up front, within the busy timeout, and "if it
    /// succeeds, then SQLite guarantees that no subsequent operations on the same database
    /// through the next COMMIT will return SQLITE_BUSY" (https://sqlite.org/rescode.html#busy).
    ///
    /// A call made while a transaction is already open runs `body` in a SAVEPOINT instead:
    /// its changes are released into the outer transaction on return and rolled back on a
    /// throw, and `kind` is ignored.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: (Database) throws -> T) throws -> T {
        if isInTransaction {
            return try savepoint(body)
        }
        try run("BEGIN \(kind.rawValue)")

        let result: T
        do {
            result = try body(self)
        } catch {
            rollbackAfterError()
            throw error
        }

        guard isInTransaction else {
            throw SQLiteError.misuse(
                "the transaction was ended inside its body (a COMMIT or ROLLBACK statement); return to commit or throw to roll back instead",
                sql: "COMMIT",
                path: path
            )
        }
        do {
            try run("COMMIT")
        } catch {
            rollbackAfterError()
            throw error
        }
        return result
    }

    private func savepoint<T>(_ body: (Database) throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        // Savepoint names only need to be unique among the open ones, so the depth suffices.
        let name = "storefleet_savepoint_\(savepointDepth)"
        try run("SAVEPOINT \(name)")

        let result: T
        do {
            result = try body(self)
        } catch {
            // ROLLBACK TO undoes the savepoint's changes but keeps it open, so RELEASE
            // follows to remove it (https://sqlite.org/lang_savepoint.html). Both are skipped
            // by SQLite's own rollback when the error already ended the transaction.
            if isInTransaction {
                try? run("ROLLBACK TO \(name)")
                try? run("RELEASE \(name)")
            }
            throw error
        }
        try run("RELEASE \(name)")
        return result
    }

    /// Rolls back after a failure unless SQLite already did. Some errors (SQLITE_FULL,
    /// SQLITE_IOERR, SQLITE_BUSY, SQLITE_NOMEM) can roll back the whole transaction by
    /// themselves (https://sqlite.org/lang_transaction.html, "Response To Errors Within A
    /// Transaction"), and a ROLLBACK then fails with "no transaction is active".
    private func rollbackAfterError() {
        guard isInTransaction else { return }
        // The original error is the one worth reporting; a failing ROLLBACK leaves the
        // transaction to be rolled back when the connection closes.
        try? run("ROLLBACK")
    }
}
