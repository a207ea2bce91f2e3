import CSQLite
import Foundation
import Testing
@testable import SQLite

@Suite struct DatabaseQueueTests {
    @Test func manyThreadsShareOneConnection() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            try queue.writeWithoutTransaction { database in
                try database.execute("CREATE TABLE counter(id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);")
                try database.execute("CREATE TABLE checkout(id INTEGER PRIMARY KEY, thread INTEGER NOT NULL)")
            }
            let errors = ErrorCollector()
            let threads = 8
            let rounds = 100

            runOnThreads(threads) { index in
                for _ in 0..<rounds {
                    do {
                        try queue.write { database in
                            let value = try database.scalar("SELECT value FROM counter WHERE id = 1", as: Int.self) ?? 0
                            try database.run("UPDATE counter SET value = ? WHERE id = 1", value + 1)
                            try database.run("INSERT INTO checkout(thread) VALUES (?)", index)
                        }
                        let seen = try queue.read { database in
                            try database.scalar("SELECT value FROM counter WHERE id = 1", as: Int.self) ?? 0
                        }
                        if seen < 1 { errors.record(SQLiteError.misuse("read saw \(seen) after a write")) }
                    } catch {
                        errors.record(error)
                    }
                }
            }

            #expect(errors.all.isEmpty)
            let total = try queue.read { try $0.scalar("SELECT value FROM counter", as: Int.self) }
            #expect(total == threads * rounds)
            let checkouts = try queue.read { try $0.scalar("SELECT count(*) FROM checkout", as: Int.self) }
            #expect(checkouts == threads * rounds)
        }
    }

    @Test func writeRollsBackOnThrow() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            try queue.writeWithoutTransaction { try $0.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)") }
            #expect(throws: SQLiteError.self) {
                try queue.write { database in
                    try database.run("INSERT INTO item DEFAULT VALUES")
                    try database.run("INSERT INTO missing DEFAULT VALUES")
                }
            }
            #expect(try queue.read { try $0.scalar("SELECT count(*) FROM item", as: Int.self) } == 0)
        }
    }

    @Test func readRejectsWrites() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            try queue.writeWithoutTransaction { try $0.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)") }
            let error = #expect(throws: SQLiteError.self) {
                try queue.read { database in
                    try database.run("INSERT INTO item DEFAULT VALUES")
                }
            }
            #expect(error?.resultCode == SQLITE_READONLY)
            #expect(error?.message.contains("DatabaseQueue.write") == true)
            #expect(throws: SQLiteError.self) {
                try queue.read { try $0.execute("DELETE FROM item") }
            }
            // Writes work again once the read has ended.
            try queue.write { try $0.run("INSERT INTO item DEFAULT VALUES") }
            #expect(try queue.read { try $0.scalar("SELECT count(*) FROM item", as: Int.self) } == 1)
        }
    }

    @Test func readWithoutTransactionRejectsWrites() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            try queue.writeWithoutTransaction { try $0.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)") }
            let version = try queue.readWithoutTransaction { database in
                #expect(!database.isInTransaction)
                return try database.scalar("PRAGMA data_version", as: Int64.self)
            }
            #expect(version != nil)
            let error = #expect(throws: SQLiteError.self) {
                try queue.readWithoutTransaction { try $0.run("INSERT INTO item DEFAULT VALUES") }
            }
            #expect(error?.resultCode == SQLITE_READONLY)
            #expect(try queue.read { try $0.scalar("SELECT count(*) FROM item", as: Int.self) } == 0)
        }
    }

    @Test func readSeesOneSnapshot() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("store.sqlite").path
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { try $0.execute("CREATE TABLE item(id INTEGER PRIMARY KEY); INSERT INTO item DEFAULT VALUES;") }
            let other = try Database(path: path)

            let counts = try queue.read { database -> [Int] in
                let before = try database.scalar("SELECT count(*) FROM item", as: Int.self) ?? 0
                try other.run("INSERT INTO item DEFAULT VALUES")
                let after = try database.scalar("SELECT count(*) FROM item", as: Int.self) ?? 0
                return [before, after]
            }
            #expect(counts == [1, 1])
            #expect(try queue.read { try $0.scalar("SELECT count(*) FROM item", as: Int.self) } == 2)
        }
    }

    @Test func nestedCallThrowsInsteadOfDeadlocking() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            let error = #expect(throws: SQLiteError.self) {
                try queue.write { _ in
                    try queue.read { _ in }
                }
            }
            #expect(error?.message.contains("from inside one of its own") == true)
            // The queue is usable afterwards.
            #expect(try queue.read { try $0.scalar("SELECT 1", as: Int.self) } == 1)
        }
    }

    @Test func closeThenUseThrows() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            try queue.close()
            let error = #expect(throws: SQLiteError.self) {
                try queue.read { try $0.scalar("SELECT 1", as: Int.self) }
            }
            #expect(error?.resultCode == SQLITE_MISUSE)
        }
    }
}
