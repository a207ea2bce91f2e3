import Foundation
import Synchronization

/// One ``Database`` connection shared by many threads, one at a time, and optionally a
/// few more connections that serve reads while that one is busy.
///
/// Every ``write(_:)`` and ``writeWithoutTransaction(_:)`` call holds a lock on the main
/// connection for its whole body, so writes through this queue are serialised within the
/// process. A ``read(_:)`` takes the main connection too when it is free. When it is busy
/// and the queue was given ``ReadConnections``, the read runs on a connection of its own.
/// A WAL database lets readers and one writer work at the same time, so reads of a busy
/// store then use more than one core. Other processes still see SQLite's own locking, and the
/// busy timeout applies to them.
///
/// Calls do not nest: calling the queue from inside one of its own bodies on the same
/// thread throws instead of deadlocking. Use the `Database` passed to the body.
public final class DatabaseQueue: Sendable {
    private let database: Database
    private let lock = NSLock()
    /// The identifier of the thread that owns `lock`, or 0. Only the owner stores a non-zero
    /// value, so a thread that reads its own identifier here is inside a body of this queue.
    private let owner = Atomic<UInt>(0)
    private let readers: ReaderSet?

    /// Opens the database at `path`; see ``Database/init(path:configuration:)``.
    ///
    /// - Parameter readConnections: how many extra connections reads may open while the
    ///   main one is busy; nil opens none. They are opened with the same configuration, on
    ///   first need, and closed with the queue.
    public init(path: String, configuration: Database.Configuration = Database.Configuration(), readConnections: ReadConnections? = nil) throws {
        self.database = try Database(path: path, configuration: configuration)
        self.readers = readConnections.map { ReaderSet(path: path, configuration: configuration, allowance: $0) }
    }

    /// Takes over an open connection, which must not be used directly afterwards.
    public init(database: Database) {
        self.database = database
        self.readers = nil
    }

    public var path: String { database.path }

    /// The extra read connections open now, for tests and statistics.
    public var openReadConnections: Int {
        readers?.openCount ?? 0
    }

    /// Runs `body` in a deferred transaction, so that all its queries see one snapshot of the
    /// database. A statement that writes throws `SQLITE_READONLY`; use ``write(_:)``.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        let thread = try enter()
        if let readers, !lock.try() {
            if let reader = readers.take(thread: thread) {
                defer { readers.giveBack(reader, thread: thread) }
                return try Self.runRead(on: reader, body)
            }
            lock.lock()
        } else if readers == nil {
            lock.lock()
        }
        return try runHoldingLock(thread: thread) { database in
            try Self.runRead(on: database, body)
        }
    }

    /// Runs `body` on the main connection outside any transaction, so each statement reads
    /// its own snapshot. For a single read such as `PRAGMA data_version`, which the
    /// catalog runs on every request, where a transaction's BEGIN and COMMIT would cost
    /// more than the statement. Statements that write throw `SQLITE_READONLY`, as in
    /// ``read(_:)``.
    public func readWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try withExclusiveAccess { database in
            try Self.readOnly(database, body)
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

    /// Closes the connections once the running bodies, if any, have finished. Later calls
    /// throw.
    public func close() throws {
        try withExclusiveAccess { database in
            readers?.closeAll()
            try database.close()
        }
    }

    private static func runRead<T>(on database: Database, _ body: (Database) throws -> T) throws -> T {
        try readOnly(database) { try $0.transaction(.deferred, body) }
    }

    /// Runs `body` with statements that write rejected on `database`.
    private static func readOnly<T>(_ database: Database, _ body: (Database) throws -> T) throws -> T {
        database.readOnlyAccessDepth += 1
        defer { database.readOnlyAccessDepth -= 1 }
        return try body(database)
    }

    private func withExclusiveAccess<T>(_ body: (Database) throws -> T) throws -> T {
        let thread = try enter()
        lock.lock()
        return try runHoldingLock(thread: thread, body)
    }

    /// Runs `body` on the main connection with `lock` held, which the caller took, and
    /// releases the lock afterwards.
    private func runHoldingLock<T>(thread: UInt, _ body: (Database) throws -> T) throws -> T {
        owner.store(thread, ordering: .releasing)
        defer {
            owner.store(0, ordering: .releasing)
            lock.unlock()
        }
        return try body(database)
    }

    /// Returns the calling thread's identifier, or throws when the thread is already inside
    /// a body of this queue.
    private func enter() throws -> UInt {
        let thread = Self.currentThreadIdentifier()
        if owner.load(ordering: .acquiring) == thread || readers?.isBusy(thread: thread) == true {
            throw SQLiteError.misuse(
                "DatabaseQueue was called from inside one of its own read or write bodies; use the Database passed to that body instead",
                path: database.path
            )
        }
        return thread
    }

    /// Returns a non-zero identifier of the calling thread, stable while the thread runs.
    private static func currentThreadIdentifier() -> UInt {
        UInt(bitPattern: ObjectIdentifier(Thread.current))
    }
}

