import Foundation
import SQLite
import Synchronization
import Testing
@testable import Tenancy

@Suite struct StoreDatabasePoolTests {
    private func makePool(_ dataDirectory: DataDirectory, maximum: Int, prepare: @escaping @Sendable (Database) throws -> Void = prepareTestStore) -> StoreDatabasePool {
        StoreDatabasePool(dataDirectory: dataDirectory, maximumOpenStores: maximum, descriptorLimit: nil, logger: .silent, prepare: prepare)
    }

    @Test func poolOfEightServesFiftyStoresFromThreads() throws {
        let platform = try TestPlatform()
        var stores: [StoreRecord] = []
        for index in 0..<50 {
            stores.append(try platform.createStore("store\(index)"))
        }
        let pool = makePool(platform.dataDirectory, maximum: 8)
        let ids = stores.map(\.id)
        let wrongMarkers = Mutex(0)
        let failures = Mutex<[String]>([])
        let visitsPerStore = Mutex<[String: Int]>([:])

        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<150 {
                let id = ids.randomElement(using: &generator)!
                do {
                    try pool.withStore(id) { queue in
                        if try readMarker(queue) != id {
                            wrongMarkers.withLock { $0 += 1 }
                        }
                        try queue.write { database in
                            try database.run("INSERT INTO visits (thread) VALUES (?)", thread)
                        }
                    }
                    visitsPerStore.withLock { $0[id, default: 0] += 1 }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }

        #expect(failures.withLock { $0 } == [])
        #expect(wrongMarkers.withLock { $0 } == 0)
        let statistics = pool.statistics
        #expect(statistics.currentlyOpen <= 8)
        #expect(statistics.peakOpen <= 8)
        #expect(statistics.hits + statistics.opens == 600)
        #expect(statistics.evictions == statistics.opens - statistics.currentlyOpen)

        // Every write landed in the file of the store it was meant for.
        let expected = visitsPerStore.withLock { $0 }
        for id in ids {
            let count = try pool.withStore(id) { queue in
                try queue.read { try $0.scalar("SELECT count(*) FROM visits", as: Int.self) ?? 0 }
            }
            #expect(count == expected[id, default: 0], "\(id)")
        }
    }

    @Test func evictionNeverClosesStoreInUse() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(6, in: directory.dataDirectory)
        let pool = makePool(directory.dataDirectory, maximum: 2)
        let held = DispatchSemaphore(value: 0)
        let finish = DispatchSemaphore(value: 0)
        let markerAfterEvictions = Mutex<String?>(nil)

        let holder = Thread {
            try? pool.withStore(ids[0]) { queue in
                held.signal()
                finish.wait()
                markerAfterEvictions.withLock { $0 = try? readMarker(queue) }
            }
            held.signal()
        }
        holder.start()
        held.wait()

        // Five other stores pass through a pool of two while the first is in use.
        for id in ids.dropFirst() {
            let marker = try pool.withStore(id) { try readMarker($0) }
            #expect(marker == "template")
        }
        #expect(pool.statistics.evictions >= 4)

        finish.signal()
        held.wait()
        #expect(markerAfterEvictions.withLock { $0 } == "template")
        let opensBefore = pool.statistics.opens
        _ = try pool.withStore(ids[0]) { try readMarker($0) }
        // The store in use was never closed, so using it again was a hit, not a reopen.
        #expect(pool.statistics.opens == opensBefore)
    }

    @Test func allStoresInUseExceedLimitThenShrink() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(3, in: directory.dataDirectory)
        let pool = makePool(directory.dataDirectory, maximum: 1)
        let inside = DispatchSemaphore(value: 0)
        let leave = DispatchSemaphore(value: 0)

        for id in ids {
            Thread {
                try? pool.withStore(id) { _ in
                    inside.signal()
                    leave.wait()
                }
                inside.signal()
            }.start()
        }
        for _ in ids { inside.wait() }
        #expect(pool.statistics.currentlyOpen == 3)
        #expect(pool.statistics.evictions == 0)

