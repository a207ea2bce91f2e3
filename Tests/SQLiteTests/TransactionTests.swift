import CSQLite
import Foundation
import Synchronization
import Testing
@testable import SQLite

private struct CheckoutFailed: Error {}

@Suite struct TransactionTests {
    private func count(_ database: Database) throws -> Int {
        try database.scalar("SELECT count(*) FROM item", as: Int.self) ?? -1
    }

    @Test func commitsOnReturn() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            let id = try database.transaction { database -> Int64 in
                #expect(database.isInTransaction)
                try database.run("INSERT INTO item(name) VALUES (?)", "mug")
                return database.lastInsertRowID
            }
            #expect(id == 1)
            #expect(!database.isInTransaction)

            // Visible to another connection, so it was committed.
            let other = try openDatabase(directory)
            #expect(try count(other) == 1)
        }
    }

    @Test func rollsBackAndRethrows() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            #expect(throws: CheckoutFailed.self) {
                try database.transaction { database in
                    try database.run("INSERT INTO item(name) VALUES (?)", "mug")
                    throw CheckoutFailed()
                }
            }
            #expect(!database.isInTransaction)
            #expect(try count(database) == 0)
        }
    }

    @Test func rollsBackOnConstraintViolation() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            let error = #expect(throws: SQLiteError.self) {
                try database.transaction { database in
                    try database.run("INSERT INTO item(name) VALUES (?)", "first")
                    try database.run("INSERT INTO item(name) VALUES (?)", nil)
                }
            }
            #expect(error?.isConstraintViolation == true)
            #expect(try count(database) == 0)
        }
    }

    @Test func nestedSavepointRollsBackOnlyInner() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            try database.transaction { database in
                try database.run("INSERT INTO item(name) VALUES (?)", "outer")
                #expect(throws: CheckoutFailed.self) {
                    try database.transaction { database in
                        try database.run("INSERT INTO item(name) VALUES (?)", "inner")
                        throw CheckoutFailed()
                    }
                }
                try database.transaction { database in
                    try database.run("INSERT INTO item(name) VALUES (?)", "kept")
                    try database.transaction { database in
                        try database.run("INSERT INTO item(name) VALUES (?)", "deepest")
                    }
                }
                #expect(database.isInTransaction)
            }
            let names = try database.query("SELECT name FROM item ORDER BY id") { try $0.get(0, as: String.self) }
            #expect(names == ["outer", "kept", "deepest"])
        }
    }

    @Test func outerRollbackUndoesReleasedSavepoints() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            #expect(throws: CheckoutFailed.self) {
                try database.transaction { database in
                    try database.transaction { database in
                        try database.run("INSERT INTO item(name) VALUES (?)", "inner")
                    }
                    throw CheckoutFailed()
                }
            }
            #expect(try count(database) == 0)
            #expect(database.savepointDepth == 0)
        }
    }

    @Test func bodyThatEndsTransactionIsAnError() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)")
            let error = #expect(throws: SQLiteError.self) {
                try database.transaction { database in
                    try database.execute("INSERT INTO item DEFAULT VALUES; COMMIT")
                }
            }
            #expect(error?.message.contains("ended inside its body") == true)
            #expect(!database.isInTransaction)
        }
    }

    @Test func immediateWaitsForOtherWriter() throws {
        try withTemporaryDirectory { directory in
            let setup = try openDatabase(directory)
            try setup.execute("CREATE TABLE counter(id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);")

            let first = try openDatabase(directory)
            let second = try openDatabase(directory)
            let errors = ErrorCollector()
            let firstHoldsLock = DispatchSemaphore(value: 0)
            let secondWaited = Mutex<Double>(0)

            runOnThreads(2) { index in
                do {
                    if index == 0 {
                        try first.transaction(.immediate) { database in
                            let value = try database.scalar("SELECT value FROM counter WHERE id = 1", as: Int.self) ?? 0
                            firstHoldsLock.signal()
                            Thread.sleep(forTimeInterval: 0.3)
                            try database.run("UPDATE counter SET value = ? WHERE id = 1", value + 1)
                        }
                    } else {
                        firstHoldsLock.wait()
                        let start = ContinuousClock.now
                        // Read, then write: the upgrade that fails under DEFERRED.
                        try second.transaction(.immediate) { database in
                            let value = try database.scalar("SELECT value FROM counter WHERE id = 1", as: Int.self) ?? 0
                            try database.run("UPDATE counter SET value = ? WHERE id = 1", value + 1)
                        }
                        secondWaited.withLock { $0 = secondsSince(start) }
                    }
                } catch {
                    errors.record(error)
                }
            }

            #expect(errors.all.isEmpty)
            #expect(try setup.scalar("SELECT value FROM counter", as: Int.self) == 2)
            // The second BEGIN IMMEDIATE slept in the busy handler until the first committed.
            #expect(secondWaited.withLock { $0 } >= 0.2)
        }
    }

    @Test func deferredUpgradeFailsWithoutWaiting() throws {
        try withTemporaryDirectory { directory in
            let setup = try openDatabase(directory)
            try setup.execute("CREATE TABLE counter(id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);")
            let reader = try openDatabase(directory)
            let writer = try openDatabase(directory)

            let start = ContinuousClock.now
            let error = #expect(throws: SQLiteError.self) {
                try reader.transaction(.deferred) { database in
                    _ = try database.scalar("SELECT value FROM counter", as: Int.self)
                    try writer.run("UPDATE counter SET value = 10")
                    try database.run("UPDATE counter SET value = value + 1")
                }
            }
            // SQLITE_BUSY_SNAPSHOT: the snapshot is older than the writer's commit, so waiting
            // cannot help and the 5 s busy timeout is skipped.
            #expect(error?.extendedResultCode == 517)
            #expect(error?.isBusy == true)
            #expect(secondsSince(start) < 2)
            #expect(!reader.isInTransaction)
            #expect(try setup.scalar("SELECT value FROM counter", as: Int.self) == 10)
        }
    }

    @Test func busyTimeoutExpires() throws {
        try withTemporaryDirectory { directory in
            let holder = try openDatabase(directory)
            try holder.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)")
            let impatient = try openDatabase(directory, configuration: .init(busyTimeout: .milliseconds(100)))

            try holder.transaction { _ in
                let start = ContinuousClock.now
                let error = #expect(throws: SQLiteError.self) {
                    try impatient.transaction { database in
                        try database.run("INSERT INTO item DEFAULT VALUES")
                    }
                }
                #expect(error?.isBusy == true)
                #expect(error?.sql == "BEGIN IMMEDIATE")
                #expect(secondsSince(start) >= 0.09)
            }
        }
    }
}