/// How many read connections queues may open besides their main one, shared by every
/// queue given the same instance, so that a process with many databases open can bound
/// the file descriptors and memory they take together.
public final class ReadConnections: Sendable {
    /// The maximum number of extra connections one queue opens.
    public let perQueue: Int
    /// The maximum number of extra connections open at once across all queues that share
    /// this instance.
    public let total: Int
    private let open = Atomic<Int>(0)

    public init(perQueue: Int, total: Int) {
        precondition(perQueue >= 0 && total >= 0, "read connection limits cannot be negative")
        self.perQueue = perQueue
        self.total = total
    }

    /// The extra connections open now across all queues.
    public var openCount: Int {
        open.load(ordering: .relaxed)
    }

    /// Counts one more open connection and returns true, or returns false at the limit.
    func reserve() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < total {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() {
        open.subtract(1, ordering: .relaxed)
    }
}

/// The extra read connections of one queue.
private final class ReaderSet: Sendable {
    private struct State {
        var idle: [Database] = []
        /// Open connections, idle or in use.
        var openCount = 0
        /// The threads running a body on one of these connections.
        var busyThreads: [UInt] = []
        var isClosed = false
    }

    private let path: String
    private let configuration: Database.Configuration
    private let allowance: ReadConnections
    private let state = Mutex(State())

    init(path: String, configuration: Database.Configuration, allowance: ReadConnections) {
        self.path = path
        self.configuration = configuration
        self.allowance = allowance
    }

    var openCount: Int {
        state.withLock { $0.openCount }
    }

    func isBusy(thread: UInt) -> Bool {
        state.withLock { $0.busyThreads.contains(thread) }
    }

    /// Returns an idle connection, or a new one when the limits allow it, marked as used by
    /// `thread`. Returns nil when neither is possible or the queue is closing.
    func take(thread: UInt) -> Database? {
        enum Decision {
            case use(Database)
            case open
            case none
        }
        let decision: Decision = state.withLock { state in
            guard !state.isClosed else { return .none }
            if let database = state.idle.popLast() {
                state.busyThreads.append(thread)
                return .use(database)
            }
            guard state.openCount < allowance.perQueue, allowance.reserve() else { return .none }
            state.openCount += 1
            state.busyThreads.append(thread)
            return .open
        }

        switch decision {
        case .use(let database):
            return database
        case .none:
            return nil
        case .open:
            do {
                return try Database(path: path, configuration: configuration)
            } catch {
                // The main connection serves the read instead, and reports a real problem
                // with the file itself.
                state.withLock { state in
                    state.openCount -= 1
                    state.busyThreads.removeAll { $0 == thread }
                }
                allowance.release()
                return nil
            }
        }
    }

    /// Returns a connection taken by `thread`; closes it when the queue is closing.
    func giveBack(_ database: Database, thread: UInt) {
        let keep = state.withLock { state in
            state.busyThreads.removeAll { $0 == thread }
            guard !state.isClosed else {
                state.openCount -= 1
                return false
            }
            state.idle.append(database)
            return true
        }
        if !keep {
            try? database.close()
            allowance.release()
        }
    }

    /// Closes the idle connections and waits until the ones in use are given back and
    /// closed. Bodies on these connections cannot call the queue, so they finish.
    func closeAll() {
        let idle = state.withLock { state in
            state.isClosed = true
            let idle = state.idle
            state.openCount -= idle.count
            state.idle = []
            return idle
        }
        for database in idle {
            try? database.close()
            allowance.release()
        }
        while state.withLock({ $0.openCount > 0 }) {
            usleep(200)
        }
    }
}
