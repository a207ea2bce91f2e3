import Commerce
import Foundation
import SQLite
import Testing

@Suite struct StoreSchemaTests {
    @Test func migrateTwiceAppliesOnce() throws {
        let store = try TestStore(migrate: false)

        let first = try StoreSchema.migrate(store.database)
        #expect(first.count == StoreSchema.latestVersion)
        #expect(try Migrator.userVersion(of: store.database) == StoreSchema.latestVersion)

        let second = try StoreSchema.migrate(store.database)
        #expect(second.isEmpty)
        #expect(try Migrator.userVersion(of: store.database) == StoreSchema.latestVersion)
    }

    @Test func reopenedFileIsUpToDate() throws {
        let store = try TestStore()
        let reopened = try Database(path: store.path)
        defer { try? reopened.close() }
        #expect(try StoreSchema.migrate(reopened).isEmpty)
    }

    @Test func createsStageOneTables() throws {
        let store = try TestStore()
        let tables = try store.database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") {
            try $0.get("name", as: String.self)
        }
        for table in ["login_attempts", "products", "sessions", "settings", "staff_invitations", "staff_members"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func tablesRejectInvalidRows() throws {
        let store = try TestStore()
        let now = Date()
        #expect(throws: SQLiteError.self) {
            try store.database.run(
                "INSERT INTO products (slug, title, price, created_at, updated_at) VALUES ('a', 'A', -1, ?, ?)", now, now
            )
        }
        #expect(throws: SQLiteError.self) {
            try store.database.run(
                "INSERT INTO products (slug, title, price, created_at, updated_at) VALUES ('a', 'A', 'ten', ?, ?)", now, now
            )
        }
        #expect(throws: SQLiteError.self) {
            try store.database.run(
                """
                INSERT INTO staff_members (email, email_key, name, password_hash, role, created_at, updated_at)
                VALUES ('a@b.example', 'a@b.example', 'A', 'x', 'superuser', ?, ?)
                """,
                now, now
            )
        }
    }

    @Test func newerFileIsRejected() throws {
        let store = try TestStore()
        try store.database.execute("PRAGMA user_version=\(StoreSchema.latestVersion + 1)")
        #expect(throws: MigrationError.self) { try StoreSchema.migrate(store.database) }
    }
}
