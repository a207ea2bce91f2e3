import Foundation
import SQLite

/// The open store databases of one server process: a bounded least-recently-used set of
/// `DatabaseQueue`s keyed by store id.
///
/// - A store's file is opened on first use, without SQLite's create flag, and prepared by
///   the `prepare` closure (the app runs the store's migrations there). A missing file
///   throws `StoreUnavailable`, and no file is ever created.
/// - Concurrent first uses of one store open it once; the other callers wait for that open.
/// - Each use compares the device and inode at the file's path (one `stat`) with those of
///   the file the pool opened. When the file was replaced, as by a restore from a backup,
///   the pool closes its connection once the uses in progress end and opens the new file.
///   When the file was removed, the use throws `StoreUnavailable` and the idle connection
///   is closed.
/// - When more stores are open than `maximumOpenStores`, the least recently used idle
///   store is closed. A store in use is never closed: when every open store is in use, the
///   pool opens one more and goes back down to the limit as uses end.
/// - `maximumOpenStores` is the requested count cut down to what the process's
///   `RLIMIT_NOFILE` allows (see `DescriptorBudget`), and is logged at start.
/// - A read of a store whose main connection is busy may open one more connection to the
///   store, up to `readConnections.total` across the pool, taken from the descriptors
///   that the requested stores leave (see `DatabaseQueue`).
///
/// `@unchecked Sendable`: every stored property is either immutable or guarded by
/// `condition`, and the queues handed out serialise their own access.
public final class StoreDatabasePool: @unchecked Sendable {
    public let dataDirectory: DataDirectory
    public let budget: DescriptorBudget
    public var maximumOpenStores: Int { budget.effective }

    private let prepare: @Sendable (Database) throws -> Void
    private let configuration: Database.Configuration
    /// The extra connections that reads of a busy store may open, shared by all stores.
    public let readConnections: ReadConnections
    /// One extra connection lets a second request read a store while the first uses its
    /// main connection, which on the two cores measured gave both cores work.
    static let readConnectionsPerStore = 1
    /// A read connection costs a page cache and about 0.25 MB; the hottest few stores
    /// need them, not every open one.
    static let maximumReadConnections = 32
    /// Its own descriptors for the database and the `-wal` file; SQLite shares the
    /// `-shm` mapping of a file between the connections of a process.
    static let descriptorsPerReadConnection = 2
    private let logger: TenancyLogger
    /// `dataDirectory.storesFolder.path`, kept so that each use builds its file path by
    /// concatenation rather than through `URL`.
    private let storesFolderPath: String

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var entries: [String: Entry] = [:]
    /// Open stores that no caller uses, least recently used first: the eviction order.
    private var idle = LRUList<String>()
    private var deletedStores: Set<String> = []
    private var counters = Statistics()
    /// Evicted stores passed to `closer` and not yet closed. They still hold descriptors.
    private var closingInBackground = 0
    /// The ids of those stores, with their number of connections waiting for `closer`.
    private var storesClosingInBackground: [String: Int] = [:]

    /// Closes evicted stores off the requests' threads, several at a time, so that the
    /// disk can serve their fsyncs in parallel.
    private let closer = DispatchQueue(label: "storefleet.store-pool.closer", attributes: .concurrent)
    /// The most evicted stores waiting for `closer` at once, which also bounds its threads.
    /// Beyond it, or when their descriptors would not fit the budget, the thread that
    /// evicted a store closes it.
    private static let maximumClosingInBackground = 8

    private struct Entry {
        /// Nil while the first caller opens the file.
        var queue: DatabaseQueue?
        /// The file at the path just before the open, or nil when `stat` failed.
        var file: FileIdentity?
        var leases: Int
        /// Set when a caller found another file at the path. No new use starts on this
        /// queue, and the caller that found it closes it once `leases` is zero.
        var isReplaced = false
    }

    /// Counters for benchmarks and the operator console.
    public struct Statistics: Sendable, Equatable {
        /// Files opened, including reopens after eviction.
        public var opens = 0
        /// Uses served by a store that was already open.
        public var hits = 0
        /// Idle stores closed to stay within the limit.
        public var evictions = 0
        /// Uses that waited for another caller's open of the same store.
        public var waitsForOpen = 0
        /// Open stores closed because their file was replaced or removed on disk.
        public var replacedFiles = 0
        /// Stores open or being opened now.
        public var currentlyOpen = 0
        /// The highest `currentlyOpen` seen, which exceeds the limit only while every
        /// open store was in use.
        public var peakOpen = 0
    }

