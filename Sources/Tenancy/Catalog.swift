import Foundation
import SQLite
import Synchronization

/// The platform's own database: which stores exist, their addresses, plans and states.
///
/// One `Catalog` wraps one connection behind a lock (`DatabaseQueue`), so it may be shared
/// by every thread of the server. The command line opens its own `Catalog` on the same
/// file; `HostResolver` notices such changes through `PRAGMA data_version`.
public final class Catalog: Sendable {
    public let path: String
    /// The domain under which every store has its `<slug>.<domain>` address, normalised.
    public let platformDomain: String
    public let clock: any WallClock

    let queue: DatabaseQueue
    /// Bumped after every commit through this instance that can change how a host resolves
    /// or what a resolved store looks like. `PRAGMA data_version` does not change for
    /// commits on the same connection, so this counter covers them.
    private let mappingGeneration = Atomic<UInt64>(0)
    /// When each store's `last_active_at` was last written by this process.
    private let lastTouches = Mutex<[String: Date]>([:])

    public static let maximumPageSize = 500
    /// `touch(_:)` writes at most once per store in this many seconds.
    public static let touchInterval: TimeInterval = 60

    /// Opens the catalog at `path`, creating the file if needed, and applies its migrations.
    ///
    /// - Parameter platformDomain: such as `shop.example`; normalised like a `Host` header.
    /// - Throws: `CatalogError.invalidPlatformDomain`, `SQLiteError` when the file cannot be
    ///   opened, and `MigrationError` when it cannot be migrated or is newer than this build.
    public init(path: String, platformDomain: String, clock: any WallClock = SystemClock()) throws {
        let normalized: NormalizedHost
        do {
            normalized = try HostName.normalize(platformDomain)
        } catch {
            throw CatalogError.invalidPlatformDomain(platformDomain, reason: "the name \(error.problem)")
        }
        guard case .name(let domain) = normalized else {
            throw CatalogError.invalidPlatformDomain(platformDomain, reason: "it is an IP address, and store addresses need a name")
        }
        self.path = path
        self.platformDomain = domain
        self.clock = clock
        queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { database in
            _ = try CatalogSchema.migrator.migrate(database)
        }
    }

    /// Opens `<data>/platform.sqlite`, creating the data folder if needed.
    public convenience init(dataDirectory: DataDirectory, platformDomain: String, clock: any WallClock = SystemClock()) throws {
        try FileManager.default.createDirectory(at: dataDirectory.root, withIntermediateDirectories: true)
        try self.init(path: dataDirectory.catalogPath, platformDomain: platformDomain, clock: clock)
    }

    /// Closes the connection. Later calls throw.
    public func close() throws {
        try queue.close()
    }

    // MARK: - Change detection

    /// A value that differs whenever the catalog may have changed in a way that affects
    /// host resolution, whether through this instance or through another connection.
    public struct ChangeStamp: Sendable, Equatable {
        let dataVersion: Int64
        let generation: UInt64
    }

    /// Returns the current change stamp. This costs one pragma on the catalog connection.
    ///
    /// "The integer values returned by two invocations of "PRAGMA data_version" from the
    /// same connection will be different if changes were committed to the database by any
    /// other connection in the interim" and it is "unchanged for changes committed on the
    /// same database connection" (https://sqlite.org/pragma.html#pragma_data_version). The
    /// second half is why this instance also counts its own commits.
    public func changeStamp() throws -> ChangeStamp {
        let generation = mappingGeneration.load(ordering: .acquiring)
        let dataVersion = try queue.readWithoutTransaction { database in
            try database.scalar("PRAGMA data_version", as: Int64.self) ?? 0
        }
        return ChangeStamp(dataVersion: dataVersion, generation: generation)
    }

    /// Runs `body` in a write transaction and, once it committed, marks cached host
    /// resolutions stale.
    func writeChangingMapping<T>(_ body: (Database) throws -> T) throws -> T {
        let result = try queue.write(body)
        mappingGeneration.add(1, ordering: .releasing)
        return result
    }

    // MARK: - Reading stores

    /// Returns the store with `id` in any provisioning state, or nil. A trial that has
    /// ended is recorded as expired first.
    public func store(id: String) throws -> StoreRecord? {
        let record = try queue.read { database in
            try database.queryFirst("SELECT \(StoreRecord.columns) FROM stores WHERE id = ?", id, map: StoreRecord.init(row:))
        }
        return try record.map(expireTrialIfEnded)
    }

    /// Returns the store whose slug is `slug`, or nil. A trial that has ended is recorded
    /// as expired first.
    public func store(slug: String) throws -> StoreRecord? {
        let record = try queue.read { database in
            try database.queryFirst("SELECT \(StoreRecord.columns) FROM stores WHERE slug = ?", slug, map: StoreRecord.init(row:))
        }
        return try record.map(expireTrialIfEnded)
    }

