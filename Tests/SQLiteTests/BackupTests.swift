import CSQLite
import Foundation
import Synchronization
import Testing
@testable import SQLite

private struct BackupCancelled: Error {}

@Suite struct BackupTests {
    /// Creates a store with enough rows to span a few hundred pages.
    private func makeStore(_ directory: URL) throws -> Database {
        let database = try openDatabase(directory)
        try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        try database.transaction { database in
            for index in 0..<2000 {
                try database.run("INSERT INTO item(body) VALUES (?)", String(repeating: "item \(index) ", count: 20))
            }
        }
        return database
    }

    private func rows(_ database: Database) throws -> [String] {
        try database.query("SELECT id, body FROM item ORDER BY id") { row in
            "\(try row.get("id", as: Int.self)):\(try row.get("body", as: String.self))"
        }
    }

    private func listing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func copyMatchesSnapshotWhileAnotherConnectionWrites() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let expected = try rows(source)
            let writer = try openDatabase(directory)
            let target = directory.appendingPathComponent("backup.sqlite").path

            var updates: [BackupProgress] = []
            let final = try source.backup(to: target, pagesPerStep: 16) { progress in
                updates.append(progress)
                // A commit from another connection between steps neither blocks nor restarts
                // the copy, and does not appear in it.
                try writer.run("INSERT INTO item(body) VALUES (?)", "written during backup")
            }

            #expect(updates.count > 5)
            #expect(updates.map(\.copiedPageCount) == updates.map(\.copiedPageCount).sorted())
            #expect(updates.last == final)
            #expect(final.copiedPageCount == final.totalPageCount)
            #expect(try writer.scalar("SELECT count(*) FROM item WHERE body = 'written during backup'", as: Int.self) == updates.count)