    /// Creates an empty pool; no file is opened until first use.
    ///
    /// - Parameters:
    ///   - maximumOpenStores: the requested limit, 256 by default, lowered to fit the
    ///     descriptor limit.
    ///   - descriptorLimit: the soft `RLIMIT_NOFILE` to plan with; nil reads the process's
    ///     own. Tests pass a value instead of lowering the real limit.
    ///   - reservedDescriptors: descriptors kept for everything but stores; nil lets
    ///     `DescriptorBudget` choose.
    ///   - configuration: how each store is opened; the access mode is always read-write
    ///     without create.
    ///   - prepare: runs on each newly opened store, outside any transaction. It must be
    ///     cheap on an up-to-date file, as `Migrator.migrate` is.
    public init(
        dataDirectory: DataDirectory,
        maximumOpenStores: Int = 256,
        descriptorLimit: Int? = DescriptorBudget.currentSoftLimit(),
        reservedDescriptors: Int? = nil,
        configuration: Database.Configuration = Database.Configuration(),
        logger: TenancyLogger = .standardError,
        prepare: @escaping @Sendable (Database) throws -> Void
    ) {
        self.dataDirectory = dataDirectory
        // Read connections come out of the descriptors left after the requested stores,
        // and are then reserved, so that the stores' budget never counts on them.
        let readConnectionCount: Int
        var reserved = reservedDescriptors
        if let descriptorLimit {
            let reserve = reservedDescriptors ?? DescriptorBudget.defaultReserve(softLimit: descriptorLimit)
            let spare = descriptorLimit - reserve - DescriptorBudget.descriptorsPerStore * maximumOpenStores
            readConnectionCount = min(Self.maximumReadConnections, max(0, spare / Self.descriptorsPerReadConnection))
            reserved = reserve + readConnectionCount * Self.descriptorsPerReadConnection
        } else {
            readConnectionCount = Self.maximumReadConnections
        }
        self.readConnections = ReadConnections(perQueue: Self.readConnectionsPerStore, total: readConnectionCount)
        self.budget = DescriptorBudget(requested: maximumOpenStores, softLimit: descriptorLimit, reserved: reserved)
        var configuration = configuration
        configuration.accessMode = .readWrite
        self.configuration = configuration
        self.logger = logger
        self.prepare = prepare
        self.storesFolderPath = dataDirectory.storesFolder.path

        logger.log("store_pool.limit", [
            "requested": String(budget.requested),
            "descriptor_limit": budget.softLimit.map(String.init) ?? "unlimited",
            "reserved_descriptors": String(budget.reserved),
            "max_open_stores": String(budget.effective),
            "read_connections": String(readConnectionCount),
        ])
    }

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// Runs `body` with the store's database, opening the file on first use.
    ///
    /// The queue must not escape `body`: once `body` returns, the pool may close it. `body`
    /// must not call `withStore` for the same store: if the file is found replaced, the
    /// inner call would wait for the outer use to end.
    ///
    /// - Throws: `StoreUnavailable` when the id is invalid, the file is missing or cannot
    ///   be opened or prepared, or the store was deleted. Errors of `body` pass through.
    public func withStore<T>(_ storeID: String, _ body: (DatabaseQueue) throws -> T) throws -> T {
        let queue = try acquire(storeID)
        defer { release(storeID) }
        return try body(queue)
    }

    /// Closes the store if it is open, waiting for current uses to end, and rejects later
    /// uses with `StoreUnavailable.deleted`. `Provisioner.delete` calls this before it
    /// removes the files.
    public func closeDeletedStore(_ storeID: String) {
        condition.lock()
        deletedStores.insert(storeID)
        while let entry = entries[storeID], entry.leases > 0 || entry.queue == nil {
            condition.wait()
        }
        let queue = removeEntry(storeID)
        condition.unlock()

        if let queue {
            closeQuietly(queue, storeID: storeID)
        }
    }

    /// Closes every idle store, for shutdown. Stores in use stay open until they are idle
    /// and are then closed by the usual limit.
    public func closeIdleStores() {
        condition.lock()
        var toClose: [(String, DatabaseQueue)] = []
        while let storeID = idle.removeOldest() {
            if let queue = removeEntry(storeID) {
                toClose.append((storeID, queue))
            }
        }
        condition.unlock()

        for (storeID, queue) in toClose {
            closeQuietly(queue, storeID: storeID)
        }
        // Waits for the stores evicted earlier and still being closed.
        closer.sync(flags: .barrier) {}
    }

    // MARK: - Leases

