import Foundation
import Testing
@testable import SQLite

@Suite struct StatementCacheTests {
    @Test func sameSQLReusesStatement() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            let before = database.statementCacheStatistics

            let sql = "INSERT INTO item(name) VALUES (?)"
            try database.run(sql, "a")
            let first = try database.statementCache.checkout(sql) { try database.prepare(sql) }
            database.statementCache.checkin(first)
            try database.run(sql, "b")
            let second = try database.statementCache.checkout(sql) { try database.prepare(sql) }
            database.statementCache.checkin(second)

            #expect(first.statement === second.statement)
            #expect(first.statement.handle == second.statement.handle)
            let after = database.statementCacheStatistics
            #expect(after.misses - before.misses == 1)
            #expect(after.hits - before.hits == 3)
        }
    }

    @Test func leastRecentlyUsedIsEvicted() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory, configuration: .init(statementCacheCapacity: 2))
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)")
            let base = database.statementCacheStatistics

            _ = try database.scalar("SELECT 1", as: Int.self)
            _ = try database.scalar("SELECT 2", as: Int.self)
            _ = try database.scalar("SELECT 1", as: Int.self)   // hit; SELECT 2 is now the oldest
            _ = try database.scalar("SELECT 3", as: Int.self)   // evicts SELECT 2
            _ = try database.scalar("SELECT 1", as: Int.self)   // hit
            _ = try database.scalar("SELECT 2", as: Int.self)   // miss again

            let statistics = database.statementCacheStatistics
            #expect(statistics.count == 2)
            #expect(statistics.hits - base.hits == 2)
            #expect(statistics.misses - base.misses == 4)
        }
    }

    @Test func nestedUseOfSameSQL() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, parent INTEGER)")
            try database.execute("INSERT INTO item(id, parent) VALUES (1, NULL), (2, 1), (3, 1), (4, 2)")

            let sql = "SELECT id FROM item WHERE parent IS ? ORDER BY id"
            let tree = try database.query(sql, 1) { row -> String in
                let id: Int = try row.get("id")
                let children = try database.query(sql, id) { try $0.get("id", as: Int.self) }
                return "\(id):\(children)"
            }
            #expect(tree == ["2:[4]", "3:[]"])
            #expect(database.statementCacheStatistics.count >= 1)
        }
    }

    @Test func statementsSurviveSchemaChanges() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)")
            try database.run("INSERT INTO item DEFAULT VALUES")
            #expect(try database.queryFirst("SELECT * FROM item") { $0.columnNames } == ["id"])

            try database.execute("ALTER TABLE item ADD COLUMN name TEXT DEFAULT 'x'")
            #expect(try database.queryFirst("SELECT * FROM item") { $0.columnNames } == ["id", "name"])
        }
    }

    @Test func preparedStatementOutsideCache() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            let insert = try database.prepare("INSERT INTO item(name) VALUES (:name)")
            for name in ["a", "b", "c"] {
                try insert.bind(StatementArguments(named: ["name": name]))
                #expect(try insert.step() == false)
                insert.reset()
            }
            let select = try database.prepare("SELECT id, name FROM item ORDER BY id")
            var rows: [Row] = []
            while try select.step() {
                rows.append(select.currentRow())
            }
            #expect(rows.map { $0[1] } == [.text("a"), .text("b"), .text("c")])
            #expect(select.columnNames == ["id", "name"])
            #expect(select.isReadOnly)
            #expect(!insert.isReadOnly)
        }
    }
}