    /// Returns the store that the custom domain `hostname` serves, or nil. `hostname` must
    /// be normalised already (see `HostName.normalize`).
    ///
    /// NOTE: unverified domains resolve too. Traffic reaches the platform only where the
    /// name's DNS points at it, but a merchant can claim a name first and block its owner
    /// until an operator removes it.
    public func store(domain hostname: String) throws -> StoreRecord? {
        let record = try queue.read { database in
            try database.queryFirst("""
                SELECT \(StoreRecord.columns) FROM stores
                WHERE id = (SELECT store_id FROM domains WHERE hostname = ?)
                """, hostname, map: StoreRecord.init(row:))
        }
        return try record.map(expireTrialIfEnded)
    }

    /// One page of stores in slug order.
    public struct StorePage: Sendable, Equatable {
        public let stores: [StoreRecord]
        /// The slug to pass as `afterSlug` for the next page, or nil on the last page.
        public let nextCursor: String?
    }

    /// Lists stores in slug order, `limit` at a time, starting after the slug `afterSlug`.
    ///
    /// Keyset pagination stays correct while stores are added or removed between pages.
    /// Stores still being created are left out unless `includeProvisioning` is true.
    /// Trials that have ended are recorded as expired first.
    public func listStores(
        afterSlug: String? = nil,
        limit: Int = 50,
        status: StoreStatus? = nil,
        includeProvisioning: Bool = false
    ) throws -> StorePage {
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw CatalogError.invalidPageSize(limit)
        }
        try expireEndedTrials()

        // One row more than the page shows whether another page follows.
        let rows = try queue.read { database in
            try database.query("""
                SELECT \(StoreRecord.columns) FROM stores
                WHERE slug > ?1
                  AND (?2 IS NULL OR status = ?2)
                  AND (?3 OR state <> 'provisioning')
                ORDER BY slug
                LIMIT ?4
                """, afterSlug ?? "", status, includeProvisioning, limit + 1, map: StoreRecord.init(row:))
        }
        let stores = Array(rows.prefix(limit))
        let nextCursor = rows.count > limit ? stores.last?.slug : nil
        return StorePage(stores: stores, nextCursor: nextCursor)
    }

    /// Returns every store, in id order, for tools that visit all of them (checks,
    /// migrations). Ten thousand stores take a few megabytes.
    public func allStores() throws -> [StoreRecord] {
        try queue.read { database in
            try database.query("SELECT \(StoreRecord.columns) FROM stores ORDER BY id", map: StoreRecord.init(row:))
        }
    }

    public func storeCount() throws -> Int {
        try queue.read { database in
            try database.scalar("SELECT count(*) FROM stores", as: Int.self) ?? 0
        }
    }

    // MARK: - Trials

    /// Records `record` as expired when it is trialing and its trial has ended. Returns the
    /// record as it is stored after the change.
    func expireTrialIfEnded(_ record: StoreRecord) throws -> StoreRecord {
        let now = clock.now()
        guard record.trialHasEnded(at: now) else { return record }

        try writeChangingMapping { database in
            // The status condition keeps an operator's concurrent change (activation,
            // extension) from being overwritten.
            try database.run("""
                UPDATE stores SET status = 'expired'
                WHERE id = ? AND status = 'trialing' AND trial_ends_at <= ?
                """, record.id, now)
        }
        return try queue.read { database in
            try database.queryFirst("SELECT \(StoreRecord.columns) FROM stores WHERE id = ?", record.id, map: StoreRecord.init(row:))
        } ?? record
    }

    /// Records every trialing store whose trial has ended as expired and returns how many
    /// changed. Nothing else about the stores changes.
    @discardableResult
    public func expireEndedTrials() throws -> Int {
        let now = clock.now()
        let due = try queue.read { database in
            try database.scalar("SELECT count(*) FROM stores WHERE status = 'trialing' AND trial_ends_at <= ?", now, as: Int.self) ?? 0
        }
        guard due > 0 else { return 0 }
        return try writeChangingMapping { database in
            try database.run("UPDATE stores SET status = 'expired' WHERE status = 'trialing' AND trial_ends_at <= ?", now)
            return database.changes
        }
    }

    // MARK: - Activity

    /// Records that the store served a request now. Writes at most once per store per
    /// `touchInterval` from this process, so calling it on every request is cheap.
    /// The write does not invalidate cached host resolutions, so `lastActiveAt` of a
    /// resolved record can be up to the cache's lifetime old.
    public func touch(_ storeID: String) throws {
        let now = clock.now()
        let isDue = lastTouches.withLock { touches in
            if let last = touches[storeID], now.timeIntervalSince(last) < Self.touchInterval, now >= last {
                return false
            }
            touches[storeID] = now
            return true
        }
        guard isDue else { return }
        try queue.write { database in
            try database.run("UPDATE stores SET last_active_at = ? WHERE id = ?", now, storeID)
        }
    }
}