    private func acquire(_ storeID: String) throws -> DatabaseQueue {
        guard StoreID.isValid(storeID) else {
            throw StoreUnavailable(storeID: storeID, reason: .invalidID)
        }

        // Outside the lock, because it is a system call.
        let path = storeDatabasePath(storeID)
        let fileOnDisk = FileIdentity.lookUp(path)

        condition.lock()
        var waited = false
        var replacedQueue: DatabaseQueue?
        while true {
            if deletedStores.contains(storeID) {
                condition.unlock()
                throw StoreUnavailable(storeID: storeID, reason: .deleted)
            }
            guard var entry = entries[storeID] else {
                // The connection evicted earlier may belong to a file that was replaced
                // since, and must be closed before the path is opened again (see below).
                if storesClosingInBackground[storeID] != nil {
                    condition.wait()
                    continue
                }
                break
            }
            guard let queue = entry.queue else {
                // Another caller is opening this store; its open serves this call too.
                if !waited {
                    counters.waitsForOpen += 1
                    waited = true
                }
                condition.wait()
                continue
            }
            if entry.isReplaced || Self.isReplaced(entry, by: fileOnDisk) {
                if !entry.isReplaced {
                    entries[storeID]!.isReplaced = true
                    counters.replacedFiles += 1
                }
                // The old connection is closed before the new file opens, because both
                // would use the -wal and -shm files at the path. Closing the last
                // connection to a file deletes them unless SQLITE_FCNTL_PERSIST_WAL is set
                // (https://sqlite.org/c3ref/c_fcntl_begin_atomic_write.html).
                guard entry.leases == 0 else {
                    condition.wait()
                    continue
                }
                replacedQueue = removeEntry(storeID)
                condition.broadcast()
                if fileOnDisk == .missing {
                    condition.unlock()
                    closeEvicted([(storeID, queue)])
                    throw StoreUnavailable(storeID: storeID, reason: .missingFile(path: path))
                }
                break
            }
            entry.leases += 1
            entries[storeID] = entry
            idle.remove(storeID)
            counters.hits += 1
            condition.unlock()
            return queue
        }
        if fileOnDisk == .missing, replacedQueue == nil {
            condition.unlock()
            throw StoreUnavailable(storeID: storeID, reason: .missingFile(path: path))
        }

        // This caller opens the store. The placeholder counts toward the limit, so that
        // descriptors being opened are budgeted too, and an idle store is closed before the
        // open rather than after it.
        entries[storeID] = Entry(queue: nil, leases: 1)
        counters.currentlyOpen += 1
        let evictedBeforeOpen = handOffToCloser(collectEvictions())
        counters.peakOpen = max(counters.peakOpen, counters.currentlyOpen)
        condition.unlock()
        if let replacedQueue {
            closeQuietly(replacedQueue, storeID: storeID)
        }
        closeEvicted(evictedBeforeOpen)

        let queue: DatabaseQueue
        let file: FileIdentity?
        do {
            (queue, file) = try open(storeID, path: path)
        } catch {
            condition.lock()
            entries[storeID] = nil
            counters.currentlyOpen -= 1
            condition.broadcast()
            condition.unlock()
            throw error
        }

        condition.lock()
        entries[storeID]!.queue = queue
        entries[storeID]!.file = file
        counters.opens += 1
        let evicted = handOffToCloser(collectEvictions())
        condition.broadcast()
        condition.unlock()

        closeEvicted(evicted)
        return queue
    }

    private func release(_ storeID: String) {
        condition.lock()
        entries[storeID]!.leases -= 1
        if entries[storeID]!.leases == 0 {
            idle.touch(storeID)
            // A caller of closeDeletedStore may be waiting for the last use to end.
            condition.broadcast()
        }
        let evicted = handOffToCloser(collectEvictions())
        condition.unlock()

        closeEvicted(evicted)
    }

    /// Checks whether the file at the store's path is no longer the one the entry opened. A `stat`
    /// that failed for another reason than a missing file proves no change, so the open
    /// file stays in use.
    private static func isReplaced(_ entry: Entry, by fileOnDisk: FileIdentity.Lookup) -> Bool {
        switch fileOnDisk {
        case .found(let identity): return entry.file != identity
        case .missing: return true
        case .failed: return false
        }
    }

    /// Removes least recently used idle stores until the count is within the limit, and
    /// returns their queues to close once the lock is released. Must hold `condition`.
    private func collectEvictions() -> [(String, DatabaseQueue)] {
        var evicted: [(String, DatabaseQueue)] = []
        while counters.currentlyOpen > budget.effective, let storeID = idle.removeOldest() {
            if let queue = removeEntry(storeID) {
                evicted.append((storeID, queue))
                counters.evictions += 1
            }
        }
        return evicted
    }

