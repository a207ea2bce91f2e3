import CSQLite
import Foundation
import Testing
@testable import SQLite

@Suite struct SQLiteErrorTests {
    @Test func constraintErrorCarriesCodesMessageAndSQL() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE customer(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)")
            let sql = "INSERT INTO customer(email) VALUES (?)"
            try database.run(sql, "ana@example.com")

            let error = #expect(throws: SQLiteError.self) {
                try database.run(sql, "ana@example.com")
            }
            #expect(error?.resultCode == SQLITE_CONSTRAINT)
            #expect(error?.extendedResultCode == 2067)
            #expect(error?.codeName == "SQLITE_CONSTRAINT_UNIQUE")
            #expect(error?.message == "UNIQUE constraint failed: customer.email")
            #expect(error?.sql == sql)
            #expect(error?.argumentCount == 1)
            #expect(error?.path == database.path)
            #expect(error?.isConstraintViolation == true)
            #expect(error?.isUniqueConstraintViolation == true)
            #expect(error?.isBusy == false)
            #expect(error?.description == "SQLite error 2067 (SQLITE_CONSTRAINT_UNIQUE): UNIQUE constraint failed: customer.email [database \(database.path)] while running `\(sql)` with 1 argument")
            #expect(error?.description.contains("ana@example.com") == false)
        }
    }

    @Test func foreignKeyViolationIsReported() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("""
                CREATE TABLE customer(id INTEGER PRIMARY KEY);
                CREATE TABLE address(id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer(id));
                """)
            let error = #expect(throws: SQLiteError.self) {
                try database.run("INSERT INTO address(customer_id) VALUES (?)", 42)
            }
            #expect(error?.codeName == "SQLITE_CONSTRAINT_FOREIGNKEY")
            #expect(error?.isConstraintViolation == true)
            #expect(error?.isUniqueConstraintViolation == false)
        }
    }

    @Test func syntaxErrorNamesStatement() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let sql = "SELEC id FROM product"
            let error = #expect(throws: SQLiteError.self) {
                _ = try database.query(sql) { $0 }
            }
            #expect(error?.resultCode == SQLITE_ERROR)
            #expect(error?.message.contains("syntax error") == true)
            #expect(error?.sql == sql)
            #expect(error?.argumentCount == nil)
        }
    }

    @Test func notNullViolationName() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE product(title TEXT NOT NULL)")
            let error = #expect(throws: SQLiteError.self) {
                try database.run("INSERT INTO product(title) VALUES (?)", nil)
            }
            #expect(error?.codeName == "SQLITE_CONSTRAINT_NOTNULL")
            #expect(error?.message == "NOT NULL constraint failed: product.title")
        }
    }

    @Test func errorLeavesConnectionUsable() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
            let sql = "INSERT INTO product(title) VALUES (?)"
            #expect(throws: SQLiteError.self) { try database.run(sql, nil) }
            // The same cached statement runs again with new arguments.
            try database.run(sql, "Mug")
            #expect(try database.scalar("SELECT count(*) FROM product", as: Int.self) == 1)
            #expect(!database.isInTransaction)
        }
    }
}
