import Foundation
import SQLite
import Synchronization

/// Migrates every ready store's file with the caller's migrations, several stores at once.
///
/// A store that fails is reported and does not stop the others. Each store's migrations
/// record their progress in the file (`Migrator` commits each migration together with
/// `PRAGMA user_version`), so running again after an interruption applies only what is
/// still missing.
public struct StoreMigrationRunner: Sendable {
    public let catalog: Catalog
    public let dataDirectory: DataDirectory
    /// Stores migrated at the same time, each on its own thread.
    public let workerCount: Int
    private let configuration: Database.Configuration
    private let logger: TenancyLogger

    public init(
        catalog: Catalog,
        dataDirectory: DataDirectory,
        workerCount: Int = 2,
        configuration: Database.Configuration = Database.Configuration(),
        logger: TenancyLogger = .standardError
    ) {
        precondition(workerCount >= 1, "the migration runner needs at least one worker, got \(workerCount)")
        self.catalog = catalog
        self.dataDirectory = dataDirectory
        self.workerCount = workerCount
        var configuration = configuration
        // A missing file must fail, never come back as a new empty store.
        configuration.accessMode = .readWrite
        self.configuration = configuration
        self.logger = logger
    }

    /// Migrates every store in the catalog.
    ///
    /// - Parameters:
    ///   - migrate: applies the pending migrations to one store's database, outside any
    ///     transaction, and returns their names (as `Migrator.migrate` does).
    ///   - progress: called after each store, from the worker that finished it.
    /// - Returns: one result per store, in store id order. Stores still being created or
    ///   marked damaged are skipped, with the reason in the result.
    public func run(
        migrate: @escaping @Sendable (Database) throws -> [String],
        progress: @escaping @Sendable (StoreMigrationProgress) -> Void = { _ in }
    ) throws -> [StoreMigrationResult] {
        let stores = try catalog.allStores()
        let total = stores.count
        let nextIndex = Atomic<Int>(0)
        let tally = Mutex(StoreMigrationProgress(done: 0, total: total, failed: 0))
        let results = Mutex([StoreMigrationResult?](repeating: nil, count: total))

        let work: @Sendable () -> Void = {
            while true {
                let index = nextIndex.add(1, ordering: .relaxed).oldValue
                guard index < total else { return }

                let result = migrateOne(stores[index], migrate: migrate)
                results.withLock { $0[index] = result }
                let snapshot = tally.withLock { tally in
                    tally.done += 1
                    if case .failed = result.outcome { tally.failed += 1 }
                    return tally
                }
                progress(snapshot)
            }
        }

        let group = DispatchGroup()
        for _ in 0..<min(workerCount, max(total, 1)) {
            group.enter()
            let thread = Thread {
                work()
                group.leave()
            }
            thread.name = "store-migration"
            thread.start()
        }
        group.wait()

        let finished = results.withLock { $0.compactMap { $0 } }
        let failed = finished.filter { if case .failed = $0.outcome { true } else { false } }.count
        logger.log("store_migration.finished", ["stores": String(total), "failed": String(failed)])
        return finished
    }

    private func migrateOne(_ store: StoreRecord, migrate: @Sendable (Database) throws -> [String]) -> StoreMigrationResult {
        switch store.state {
        case .provisioning:
            return StoreMigrationResult(storeID: store.id, slug: store.slug, outcome: .skipped(reason: "the store is still being created"))
        case .damaged:
            return StoreMigrationResult(storeID: store.id, slug: store.slug, outcome: .skipped(reason: "the store is marked damaged: \(store.damage ?? "no details")"))
        case .ready:
            break
        }

        guard StoreID.isValid(store.id) else {
            return StoreMigrationResult(storeID: store.id, slug: store.slug, outcome: .failed("the catalog row has an id that is not a valid store id; correct or delete it in \(catalog.path)"))
        }
        let path = dataDirectory.storeDatabasePath(store.id)
        do {
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreUnavailable(storeID: store.id, reason: .missingFile(path: path))
            }
            let database = try Database(path: path, configuration: configuration)
            defer { try? database.close() }
            let applied = try migrate(database)
            return StoreMigrationResult(storeID: store.id, slug: store.slug, outcome: .migrated(applied))
        } catch {
            logger.log("store_migration.failed", ["store_id": store.id, "error": String(describing: error)])
            return StoreMigrationResult(storeID: store.id, slug: store.slug, outcome: .failed(String(describing: error)))
        }
    }
}

/// How far a migration run has come, reported after each store.
public struct StoreMigrationProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    public var failed: Int
}

/// The outcome of a migration run for one store.
public struct StoreMigrationResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The names of the migrations applied now; empty when the file was up to date.
        case migrated([String])
        /// The error that stopped this store; the migrations before it stay applied.
        case failed(String)
        case skipped(reason: String)
    }

    public let storeID: String
    public let slug: String
    public let outcome: Outcome
}
