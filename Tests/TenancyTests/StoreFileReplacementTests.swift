import Foundation
import SQLite
import Synchronization
import Testing
@testable import Tenancy

/// A store file replaced or removed on disk while the pool has it open, as a restore from
/// a backup does.
@Suite struct StoreFileReplacementTests {
    private func makePool(_ dataDirectory: DataDirectory) -> StoreDatabasePool {
        StoreDatabasePool(dataDirectory: dataDirectory, maximumOpenStores: 4, descriptorLimit: nil, logger: .silent, prepare: prepareTestStore)
    }

    /// Writes a copy of the store's file whose marker reads `marker`, then renames it over
    /// the store's path after removing the old `-wal` and `-shm` files, as a restore must.
    private func restore(_ storeID: String, marker: String, in dataDirectory: DataDirectory) throws {
        let path = dataDirectory.storeDatabasePath(storeID)
        let copy = dataDirectory.root.appendingPathComponent("restore-\(storeID).sqlite").path
        try FileManager.default.copyItem(atPath: dataDirectory.root.appendingPathComponent("template.sqlite").path, toPath: copy)
        let database = try Database(path: copy)
        try database.run("UPDATE marker SET store_id = ?", marker)
        try database.execute("PRAGMA journal_mode=DELETE")
        try database.close()

        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
        #expect(rename(copy, path) == 0, "rename failed with errno \(errno)")
    }

    @Test func replacedFileIsOpenedAgain() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(2, in: directory.dataDirectory)
        let pool = makePool(directory.dataDirectory)
        #expect(try pool.withStore(ids[0]) { try readMarker($0) } == "template")
        #expect(try pool.withStore(ids[1]) { try readMarker($0) } == "template")

        try restore(ids[0], marker: "restored", in: directory.dataDirectory)

        #expect(try pool.withStore(ids[0]) { try readMarker($0) } == "restored")
        #expect(try pool.withStore(ids[1]) { try readMarker($0) } == "template")
        let statistics = pool.statistics
        #expect(statistics.replacedFiles == 1)
        #expect(statistics.opens == 3)
        #expect(statistics.currentlyOpen == 2)

        // The new file is now the open one: further uses are hits.
        #expect(try pool.withStore(ids[0]) { try readMarker($0) } == "restored")
        #expect(pool.statistics.opens == 3)
        #expect(pool.statistics.replacedFiles == 1)
    }

    @Test func useInProgressKeepsOldFileUntilItEnds() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(1, in: directory.dataDirectory)
        let pool = makePool(directory.dataDirectory)
        let held = DispatchSemaphore(value: 0)
        let replaced = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let order = Atomic<Int>(0)
        let holderMarker = Mutex<String?>(nil)
        let holderEnd = Atomic<Int>(0)
        let laterMarker = Mutex<String?>(nil)
        let laterStart = Atomic<Int>(0)

        Thread {
            _ = try? pool.withStore(ids[0]) { queue in
                held.signal()
                replaced.wait()
                // Give the later use time to arrive and wait for this one.
                Thread.sleep(forTimeInterval: 0.2)
                holderMarker.withLock { $0 = try? readMarker(queue) }
                holderEnd.store(order.add(1, ordering: .relaxed).newValue, ordering: .relaxed)
            }
            done.signal()
        }.start()
        held.wait()

        try restore(ids[0], marker: "restored", in: directory.dataDirectory)
        Thread {
            _ = try? pool.withStore(ids[0]) { queue in
                laterStart.store(order.add(1, ordering: .relaxed).newValue, ordering: .relaxed)
                laterMarker.withLock { $0 = try? readMarker(queue) }
            }
            done.signal()
        }.start()
        replaced.signal()
        done.wait()
        done.wait()

        // The use that began before the restore went on with the file it had open.
        #expect(holderMarker.withLock { $0 } == "template")
        // The later use started only after it ended, on the restored file.
        #expect(laterMarker.withLock { $0 } == "restored")
        #expect(laterStart.load(ordering: .relaxed) > holderEnd.load(ordering: .relaxed))
        #expect(pool.statistics.replacedFiles == 1)
        #expect(pool.statistics.currentlyOpen == 1)
    }

    @Test func removedFileClosesStoreAndIsUnavailable() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(1, in: directory.dataDirectory)
        let pool = makePool(directory.dataDirectory)
        #expect(try pool.withStore(ids[0]) { try readMarker($0) } == "template")
        #expect(pool.statistics.currentlyOpen == 1)

        let folder = directory.dataDirectory.storeFolder(ids[0])
        try FileManager.default.removeItem(at: folder)
        let path = directory.dataDirectory.storeDatabasePath(ids[0])
        #expect(throws: StoreUnavailable(storeID: ids[0], reason: .missingFile(path: path))) {
            try pool.withStore(ids[0]) { try readMarker($0) }
        }
        #expect(pool.statistics.currentlyOpen == 0)
        #expect(pool.statistics.replacedFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: path), "the pool must not create the file again")
        #expect(throws: StoreUnavailable(storeID: ids[0], reason: .missingFile(path: path))) {
            try pool.withStore(ids[0]) { _ in }
        }
    }

    @Test func storePathMatchesDataDirectory() throws {
        let directory = try TemporaryDirectory()
        let pool = makePool(directory.dataDirectory)
        let id = StoreID.generate()
        #expect(pool.storeDatabasePath(id) == directory.dataDirectory.storeDatabasePath(id))
    }
}
