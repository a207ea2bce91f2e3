import CSQLite
import Foundation
import Testing
@testable import SQLite

@Suite struct ParameterTests {
    private func withItemTable(_ body: (Database) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
            try body(database)
        }
    }

    @Test func positionalParameters() throws {
        try withItemTable { database in
            try database.run("INSERT INTO item(name, price) VALUES (?, ?)", "mug", 1200)
            try database.run("INSERT INTO item(name, price) VALUES (?2, ?1)", 900, "cap")
            try database.run("INSERT INTO item(name, price) VALUES (?1, length(?1))", "shirt")
            try database.run("INSERT INTO item(name, price) VALUES (?, ?)", arguments: StatementArguments(["bag", nil]))
            let rows = try database.query("SELECT name, price FROM item ORDER BY id") { row in
                "\(try row.get("name", as: String.self)):\(try row.get("price", as: Int?.self).map(String.init) ?? "null")"
            }
            #expect(rows == ["mug:1200", "cap:900", "shirt:5", "bag:null"])
        }
    }

    @Test func namedParametersWithEveryPrefix() throws {
        try withItemTable { database in
            try database.run("INSERT INTO item(name, price) VALUES (:name, :price)", ["name": "mug", "price": 1200])
            try database.run("INSERT INTO item(name, price) VALUES (@name, @price)", ["name": "cap", "@price": 900])
            try database.run("INSERT INTO item(name, price) VALUES ($name, $price)", ["$name": "hat", "price": nil])
            // One name used twice is one parameter.
            try database.run("INSERT INTO item(name, price) VALUES (:name, length(:name))", ["name": "shirt"])

            let names = try database.query("SELECT name FROM item WHERE price >= :minimum ORDER BY id", ["minimum": 5]) { try $0.get(0, as: String.self) }
            #expect(names == ["mug", "cap", "shirt"])
            #expect(try database.scalar("SELECT count(*) FROM item WHERE price IS NULL AND name = :name", ["name": "hat"], as: Int.self) == 1)
        }
    }

    @Test func positionalArgumentsBindNamedParametersInOrder() throws {
        try withItemTable { database in
            try database.run("INSERT INTO item(name, price) VALUES (:name, :price)", "mug", 1200)
            #expect(try database.scalar("SELECT price FROM item WHERE name = 'mug'", as: Int.self) == 1200)
        }
    }

    @Test func tooFewOrTooManyArguments() throws {
        try withItemTable { database in
            let sql = "INSERT INTO item(name, price) VALUES (?, ?)"
            let tooFew = #expect(throws: SQLiteError.self) {
                try database.run(sql, "mug")
            }
            #expect(tooFew?.resultCode == SQLITE_RANGE)
            #expect(tooFew?.message == "the statement has 2 parameters but 1 argument was given")
            #expect(tooFew?.sql == sql)
            #expect(tooFew?.argumentCount == 1)

            let tooMany = #expect(throws: SQLiteError.self) {
                try database.run(sql, "mug", 1, 2)
            }
            #expect(tooMany?.message == "the statement has 2 parameters but 3 arguments were given")

            let none = #expect(throws: SQLiteError.self) {
                try database.run("SELECT 1", 5)
            }
            #expect(none?.message == "the statement has 0 parameters but 1 argument was given")
            let count = try database.scalar("SELECT count(*) FROM item", as: Int.self)
            #expect(count == 0)
        }
    }

    @Test func missingNamedArgument() throws {
        try withItemTable { database in
            let sql = "INSERT INTO item(name, price) VALUES (:name, :price)"
            let error = #expect(throws: SQLiteError.self) {
                try database.run(sql, ["name": "mug"])
            }
            #expect(error?.message == "no value was given for parameter :price")
            #expect(error?.sql == sql)
            #expect(error?.description.contains(sql) == true)
        }
    }

    @Test func unknownNamedArgument() throws {
        try withItemTable { database in
            let sql = "INSERT INTO item(name, price) VALUES (:name, :price)"
            let error = #expect(throws: SQLiteError.self) {
                try database.run(sql, ["name": "mug", "price": 3, "colour": "red", "size": "L"])
            }
            #expect(error?.message == "unknown parameter names colour, size; the statement's parameters are :name, :price")
            #expect(error?.argumentCount == 4)
        }
    }

    @Test func namedArgumentsForPositionalStatement() throws {
        try withItemTable { database in
            let error = #expect(throws: SQLiteError.self) {
                try database.run("INSERT INTO item(name) VALUES (?)", ["name": "mug"])
            }
            #expect(error?.message.contains("parameter 1 is positional") == true)
        }
    }

    @Test func errorsNeverShowArgumentValues() throws {
        try withItemTable { database in
            try database.execute("CREATE UNIQUE INDEX item_name ON item(name)")
            try database.run("INSERT INTO item(name) VALUES (?)", "secret-token-123")
            let error = #expect(throws: SQLiteError.self) {
                try database.run("INSERT INTO item(name) VALUES (?)", "secret-token-123")
            }
            #expect(error?.description.contains("secret-token-123") == false)
            #expect(error?.description.contains("with 1 argument") == true)
        }
    }

    @Test func bindingsAreClearedAfterUse() throws {
        try withItemTable { database in
            let sql = "SELECT ? IS NULL"
            #expect(try database.scalar(sql, 5, as: Bool.self) == false)

            // The cached statement keeps no value from the run above.
            let lease = try database.statementCache.checkout(sql) { Issue.record("expected a cached statement"); return try database.prepare(sql) }
            defer { database.statementCache.checkin(lease) }
            let expanded = try #require(sqlite3_expanded_sql(lease.statement.handle))
            defer { sqlite3_free(expanded) }
            #expect(String(cString: expanded) == "SELECT NULL IS NULL")
        }
    }
}
