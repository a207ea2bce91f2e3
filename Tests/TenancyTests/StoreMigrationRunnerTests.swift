import Foundation
import SQLite
import Synchronization
import Testing
@testable import Tenancy

@Suite struct StoreMigrationRunnerTests {
    /// Builds the test schema plus two later migrations. The second one fails on the stores
    /// in `failing`, as a bad row in one store would make it fail.
    private func laterMigrator(failing: Set<String>) -> Migrator {
        var migrator = testStoreMigrator
        migrator.register("add visit time", sql: "ALTER TABLE visits ADD COLUMN at TEXT")
        migrator.register("add marker note") { database in
            let id = try database.scalar("SELECT store_id FROM marker", as: String.self) ?? ""
            if failing.contains(id) {
                throw CatalogError.storeNotFound(id: id)
            }
            try database.execute("ALTER TABLE marker ADD COLUMN note TEXT")
        }
        return migrator
    }

    @Test func failingStoreDoesNotStopOthers() throws {
        let platform = try TestPlatform()
        var stores: [StoreRecord] = []
        for index in 0..<6 {
            stores.append(try platform.createStore("store\(index)"))
        }
        let broken = stores[2]
        let failing = stores[4]
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: platform.dataDirectory.storeDatabasePath(broken.id)))

        let migrator = laterMigrator(failing: [failing.id])
        let runner = StoreMigrationRunner(catalog: platform.catalog, dataDirectory: platform.dataDirectory, workerCount: 3, logger: .silent)
        let reports = Mutex<[StoreMigrationProgress]>([])
        let results = try runner.run(migrate: { try migrator.migrate($0) }, progress: { progress in
            reports.withLock { $0.append(progress) }
        })

        #expect(results.count == 6)
        #expect(results.map(\.storeID) == stores.map(\.id).sorted())
        for result in results {
            switch result.storeID {
            case broken.id:
                guard case .failed(let message) = result.outcome else {
                    Issue.record("the broken store did not fail: \(result.outcome)")
                    continue
                }
                #expect(message.contains("SQLITE_NOTADB"))
            case failing.id:
                guard case .failed(let message) = result.outcome else {
                    Issue.record("the failing store did not fail: \(result.outcome)")
                    continue
                }
                #expect(message.contains("add marker note"))
            default:
                #expect(result.outcome == .migrated(["add visit time", "add marker note"]))
            }
        }

        let progress = reports.withLock { $0 }
        #expect(progress.count == 6)
        #expect(progress.map(\.done).sorted() == [1, 2, 3, 4, 5, 6])
        #expect(progress.allSatisfy { $0.total == 6 })
        #expect(progress.max { $0.done < $1.done }?.failed == 2)

        // The failing store kept the migration before the failing one.
        let database = try Database(path: platform.dataDirectory.storeDatabasePath(failing.id))
        #expect(try Migrator.userVersion(of: database) == testStoreMigrator.migrationNames.count + 1)
        try database.close()
    }

    @Test func rerunContinuesWhereItStopped() throws {
        let platform = try TestPlatform()
        let stores = [try platform.createStore("alpha"), try platform.createStore("bravo")]
        let runner = StoreMigrationRunner(catalog: platform.catalog, dataDirectory: platform.dataDirectory, workerCount: 2, logger: .silent)

        let firstRun = try runner.run(migrate: { try laterMigrator(failing: [stores[1].id]).migrate($0) })
        #expect(firstRun.first { $0.storeID == stores[0].id }?.outcome == .migrated(["add visit time", "add marker note"]))

        // Once the cause is fixed, the second run applies only what is still missing.
        let secondRun = try runner.run(migrate: { try laterMigrator(failing: []).migrate($0) })
        #expect(secondRun.first { $0.storeID == stores[0].id }?.outcome == .migrated([]))
        #expect(secondRun.first { $0.storeID == stores[1].id }?.outcome == .migrated(["add marker note"]))
    }

    @Test func damagedAndMissingStoresAreReported() throws {
        let platform = try TestPlatform()
        let damaged = try platform.createStore("alpha")
        let missing = try platform.createStore("bravo")
        try platform.catalog.markDamaged(damaged.id, note: "file lost")
        try FileManager.default.removeItem(atPath: platform.dataDirectory.storeDatabasePath(missing.id))

        let runner = StoreMigrationRunner(catalog: platform.catalog, dataDirectory: platform.dataDirectory, logger: .silent)
        let results = try runner.run(migrate: { try laterMigrator(failing: []).migrate($0) })
        #expect(results.first { $0.storeID == damaged.id }?.outcome == .skipped(reason: "the store is marked damaged: file lost"))
        guard case .failed(let message) = results.first(where: { $0.storeID == missing.id })?.outcome else {
            Issue.record("a missing file did not fail")
            return
        }
        #expect(message.contains("is missing"))
        // The runner never creates a missing file.
        #expect(!FileManager.default.fileExists(atPath: platform.dataDirectory.storeDatabasePath(missing.id)))
    }
}
