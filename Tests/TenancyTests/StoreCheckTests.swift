import Foundation
import SQLite
import Testing
@testable import Tenancy

@Suite struct StoreCheckTests {
    /// Leaves a store as a crash during creation would: a provisioning row and a folder
    /// with a file that setUp never finished.
    private func leaveHalfCreatedStore(_ platform: TestPlatform, slug: String) throws -> StoreRecord {
        let record = StoreRecord(
            id: StoreID.generate(), slug: slug, name: "Half", plan: .plus, status: .trialing,
            trialEndsAt: Trial.end(startingAt: platform.clock.now()), ownerEmail: "o@half.example",
            createdAt: platform.clock.now(), lastActiveAt: nil, state: .provisioning, damage: nil
        )
        try platform.catalog.insertProvisioningStore(record)
        try FileManager.default.createDirectory(at: platform.dataDirectory.storeFilesFolder(record.id), withIntermediateDirectories: true)
        let database = try Database(path: platform.dataDirectory.storeDatabasePath(record.id))
        try prepareTestStore(database)
        try database.close()
        return record
    }

    private func check(_ platform: TestPlatform, minimumAge: TimeInterval = 600) -> StoreCheck {
        StoreCheck(catalog: platform.catalog, dataDirectory: platform.dataDirectory, minimumAge: minimumAge, logger: .silent)
    }

    @Test func healthyPlatformIsClean() throws {
        let platform = try TestPlatform()
        try platform.createStore("alpha")
        try platform.createStore("bravo")
        let report = try check(platform).run(repair: true)
        #expect(report.findings == [])
        #expect(report.isClean)
        #expect(report.checkedStores == 2)
        #expect(report.checkedFolders == 2)
        #expect(report.description == "Checked 2 stores and 2 folders: 0 findings.")
    }

    @Test func halfCreatedStoreIsFoundThenRepaired() throws {
        let platform = try TestPlatform()
        let healthy = try platform.createStore("alpha")
        let half = try leaveHalfCreatedStore(platform, slug: "demo")
        platform.clock.advance(by: 3_600)

        let report = try check(platform).run(repair: false)
        #expect(report.findings.map(\.problem) == [.halfCreated])
        #expect(report.findings.first?.storeID == half.id)
        #expect(report.findings.first?.repaired == false)
        #expect(!report.isClean)
        // Without repair nothing changes.
        #expect(try platform.catalog.store(id: half.id) != nil)
        #expect(FileManager.default.fileExists(atPath: platform.dataDirectory.storeFolder(half.id).path))

        let repaired = try check(platform).run(repair: true)
        #expect(repaired.findings.map(\.problem) == [.halfCreated])
        #expect(repaired.findings.first?.repaired == true)
        #expect(try platform.catalog.store(id: half.id) == nil)
        #expect(!FileManager.default.fileExists(atPath: platform.dataDirectory.storeFolder(half.id).path))
        #expect(try platform.catalog.store(id: healthy.id) == healthy)
        // The address is free again and the next check is clean.
        #expect(try platform.createStore("demo").slug == "demo")
        #expect(try check(platform).run(repair: false).isClean)
    }

    @Test func halfCreatedRowWithoutFolderIsRepaired() throws {
        let platform = try TestPlatform()
        let half = try leaveHalfCreatedStore(platform, slug: "demo")
        try FileManager.default.removeItem(at: platform.dataDirectory.storeFolder(half.id))
        platform.clock.advance(by: 3_600)

        let report = try check(platform).run(repair: true)
        #expect(report.findings.map(\.problem) == [.halfCreated])
        #expect(try platform.catalog.storeCount() == 0)
    }

    @Test func creationInProgressIsLeftAlone() throws {
        let platform = try TestPlatform()
        let young = try leaveHalfCreatedStore(platform, slug: "demo")
        platform.clock.advance(by: 60)

        let report = try check(platform).run(repair: true)
        #expect(report.findings.map(\.problem) == [.creationInProgress])
        #expect(report.isClean)
        #expect(try platform.catalog.store(id: young.id)?.state == .provisioning)
        #expect(FileManager.default.fileExists(atPath: platform.dataDirectory.storeDatabasePath(young.id)))
    }

    @Test func missingFileMarksStoreDamagedUntilRestored() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        let path = platform.dataDirectory.storeDatabasePath(store.id)
        let backup = platform.dataDirectory.root.appendingPathComponent("backup.sqlite").path
        try FileManager.default.moveItem(atPath: path, toPath: backup)