    /// Passes evicted stores to the background closer while the descriptor budget has room
    /// for them beyond the open stores, and returns the rest, which the caller closes on its
    /// own thread once the lock is released. Must hold `condition`.
    ///
    /// The last connection to a WAL database runs a checkpoint as it closes
    /// (https://sqlite.org/wal.html). With `synchronous=NORMAL` that calls fdatasync on the
    /// WAL and on the database when the WAL contains new frames, which took milliseconds in
    /// the benchmarks in docs/benchmarks.md. So a request that evicts a store does not wait
    /// for the close. The CPU cost is the same on either thread.
    private func handOffToCloser(_ evicted: [(String, DatabaseQueue)]) -> [(String, DatabaseQueue)] {
        var closeHere: [(String, DatabaseQueue)] = []
        for (storeID, queue) in evicted {
            let descriptorsFit = budget.capacity.map { counters.currentlyOpen + closingInBackground < $0 } ?? true
            guard descriptorsFit, closingInBackground < Self.maximumClosingInBackground else {
                closeHere.append((storeID, queue))
                continue
            }
            closingInBackground += 1
            storesClosingInBackground[storeID, default: 0] += 1
            closer.async { [self] in
                closeQuietly(queue, storeID: storeID)
                condition.lock()
                closingInBackground -= 1
                storesClosingInBackground[storeID]! -= 1
                if storesClosingInBackground[storeID] == 0 {
                    storesClosingInBackground[storeID] = nil
                }
                // A caller may be waiting to open this store again.
                condition.broadcast()
                condition.unlock()
            }
        }
        return closeHere
    }

    /// Forgets an entry and returns its queue. Must hold `condition`.
    private func removeEntry(_ storeID: String) -> DatabaseQueue? {
        idle.remove(storeID)
        guard let entry = entries.removeValue(forKey: storeID) else { return nil }
        counters.currentlyOpen -= 1
        return entry.queue
    }

    private func closeEvicted(_ evicted: [(String, DatabaseQueue)]) {
        for (storeID, queue) in evicted {
            closeQuietly(queue, storeID: storeID)
        }
    }

    private func closeQuietly(_ queue: DatabaseQueue, storeID: String) {
        do {
            try queue.close()
        } catch {
            logger.log("store_pool.close_failed", ["store_id": storeID, "error": String(describing: error)])
        }
    }

    // MARK: - Opening

    /// `dataDirectory.storeDatabasePath(storeID)`, built without `URL`.
    func storeDatabasePath(_ storeID: String) -> String {
        storesFolderPath + "/" + storeID + "/store.sqlite"
    }

    /// Opens and prepares the store's file. Returns the queue and the identity of the file
    /// at the path just before the open. If the file is replaced during the open, the
    /// identity may be the old file's, and the next use then opens the file again.
    private func open(_ storeID: String, path: String) throws -> (DatabaseQueue, FileIdentity?) {
        // The create flag is off as well, so a file removed after this check still fails
        // to open instead of coming back empty.
        let file: FileIdentity?
        switch FileIdentity.lookUp(path) {
        case .missing:
            throw StoreUnavailable(storeID: storeID, reason: .missingFile(path: path))
        case .found(let identity):
            file = identity
        case .failed:
            // SQLite's open reports the cause with a better message.
            file = nil
        }

        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration, readConnections: readConnections)
        } catch let error as SQLiteError {
            throw StoreUnavailable(storeID: storeID, reason: Self.classifyOpenFailure(error, path: path))
        }

        do {
            try queue.writeWithoutTransaction { database in
                try prepare(database)
            }
        } catch {
            closeQuietly(queue, storeID: storeID)
            if let sqliteError = error as? SQLiteError, Self.isNotADatabase(sqliteError) {
                throw StoreUnavailable(storeID: storeID, reason: .unreadable(path: path, detail: sqliteError.description))
            }
            throw StoreUnavailable(storeID: storeID, reason: .preparationFailed(path: path, detail: String(describing: error)))
        }
        return (queue, file)
    }

    static func classifyOpenFailure(_ error: SQLiteError, path: String) -> StoreUnavailable.Reason {
        // Result codes from https://sqlite.org/rescode.html.
        let cannotOpen: Int32 = 14
        if error.resultCode == cannotOpen && !FileManager.default.fileExists(atPath: path) {
            return .missingFile(path: path)
        }
        if isNotADatabase(error) {
            return .unreadable(path: path, detail: error.description)
        }
        return .openFailed(path: path, detail: error.description)
    }

    /// SQLITE_NOTADB (26) or SQLITE_CORRUPT (11).
    static func isNotADatabase(_ error: SQLiteError) -> Bool {
        error.resultCode == 26 || error.resultCode == 11
    }
}
