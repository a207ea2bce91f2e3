import CSQLite
import Foundation
import Testing
@testable import SQLite

@Suite struct MigratorTests {
    private func baseMigrator() -> Migrator {
        var migrator = Migrator()
        migrator.register("create product", sql: "CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
        migrator.register("add price") { database in
            try database.execute("ALTER TABLE product ADD COLUMN price INTEGER NOT NULL DEFAULT 0")
            try database.run("INSERT INTO product(title, price) VALUES (?, ?)", "Gift card", 2500)
        }
        return migrator
    }

    @Test func appliesInOrderAndRecordsVersion() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let applied = try baseMigrator().migrate(database)
            #expect(applied == ["create product", "add price"])
            #expect(try Migrator.userVersion(of: database) == 2)
            #expect(try database.scalar("SELECT price FROM product", as: Int.self) == 2500)

            // Running again applies nothing.
            #expect(try baseMigrator().migrate(database).isEmpty)
            #expect(try database.scalar("SELECT count(*) FROM product", as: Int.self) == 1)
        }
    }

    @Test func resumesWithNewMigrations() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try baseMigrator().migrate(database)

            var newer = baseMigrator()
            newer.register("create order", sql: """
                CREATE TABLE "order"(id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES product(id));
                CREATE INDEX order_product ON "order"(product_id);
                """)
            #expect(try newer.migrate(database) == ["create order"])
            #expect(try Migrator.userVersion(of: database) == 3)
            #expect(newer.migrationNames == ["create product", "add price", "create order"])
        }
    }

    @Test func refusesNewerDatabase() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try baseMigrator().migrate(database)

            var older = Migrator()
            older.register("create product", sql: "CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
            let error = #expect(throws: MigrationError.self) {
                try older.migrate(database)
            }
            guard case .databaseNewerThanCode(let path, let databaseVersion, let knownVersion) = error else {
                Issue.record("expected databaseNewerThanCode, got \(String(describing: error))")
                return
            }
            #expect(path == database.path)
            #expect(databaseVersion == 2)
            #expect(knownVersion == 1)
            #expect(error?.description.contains("upgrade Storefleet") == true)
            #expect(try Migrator.userVersion(of: database) == 2)
        }
    }

    @Test func failingMigrationRollsBack() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            var migrator = baseMigrator()
            migrator.register("add stock") { database in
                try database.execute("ALTER TABLE product ADD COLUMN stock INTEGER NOT NULL DEFAULT 0")
                try database.run("UPDATE product SET stock = ?", 5)
                try database.execute("CREATE INDEX product_missing ON product(no_such_column)")
            }
            let error = #expect(throws: MigrationError.self) {
                try migrator.migrate(database)
            }
            guard case .migrationFailed(let name, let version, _, let underlying) = error else {
                Issue.record("expected migrationFailed, got \(String(describing: error))")
                return
            }
            #expect(name == "add stock")
            #expect(version == 3)
            #expect((underlying as? SQLiteError)?.message.contains("no_such_column") == true)
            #expect(error?.description.contains("stays at version 2") == true)

            // The earlier migrations stay; the failed one left nothing behind.
            #expect(try Migrator.userVersion(of: database) == 2)
            let columns = try database.query("SELECT name FROM pragma_table_info('product')") { try $0.get(0, as: String.self) }
            #expect(columns == ["id", "title", "price"])
        }
    }

    @Test func tableRebuildWithDeferredForeignKeys() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            var migrator = baseMigrator()
            migrator.register("create order", sql: """
                CREATE TABLE "order"(id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES product(id) ON DELETE CASCADE);
                INSERT INTO "order"(product_id) VALUES (1);
                """)
            // Rebuild product to add a CHECK constraint, which ALTER TABLE cannot do.
            migrator.register("check price", foreignKeyChecks: .deferredToCommit, sql: """
                CREATE TABLE product_new(id INTEGER PRIMARY KEY, title TEXT NOT NULL, price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0));
                INSERT INTO product_new(id, title, price) SELECT id, title, price FROM product;
                DROP TABLE product;
                ALTER TABLE product_new RENAME TO product;
                """)
            try migrator.migrate(database)

            #expect(try database.scalar("SELECT count(*) FROM \"order\"", as: Int.self) == 1)
            #expect(try database.scalar("PRAGMA foreign_keys", as: Int.self) == 1)
            let error = #expect(throws: SQLiteError.self) {
                try database.run("UPDATE product SET price = -1")
            }
            #expect(error?.isConstraintViolation == true)
        }
    }

    @Test func deferredForeignKeyViolationRollsBack() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            var migrator = baseMigrator()
            migrator.register("create order", sql: """
                CREATE TABLE "order"(id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES product(id));
                INSERT INTO "order"(product_id) VALUES (1);
                """)
            migrator.register("drop products", foreignKeyChecks: .deferredToCommit, sql: "DELETE FROM product")
            let error = #expect(throws: MigrationError.self) {
                try migrator.migrate(database)
            }
            #expect(error?.description.contains("violate foreign keys") == true)
            #expect(error?.description.contains("order → product") == true)
            #expect(try database.scalar("SELECT count(*) FROM product", as: Int.self) == 1)
            #expect(try Migrator.userVersion(of: database) == 3)
            #expect(try database.scalar("PRAGMA foreign_keys", as: Int.self) == 1)
        }
    }

    @Test func refusesToRunInsideTransaction() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let error = #expect(throws: MigrationError.self) {
                try database.transaction { database in
                    try baseMigrator().migrate(database)
                }
            }
            #expect(error?.description.contains("outside any transaction") == true)
            #expect(try Migrator.userVersion(of: database) == 0)
        }
    }

    @Test func secondConnectionSkipsAppliedMigrations() throws {
        try withTemporaryDirectory { directory in
            let first = try openDatabase(directory)
            let second = try openDatabase(directory)
            var migrator = Migrator()
            migrator.register("create log", sql: "CREATE TABLE log(id INTEGER PRIMARY KEY)")
            migrator.register("insert once") { database in
                try database.run("INSERT INTO log DEFAULT VALUES")
            }
            #expect(try migrator.migrate(first).count == 2)
            #expect(try migrator.migrate(second).isEmpty)
            #expect(try second.scalar("SELECT count(*) FROM log", as: Int.self) == 1)
        }
    }
}