        let report = try check(platform).run(repair: true)
        #expect(report.findings.map(\.problem) == [.missingFile(path: path)])
        #expect(report.findings.first?.action.contains("Restore \(path) from the latest backup") == true)
        let damaged = try #require(try platform.catalog.store(id: store.id))
        #expect(damaged.state == .damaged)
        #expect(damaged.damage?.contains("is missing") == true)
        // The file was not recreated.
        #expect(!FileManager.default.fileExists(atPath: path))

        // The resolver returns the damaged state, so the app can show "store unavailable".
        let resolver = HostResolver(catalog: platform.catalog)
        guard case .store(let resolved) = try resolver.resolve("demo.shop.test") else {
            Issue.record("a damaged store did not resolve")
            return
        }
        #expect(resolved.state == .damaged)

        // Still missing: reported again, not repaired.
        let again = try check(platform).run(repair: true)
        #expect(again.findings.map(\.repaired) == [false])

        try FileManager.default.moveItem(atPath: backup, toPath: path)
        let restored = try check(platform).run(repair: true)
        #expect(restored.findings.map(\.problem) == [.readableAgain])
        #expect(try platform.catalog.store(id: store.id)?.state == .ready)
        #expect(try platform.catalog.store(id: store.id)?.damage == nil)
    }

    @Test func unreadableFileIsReported() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        let path = platform.dataDirectory.storeDatabasePath(store.id)
        for suffix in ["-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: path))

        let report = try check(platform).run(repair: false)
        guard case .unreadableFile(let reportedPath, _) = report.findings.first?.problem else {
            Issue.record("expected an unreadable file, got \(report.findings)")
            return
        }
        #expect(reportedPath == path)
        #expect(try platform.catalog.store(id: store.id)?.state == .ready)

        // An empty file opens as an empty database, which no store ever is.
        try Data().write(to: URL(fileURLWithPath: path))
        let emptyReport = try check(platform).run(repair: true)
        #expect(emptyReport.findings.map(\.problem) == [.unreadableFile(path: path, detail: "the database has no tables")])
        #expect(try platform.catalog.store(id: store.id)?.state == .damaged)
    }

    @Test func orphanFolderIsMovedAside() throws {
        let platform = try TestPlatform()
        try platform.createStore("alpha")
        let orphanIDs = try makeStoreFiles(1, in: platform.dataDirectory)
        let orphan = platform.dataDirectory.storeFolder(orphanIDs[0])
        let stray = platform.dataDirectory.storesFolder.appendingPathComponent("notes.txt")
        try Data("keep".utf8).write(to: stray)

        // Young folders may belong to a creation or deletion in progress.
        let young = try check(platform).run(repair: true)
        #expect(young.findings.map(\.problem) == [.unexpectedEntry(path: stray.path)])
        #expect(FileManager.default.fileExists(atPath: orphan.path))

        let report = try check(platform, minimumAge: 0).run(repair: true)
        #expect(report.findings.map(\.problem) == [.unexpectedEntry(path: stray.path), .orphanFolder(path: orphan.path)])
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        let moved = platform.dataDirectory.orphansFolder.appendingPathComponent(orphanIDs[0])
        #expect(FileManager.default.fileExists(atPath: moved.appendingPathComponent("store.sqlite").path))
        #expect(FileManager.default.fileExists(atPath: stray.path))
        #expect(report.description.contains("Moved to \(moved.path)"))
    }
}

@Suite struct StoreCheckInvalidRowTests {
    @Test func rowWithMalformedIDIsReportedNotFollowed() throws {
        let platform = try TestPlatform()
        try platform.catalog.queue.write { database in
            try database.run("""
                INSERT INTO stores (id, slug, name, plan, status, owner_email, created_at, state)
                VALUES ('../../etc', 'bad', 'Bad', 'plus', 'active', 'o@bad.example', '2026-01-01 00:00:00.000', 'ready')
                """)
        }
        let report = try StoreCheck(catalog: platform.catalog, dataDirectory: platform.dataDirectory, logger: .silent).run(repair: true)
        #expect(report.findings.map(\.problem) == [.invalidStoreID])
        #expect(report.findings.first?.storeID == "../../etc")

        let results = try StoreMigrationRunner(catalog: platform.catalog, dataDirectory: platform.dataDirectory, logger: .silent)
            .run(migrate: { try testStoreMigrator.migrate($0) })
        guard case .failed(let message) = results.first?.outcome else {
            Issue.record("a malformed id was migrated")
            return
        }
        #expect(message.contains("not a valid store id"))
    }
}