        for _ in ids { leave.signal() }
        for _ in ids { inside.wait() }
        #expect(pool.statistics.currentlyOpen == 1)
        #expect(pool.statistics.peakOpen == 3)
        #expect(pool.statistics.evictions == 2)
    }

    @Test func missingFileIsUnavailableAndNotCreated() throws {
        let directory = try TemporaryDirectory()
        let pool = makePool(directory.dataDirectory, maximum: 4)
        let unknownID = StoreID.generate()
        let path = directory.dataDirectory.storeDatabasePath(unknownID)

        #expect(throws: StoreUnavailable(storeID: unknownID, reason: .missingFile(path: path))) {
            try pool.withStore(unknownID) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: directory.dataDirectory.storeFolder(unknownID).path))

        // A folder whose file was lost is no different.
        try FileManager.default.createDirectory(at: directory.dataDirectory.storeFolder(unknownID), withIntermediateDirectories: true)
        #expect(throws: StoreUnavailable(storeID: unknownID, reason: .missingFile(path: path))) {
            try pool.withStore(unknownID) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(pool.statistics.currentlyOpen == 0)
    }

    @Test func invalidIDIsRejectedBeforeAnyPath() throws {
        let directory = try TemporaryDirectory()
        let pool = makePool(directory.dataDirectory, maximum: 4)
        for id in ["../../etc", "st_", "st_AAAAAAAAAAAAAAAA", "st_aaaaaaaaaaaaaaa/", "", "st_aaaaaaaaaaaaaaaaa"] {
            #expect(throws: StoreUnavailable(storeID: id, reason: .invalidID), "\(id)") {
                try pool.withStore(id) { _ in }
            }
        }
    }

    @Test func fileThatIsNoDatabaseIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(1, in: directory.dataDirectory)
        let path = directory.dataDirectory.storeDatabasePath(ids[0])
        try FileManager.default.removeItem(atPath: path)
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let pool = makePool(directory.dataDirectory, maximum: 4)

        do {
            try pool.withStore(ids[0]) { _ in }
            Issue.record("a file of letters opened as a database")
        } catch let error as StoreUnavailable {
            guard case .unreadable(let reportedPath, _) = error.reason else {
                Issue.record("expected .unreadable, got \(error.reason)")
                return
            }
            #expect(reportedPath == path)
            #expect(error.description.contains("Restore the file from a backup"))
        }
        #expect(pool.statistics.currentlyOpen == 0)
    }

    @Test func failedPreparationIsUnavailable() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(1, in: directory.dataDirectory)
        struct Refusal: Error {}
        let pool = makePool(directory.dataDirectory, maximum: 4) { _ in throw Refusal() }
        do {
            try pool.withStore(ids[0]) { _ in }
            Issue.record("a failing preparation was ignored")
        } catch let error as StoreUnavailable {
            guard case .preparationFailed = error.reason else {
                Issue.record("expected .preparationFailed, got \(error.reason)")
                return
            }
        }
        #expect(pool.statistics.currentlyOpen == 0)
    }

    @Test func concurrentFirstUsesOpenOnce() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(1, in: directory.dataDirectory)
        let preparations = Atomic<Int>(0)
        let pool = makePool(directory.dataDirectory, maximum: 4) { database in
            preparations.add(1, ordering: .relaxed)
            // A slow preparation makes the other callers arrive while it runs.
            Thread.sleep(forTimeInterval: 0.2)
            try prepareTestStore(database)
        }

        let markers = Mutex<[String?]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let marker = try? pool.withStore(ids[0]) { try readMarker($0) }
            markers.withLock { $0.append(marker) }
        }
        #expect(preparations.load(ordering: .relaxed) == 1)
        #expect(pool.statistics.opens == 1)
        #expect(markers.withLock { $0 } == Array(repeating: "template", count: 6))
    }

    @Test func deletedStoreIsClosedAndRejected() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        let pool = makePool(platform.dataDirectory, maximum: 4)
        let provisioner = Provisioner(catalog: platform.catalog, dataDirectory: platform.dataDirectory, pool: pool, logger: .silent, prepare: prepareTestStore)
        #expect(try pool.withStore(store.id) { try readMarker($0) } == store.id)

        try provisioner.delete(store.id)
        #expect(pool.statistics.currentlyOpen == 0)
        #expect(throws: StoreUnavailable(storeID: store.id, reason: .deleted)) {
            try pool.withStore(store.id) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: platform.dataDirectory.storeFolder(store.id).path))
    }

    @Test(arguments: [
        // requested, soft limit, reserved, effective
        (256, Optional(1024), Optional<Int>.none, 256),
        (10_000, 1024, nil, 256),
        (256, 512, nil, 85),
        (256, 100, nil, 16),
        (10, 1024, nil, 10),
        (256, 1, nil, 1),
        (256, 4096, 1000, 256),
        (2000, 4096, 1000, 1032),
        (300, nil, nil, 300),
    ])
    func descriptorBudgetFromLimit(requested: Int, softLimit: Int?, reserved: Int?, effective: Int) {
        let budget = DescriptorBudget(requested: requested, softLimit: softLimit, reserved: reserved)
        #expect(budget.effective == effective)
    }

    @Test func poolLogsItsLimit() throws {
        let directory = try TemporaryDirectory()
        let lines = Mutex<[String]>([])
        let pool = StoreDatabasePool(
            dataDirectory: directory.dataDirectory,
            maximumOpenStores: 10_000,
            descriptorLimit: 1024,
            logger: TenancyLogger { event in lines.withLock { $0.append(TenancyLogger.formatLine(event)) } },
            prepare: prepareTestStore
        )
        #expect(pool.maximumOpenStores == 256)
        #expect(lines.withLock { $0 } == ["event=store_pool.limit requested=10000 descriptor_limit=1024 reserved_descriptors=256 max_open_stores=256 read_connections=0"])
        #expect(pool.readConnections.total == 0)
    }

    /// Read connections take only the descriptors that the requested stores leave, and
    /// those are then kept out of the stores' budget.
    @Test(arguments: [
        // limit, requested stores, read connections, reserved descriptors, max open stores
        (1024, 256, 0, 256, 256),
        (1050, 256, 13, 256 + 26, 256),
        (1100, 256, 32, 256 + 64, 256),
        (2000, 100, 32, 256 + 64, 100),
        (20_000, 256, 32, 256 + 64, 256),
    ])
    func readConnectionsFitTheDescriptorLimit(limit: Int, requested: Int, readConnections: Int, reserved: Int, maxOpen: Int) throws {
        let directory = try TemporaryDirectory()
        let pool = StoreDatabasePool(
            dataDirectory: directory.dataDirectory,
            maximumOpenStores: requested,
            descriptorLimit: limit,
            logger: TenancyLogger { _ in },
            prepare: prepareTestStore
        )
        #expect(pool.readConnections.total == readConnections)
        #expect(pool.readConnections.perQueue == 1)
        #expect(pool.budget.reserved == reserved)
        #expect(pool.maximumOpenStores == maxOpen)
        let storeDescriptors = DescriptorBudget.descriptorsPerStore * (pool.budget.capacity ?? 0)
        #expect(storeDescriptors + 2 * readConnections + 256 <= limit)
    }

    @Test func manyStoresStayWithinDescriptorBudget() throws {
        let directory = try TemporaryDirectory()
        // Each store is used once, from two threads, under a limit of at most 1,024
        // descriptors: far more stores than fit at once. The process's own limit is used
        // when it is lower, so running under `ulimit -n 1024` tests the real limit.
        // STOREFLEET_POOL_TEST_STORES raises the count, for example to 10000.
        let storeCount = ProcessInfo.processInfo.environment["STOREFLEET_POOL_TEST_STORES"].flatMap(Int.init) ?? 1_000
        let descriptorLimit = min(DescriptorBudget.currentSoftLimit() ?? 1024, 1024)
        let ids = try makeStoreFiles(storeCount, in: directory.dataDirectory)
        let pool = StoreDatabasePool(
            dataDirectory: directory.dataDirectory,
            maximumOpenStores: 10_000,
            descriptorLimit: descriptorLimit,
            logger: .silent,
            prepare: prepareTestStore
        )
        let storesFolder = directory.dataDirectory.storesFolder
        let peakDescriptors = Atomic<Int>(0)
        let failures = Atomic<Int>(0)

        DispatchQueue.concurrentPerform(iterations: 2) { half in
            for (index, id) in ids.enumerated() where index % 2 == half {
                do {
                    let marker = try pool.withStore(id) { try readMarker($0) }
                    if marker != "template" { failures.add(1, ordering: .relaxed) }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
                if index % 50 == half {
                    let count = openDescriptorCount(under: storesFolder)
                    peakDescriptors.max(count, ordering: .relaxed)
                }
            }
        }

        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(pool.statistics.peakOpen <= 256)
        #expect(pool.statistics.currentlyOpen == 256)
        let peak = peakDescriptors.load(ordering: .relaxed)
        #expect(peak > 0)
        // The count is sampled from /proc while the other thread may be between closing
        // the least recently used store and opening its next one, so each of the two
        // threads may hold one store's descriptors in flight beyond the budget.
        #expect(peak <= (256 + 2) * DescriptorBudget.descriptorsPerStore)
        pool.closeIdleStores()
        #expect(openDescriptorCount(under: storesFolder) == 0)
    }

    @Test func evictedStoresAreClosedByShutdown() throws {
        let directory = try TemporaryDirectory()
        let ids = try makeStoreFiles(30, in: directory.dataDirectory)
        // No descriptor limit, so evicted stores may be closed in the background.
        let pool = makePool(directory.dataDirectory, maximum: 2)
        for id in ids {
            #expect(try pool.withStore(id) { try readMarker($0) } == "template")
        }
        let statistics = pool.statistics
        #expect(statistics.currentlyOpen == 2)
        #expect(statistics.evictions == 28)

        pool.closeIdleStores()
        #expect(pool.statistics.currentlyOpen == 0)
        #expect(openDescriptorCount(under: directory.dataDirectory.storesFolder) == 0)
    }

    @Test func budgetCapacityIsWhatFits() {
        #expect(DescriptorBudget(requested: 256, softLimit: 1344, reserved: nil).capacity == 362)
        #expect(DescriptorBudget(requested: 10_000, softLimit: 1024, reserved: nil).capacity == 256)
        #expect(DescriptorBudget(requested: 256, softLimit: 1, reserved: nil).capacity == 1)
        #expect(DescriptorBudget(requested: 256, softLimit: nil, reserved: nil).capacity == nil)
    }
}
