import CSQLite
import Foundation
import Testing
@testable import SQLite

@Suite struct DatabaseTests {
    @Test func openSetsWALAndPragmas() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            #expect(try database.scalar("PRAGMA journal_mode", as: String.self) == "wal")
            #expect(try database.scalar("PRAGMA foreign_keys", as: Int.self) == 1)
            // NORMAL is 1 (https://sqlite.org/pragma.html#pragma_synchronous).
            #expect(try database.scalar("PRAGMA synchronous", as: Int.self) == 1)
            #expect(try database.scalar("PRAGMA busy_timeout", as: Int.self) == 5000)
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("store.sqlite").path))
        }
    }

    @Test func configurationIsApplied() throws {
        try withTemporaryDirectory { directory in
            let configuration = Database.Configuration(busyTimeout: .milliseconds(1500), synchronous: .full, statementCacheCapacity: 3)
            let database = try openDatabase(directory, configuration: configuration)
            #expect(try database.scalar("PRAGMA synchronous", as: Int.self) == 2)
            #expect(try database.scalar("PRAGMA busy_timeout", as: Int.self) == 1500)
            #expect(database.statementCacheStatistics.capacity == 3)

            let off = try openDatabase(directory, "off.sqlite", configuration: .init(synchronous: .off))
            #expect(try off.scalar("PRAGMA synchronous", as: Int.self) == 0)
        }
    }

    @Test func readOnlyRejectsWrites() throws {
        try withTemporaryDirectory { directory in
            let writer = try openDatabase(directory)
            try writer.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            try writer.run("INSERT INTO item(name) VALUES (?)", "first")

            let reader = try openDatabase(directory, configuration: .init(accessMode: .readOnly))
            #expect(try reader.scalar("SELECT name FROM item", as: String.self) == "first")
            let error = #expect(throws: SQLiteError.self) {
                try reader.run("INSERT INTO item(name) VALUES (?)", "second")
            }
            #expect(error?.resultCode == SQLITE_READONLY)
            #expect(try writer.scalar("SELECT count(*) FROM item", as: Int.self) == 1)
        }
    }

    @Test func missingFolderNamesPathAndFix() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("absent/store.sqlite").path
            let error = #expect(throws: SQLiteError.self) {
                try Database(path: path)
            }
            #expect(error?.resultCode == SQLITE_CANTOPEN)
            #expect(error?.path == path)
            #expect(error?.description.contains("check that the folder exists") == true)
        }
    }

    @Test func readWriteModeRequiresExistingFile() throws {
        try withTemporaryDirectory { directory in
            let error = #expect(throws: SQLiteError.self) {
                try openDatabase(directory, "missing.sqlite", configuration: .init(accessMode: .readWrite))
            }
            #expect(error?.resultCode == SQLITE_CANTOPEN)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("missing.sqlite").path))
        }
    }

    @Test func nonDatabaseFileIsRejected() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("notes.sqlite")
            try Data(repeating: 0x41, count: 4096).write(to: path)
            let error = #expect(throws: SQLiteError.self) {
                try Database(path: path.path)
            }
            #expect(error?.resultCode == SQLITE_NOTADB)
            // The file is left as it was.
            #expect(try Data(contentsOf: path) == Data(repeating: 0x41, count: 4096))
        }
    }

    @Test func closeIsIdempotentAndLaterUseThrows() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)")
            let statement = try database.prepare("SELECT count(*) FROM item")
            try database.close()
            try database.close()
            #expect(database.isClosed)

            let error = #expect(throws: SQLiteError.self) {
                try database.run("INSERT INTO item DEFAULT VALUES")
            }
            #expect(error?.resultCode == SQLITE_MISUSE)
            #expect(error?.message.contains("closed") == true)
            #expect(throws: SQLiteError.self) { try statement.step() }
        }
    }

    @Test func executeRunsSeveralStatements() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("""
                -- schema
                CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT NOT NULL);
                INSERT INTO product(title) VALUES ('Mug');
                INSERT INTO product(title) VALUES ('Shirt'); -- trailing comment
                """)
            #expect(try database.scalar("SELECT count(*) FROM product", as: Int.self) == 2)
        }
    }

    @Test func executeStopsAtFailingStatement() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let error = #expect(throws: SQLiteError.self) {
                try database.execute("CREATE TABLE a(x); INSERT INTO missing VALUES (1); CREATE TABLE b(y);")
            }
            #expect(error?.sql == "INSERT INTO missing VALUES (1)")
            #expect(error?.message.contains("no such table: missing") == true)
            #expect(try database.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'b'", as: Int.self) == 0)
        }
    }

    @Test func executeReportsSyntaxError() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let error = #expect(throws: SQLiteError.self) {
                try database.execute("CREATE TABLE a(x);\nCREAT TABLE b(y);\nCREATE TABLE c(z);")
            }
            #expect(error?.message.contains("syntax error") == true)
            #expect(error?.sql == "CREAT TABLE b(y)")
            #expect(try database.scalar("SELECT count(*) FROM sqlite_schema", as: Int.self) == 1)
        }
    }

    @Test func executeRejectsParameters() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(name TEXT)")
            let error = #expect(throws: SQLiteError.self) {
                try database.execute("INSERT INTO item VALUES (?)")
            }
            #expect(error?.resultCode == SQLITE_RANGE)
            #expect(error?.message.contains("run(_:_:)") == true)
        }
    }

    @Test func runRejectsSeveralStatements() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(name TEXT)")
            let error = #expect(throws: SQLiteError.self) {
                try database.run("INSERT INTO item VALUES ('a'); INSERT INTO item VALUES ('b')")
            }
            #expect(error?.message.contains("more than one statement") == true)
            #expect(try database.scalar("SELECT count(*) FROM item", as: Int.self) == 0)

            // A trailing comment is not a second statement.
            try database.run("INSERT INTO item VALUES ('c'); -- note")
            #expect(try database.scalar("SELECT count(*) FROM item", as: Int.self) == 1)
        }
    }

    @Test func emptySQLIsAnError() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let error = #expect(throws: SQLiteError.self) {
                try database.run("  -- nothing here")
            }
            #expect(error?.message.contains("no statement") == true)
        }
    }

    @Test func changesAndLastInsertRowID() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT)")
            try database.run("INSERT INTO item(name) VALUES (?)", "a")
            #expect(database.lastInsertRowID == 1)
            try database.run("INSERT INTO item(name) VALUES (?)", "b")
            #expect(database.lastInsertRowID == 2)
            try database.run("UPDATE item SET name = upper(name)")
            #expect(database.changes == 2)
            #expect(database.totalChanges == 4)
        }
    }

    @Test func queryFirstAndScalar() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, price INTEGER)")
            #expect(try database.scalar("SELECT max(price) FROM item", as: Int.self) == nil)
            #expect(try database.queryFirst("SELECT id FROM item") { try $0.get(0, as: Int.self) } == nil)

            try database.run("INSERT INTO item(price) VALUES (?), (?)", 250, 100)
            #expect(try database.scalar("SELECT max(price) FROM item", as: Int.self) == 250)
            let cheapest = try database.queryFirst("SELECT id, price FROM item ORDER BY price") { row in
                try row.get("id", as: Int.self)
            }
            #expect(cheapest == 2)
        }
    }

    @Test func openingMigratedFileIsFast() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("store.sqlite").path
            var migrator = Migrator()
            migrator.register("create product", sql: "CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
            migrator.register("create order", sql: "CREATE TABLE \"order\"(id INTEGER PRIMARY KEY, total INTEGER NOT NULL)")
            do {
                let database = try Database(path: path)
                try migrator.migrate(database)
                try database.close()
            }

            let rounds = 200
            var openTime: Duration = .zero
            var closeTime: Duration = .zero
            for _ in 0..<rounds {
                let start = ContinuousClock.now
                let database = try Database(path: path)
                let applied = try migrator.migrate(database)
                let opened = ContinuousClock.now
                #expect(applied.isEmpty)
                try database.close()
                openTime += opened - start
                closeTime += ContinuousClock.now - opened
            }
            // Each round opens the only connection to the file, as a pool does after evicting a
            // store, so SQLite also creates the WAL and shared-memory files. Closing the last
            // connection checkpoints the WAL and deletes it, so it is timed apart.
            func microseconds(_ total: Duration) -> Int {
                let average = total / rounds
                return Int(average.components.seconds * 1_000_000 + average.components.attoseconds / 1_000_000_000_000)
            }
            print("Opening a migrated store file (open, pragmas, migrator check) took \(microseconds(openTime)) µs on average over \(rounds) rounds; closing took \(microseconds(closeTime)) µs")
        }
    }

    @Test func inMemoryDatabaseOpens() throws {
        let database = try Database(path: ":memory:")
        #expect(try database.scalar("PRAGMA journal_mode", as: String.self) == "memory")
        try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY)")
        try database.run("INSERT INTO item DEFAULT VALUES")
        #expect(try database.scalar("SELECT count(*) FROM item", as: Int.self) == 1)
    }

    @Test func writeTransactionThroughput() throws {
        try withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
            try queue.writeWithoutTransaction { database in
                try database.execute("""
                    CREATE TABLE stock(product_id INTEGER PRIMARY KEY, quantity INTEGER NOT NULL);
                    CREATE TABLE "order"(id INTEGER PRIMARY KEY, email TEXT NOT NULL, total INTEGER NOT NULL, placed_at TEXT NOT NULL);
                    CREATE TABLE order_line(order_id INTEGER NOT NULL REFERENCES "order"(id), product_id INTEGER NOT NULL, quantity INTEGER NOT NULL);
                    INSERT INTO stock VALUES (1, 1000000), (2, 1000000);
                    """)
            }

            // One checkout: check stock, insert the order and two lines, decrement stock.
            let checkouts = 1000
            let start = ContinuousClock.now
            for index in 0..<checkouts {
                try queue.write { database in
                    let available = try database.scalar("SELECT quantity FROM stock WHERE product_id = ?", 1, as: Int.self) ?? 0
                    guard available > 0 else { return }
                    try database.run("INSERT INTO \"order\"(email, total, placed_at) VALUES (?, ?, ?)", "buyer\(index)@example.com", 4599, Date())
                    let orderID = database.lastInsertRowID
                    try database.run("INSERT INTO order_line VALUES (?, ?, ?)", orderID, 1, 1)
                    try database.run("INSERT INTO order_line VALUES (?, ?, ?)", orderID, 2, 2)
                    try database.run("UPDATE stock SET quantity = quantity - 1 WHERE product_id = 1")
                    try database.run("UPDATE stock SET quantity = quantity - 2 WHERE product_id = 2")
                }
            }
            let seconds = secondsSince(start)
            print("Ran \(checkouts) checkout-like write transactions (synchronous=NORMAL, WAL) at \(Int(Double(checkouts) / seconds)) per second")

            let orders = try queue.read { try $0.scalar("SELECT count(*) FROM \"order\"", as: Int.self) }
            #expect(orders == checkouts)
            let stock = try queue.read { try $0.scalar("SELECT quantity FROM stock WHERE product_id = 2", as: Int.self) }
            #expect(stock == 1_000_000 - 2 * checkouts)
        }
    }
}
