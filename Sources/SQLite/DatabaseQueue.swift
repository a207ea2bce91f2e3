import Foundation
import Synchronization

/// One ``Database`` connection shared by many threads, one at a time.
///
/// Every ``read(_:)``, ``write(_:)`` and ``writeWithoutTransaction(_:)`` call holds a lock
/// for its whole body, so all access to the file through this queue is serialised within the
/// process: a slow body delays every other caller of the same store. Other connections,
/// including other processes, still see SQLite's own locking, and the busy timeout applies
/// to them.
///
/// Calls do not nest: calling the queue from inside one of its own bodies on the same
/// thread throws instead of deadlocking. Use the `Database` passed to the body.
public final class DatabaseQueue: Sendable {
    private let database: Database
    private let lock = NSLock()
    /// The identifier of the thread that owns `lock`, or 0. Only the owner stores a non-zero
    /// value, so a thread that reads its own identifier here is inside a body of this queue.
    private let owner = Atomic<UInt>(0)

    /// Opens the database at `path`; see ``Database/init(path:configuration:)``.
    public init(path: String, configuration: Database.Configuration = Database.Configuration()) throws {
        self.database = try Database(path: path, configuration: configuration)
    }

    /// Takes over an open connection, which must not be used directly afterwards.
    public init(database: Database) {
        self.database = database
    }

    public var path: String { database.path }

    /// Runs `body` in a deferred transaction, so that all its queries see one snapshot of the
    /// database. A statement that writes throws `SQLITE_READONLY`; use ``write(_:)``.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try withExclusiveAccess { database in
            database.readOnlyAccessDepth += 1
            defer { database.readOnlyAccessDepth -= 1 }
            return try database.transaction(.deferred, body)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction: it commits when `body` returns and rolls
    /// back when it throws.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withExclusiveAccess { database in
            try database.transaction(.immediate, body)
        }
    }

    /// Runs `body` with the lock held but outside any transaction, for work that manages its
    /// own transactions (``Migrator``) or cannot run in one (VACUUM, `PRAGMA foreign_keys`).
    /// Each statement `body` runs commits on its own unless `body` opens a transaction.
    public func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try withExclusiveAccess(body)
    }

    /// Closes the connection once the running body, if any, has finished. Later calls throw.
    public func close() throws {
        try withExclusiveAccess { database in
            try database.close()
        }
    }

    private func withExclusiveAccess<T>(_ body: (Database) throws -> T) throws -> T {
        let thread = Self.currentThreadIdentifier()
        guard owner.load(ordering: .acquiring) != thread else {
            throw SQLiteError.misuse(
                "DatabaseQueue was called from inside one of its own read or write bodies; use the Database passed to that body instead",
                path: database.path
            )
        }

        lock.lock()
        owner.store(thread, ordering: .releasing)
        defer {
            owner.store(0, ordering: .releasing)
            lock.unlock()
        }
        return try body(database)
    }

    /// Returns a non-zero identifier of the calling thread, stable while the thread runs.
    private static func currentThreadIdentifier() -> UInt {
        UInt(bitPattern: ObjectIdentifier(Thread.current))
    }
}
