import Foundation
import SQLite
import Tenancy

/// A fresh folder under the system's temporary directory, removed when released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenancy-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var dataDirectory: DataDirectory { DataDirectory(url) }
}

/// The platform domain every test uses.
let testPlatformDomain = "shop.test"

/// A stand-in for the store schema that Commerce provides in the app: one table holding
/// the store's own id, so that a test can tell which file it reads.
let testStoreMigrator: Migrator = {
    var migrator = Migrator()
    migrator.register("create marker", sql: "CREATE TABLE marker (store_id TEXT NOT NULL)")
    migrator.register("create visits", sql: "CREATE TABLE visits (thread INTEGER NOT NULL)")
    return migrator
}()

let prepareTestStore: @Sendable (Database) throws -> Void = { database in
    _ = try testStoreMigrator.migrate(database)
}

/// Writes the store's id into its marker table, as the app's seeding would write the owner.
func seedMarker(_ database: Database, _ store: StoreRecord) throws {
    try database.run("INSERT INTO marker (store_id) VALUES (?)", store.id)
}

/// A catalog, provisioner and clock over one temporary data folder.
struct TestPlatform {
    let directory: TemporaryDirectory
    let clock: SettableClock
    let catalog: Catalog
    let provisioner: Provisioner

    init(pool: StoreDatabasePool? = nil) throws {
        directory = try TemporaryDirectory()
        clock = SettableClock(Date(timeIntervalSince1970: 1_767_225_600))
        catalog = try Catalog(dataDirectory: directory.dataDirectory, platformDomain: testPlatformDomain, clock: clock)
        provisioner = Provisioner(catalog: catalog, dataDirectory: directory.dataDirectory, pool: pool, logger: .silent, prepare: prepareTestStore)
    }

    var dataDirectory: DataDirectory { directory.dataDirectory }

    @discardableResult
    func createStore(_ slug: String, plan: Plan = .plus) throws -> StoreRecord {
        try provisioner.create(slug: slug, name: "Store \(slug)", ownerEmail: "owner@\(slug).example", plan: plan, setUp: seedMarker)
    }

    /// Opens a second catalog on the same file, as the command line does while the server runs.
    func openSecondCatalog() throws -> Catalog {
        try Catalog(dataDirectory: dataDirectory, platformDomain: testPlatformDomain, clock: clock)
    }
}

/// Reads the marker of a store database.
func readMarker(_ queue: DatabaseQueue) throws -> String? {
    try queue.read { database in
        try database.scalar("SELECT store_id FROM marker", as: String.self)
    }
}

/// Writes `count` store files with ids, markers and schema, by copying one prepared file,
/// which is much faster than provisioning each. No catalog rows are written.
func makeStoreFiles(_ count: Int, in dataDirectory: DataDirectory) throws -> [String] {
    let template = dataDirectory.root.appendingPathComponent("template.sqlite").path
    let database = try Database(path: template)
    _ = try testStoreMigrator.migrate(database)
    try database.run("INSERT INTO marker (store_id) VALUES ('template')")
    // Switching back to a rollback journal leaves one self-contained file to copy.
    try database.execute("PRAGMA journal_mode=DELETE")
    try database.close()

    var ids: [String] = []
    for _ in 0..<count {
        let id = StoreID.generate()
        try FileManager.default.createDirectory(at: dataDirectory.storeFilesFolder(id), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: template, toPath: dataDirectory.storeDatabasePath(id))
        ids.append(id)
    }
    return ids
}

/// Counts this process's open file descriptors whose target lies under `folder`, read
/// from /proc/self/fd, so that descriptors of tests running in parallel are not counted.
func openDescriptorCount(under folder: URL) -> Int {
    let prefix = folder.resolvingSymlinksInPath().path
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    var count = 0
    for entry in entries {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"), target.hasPrefix(prefix) {
            count += 1
        }
    }
    return count
}