            let copy = try Database(path: target, configuration: .init(accessMode: .readOnly))
            #expect(try copy.scalar("PRAGMA integrity_check", as: String.self) == "ok")
            #expect(try rows(copy) == expected)
        }
    }

    @Test func copyIsConsistentWithConcurrentWriterThread() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let writer = try openDatabase(directory)
            let target = directory.appendingPathComponent("backup.sqlite").path
            let stop = Atomic<Bool>(false)
            let errors = ErrorCollector()
            let writes = Atomic<Int>(0)

            runOnThreads(2) { index in
                do {
                    if index == 0 {
                        while !stop.load(ordering: .acquiring) {
                            try writer.transaction { database in
                                try database.run("INSERT INTO item(body) VALUES (?)", "concurrent")
                            }
                            writes.add(1, ordering: .relaxed)
                        }
                    } else {
                        defer { stop.store(true, ordering: .releasing) }
                        try source.backup(to: target, pagesPerStep: 8) { _ in
                            Thread.sleep(forTimeInterval: 0.001)
                        }
                    }
                } catch {
                    errors.record(error)
                }
            }

            #expect(errors.all.isEmpty)
            #expect(writes.load(ordering: .relaxed) > 0)
            let copy = try Database(path: target, configuration: .init(accessMode: .readOnly))
            #expect(try copy.scalar("PRAGMA integrity_check", as: String.self) == "ok")
            // The copy is a prefix of the source: every row it has is identical in the source.
            let copied = try rows(copy)
            let current = try rows(source)
            #expect(copied.count >= 2000)
            #expect(Array(current.prefix(copied.count)) == copied)
        }
    }

    @Test func cancelledBackupLeavesNothing() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let before = try listing(directory)
            let target = directory.appendingPathComponent("backup.sqlite").path

            var steps = 0
            #expect(throws: BackupCancelled.self) {
                try source.backup(to: target, pagesPerStep: 4) { _ in
                    steps += 1
                    if steps == 3 { throw BackupCancelled() }
                }
            }
            #expect(try listing(directory) == before)
            #expect(!source.isInTransaction)
        }
    }

    @Test func existingDestinationIsKeptUnlessReplacing() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let target = directory.appendingPathComponent("backup.sqlite")
            try Data("previous backup".utf8).write(to: target)

            let error = #expect(throws: SQLiteError.self) {
                try source.backup(to: target.path)
            }
            #expect(error?.message.contains("already exists") == true)
            #expect(try Data(contentsOf: target) == Data("previous backup".utf8))

            try source.backup(to: target.path, replacingExisting: true)
            let copy = try Database(path: target.path, configuration: .init(accessMode: .readOnly))
            #expect(try copy.scalar("SELECT count(*) FROM item", as: Int.self) == 2000)
        }
    }

    @Test func missingDestinationFolderFails() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let before = try listing(directory)
            let error = #expect(throws: SQLiteError.self) {
                try source.backup(to: directory.appendingPathComponent("absent/backup.sqlite").path)
            }
            #expect(error?.resultCode == SQLITE_CANTOPEN)
            #expect(try listing(directory) == before)
        }
    }

    @Test func backupInsideReadTransactionCopiesItsSnapshot() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let writer = try openDatabase(directory)
            let target = directory.appendingPathComponent("backup.sqlite").path
            try source.transaction(.deferred) { database in
                _ = try database.scalar("SELECT count(*) FROM item", as: Int.self)
                try writer.run("DELETE FROM item WHERE id > 10")
                try database.backup(to: target)
            }
            let copy = try Database(path: target, configuration: .init(accessMode: .readOnly))
            #expect(try copy.scalar("SELECT count(*) FROM item", as: Int.self) == 2000)
        }
    }

    @Test func backupInsideWriteTransactionFails() throws {
        try withTemporaryDirectory { directory in
            let source = try makeStore(directory)
            let before = try listing(directory)
            let target = directory.appendingPathComponent("backup.sqlite").path
            let start = ContinuousClock.now
            let error = #expect(throws: SQLiteError.self) {
                try source.transaction { database in
                    try database.run("DELETE FROM item WHERE id > 10")
                    try database.backup(to: target)
                }
            }
            #expect(error?.resultCode == SQLITE_LOCKED)
            #expect(error?.message.contains("commit first") == true)
            #expect(secondsSince(start) < 2)
            #expect(try listing(directory) == before)
            #expect(try source.scalar("SELECT count(*) FROM item", as: Int.self) == 2000)
        }
    }

    @Test func rollbackJournalBackupFinishesDespiteRestarts() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("legacy.sqlite").path
            // A file in rollback-journal mode, written through the C API because Database
            // always switches a writable file to WAL.
            var raw: OpaquePointer?
            #expect(sqlite3_open(path, &raw) == SQLITE_OK)
            defer { sqlite3_close(raw) }
            let script = """
                PRAGMA journal_mode=DELETE;
                CREATE TABLE item(id INTEGER PRIMARY KEY, body TEXT NOT NULL);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                INSERT INTO item(body) SELECT printf('%.200c', 'x') FROM n;
                """
            #expect(sqlite3_exec(raw, script, nil, nil, nil) == SQLITE_OK)

            let source = try Database(path: path, configuration: .init(accessMode: .readOnly))
            #expect(try source.scalar("PRAGMA journal_mode", as: String.self) == "delete")
            let target = directory.appendingPathComponent("backup.sqlite").path

            var steps = 0
            let final = try source.backup(to: target, pagesPerStep: 4) { _ in
                steps += 1
                // Stops the test instead of looping if restarts were never bounded.
                if steps > 200 { throw BackupCancelled() }
                // Every commit from another connection restarts a copy without WAL.
                #expect(sqlite3_exec(raw, "INSERT INTO item(body) VALUES ('during backup')", nil, nil, nil) == SQLITE_OK)
            }
            #expect(final.copiedPageCount == final.totalPageCount)

            let copy = try Database(path: target, configuration: .init(accessMode: .readOnly))
            #expect(try copy.scalar("PRAGMA integrity_check", as: String.self) == "ok")
            let copied = try copy.scalar("SELECT count(*) FROM item", as: Int.self) ?? 0
            // The copy contains the original rows plus the ones committed before the final step.
            #expect(copied >= 2000)
            #expect(copied <= 2000 + steps)
            #expect(steps < 20)
        }
    }
}
