import CSQLite

/// An ordered list of named schema migrations, with the number applied to a database kept in
/// its `PRAGMA user_version` (https://sqlite.org/pragma.html#pragma_user_version), an
/// integer in the file header that SQLite itself never changes.
///
/// Migrations are append-only: once released, a migration keeps its place and its content,
/// because a database records only how many have run, not which.
public struct Migrator: Sendable {
    /// The foreign key enforcement while a migration runs.
    public enum ForeignKeyChecks: Sendable {
        /// Enforced statement by statement, as in normal operation.
        case immediate
        /// Turned off for the migration and checked as a whole with `PRAGMA
        /// foreign_key_check` before it commits. A migration that rebuilds a table (create a
        /// new table, copy, drop the old one, rename) needs this, because dropping a table
        /// that others reference fails or cascades while enforcement is on
        /// (https://sqlite.org/lang_altertable.html, section 7). ON DELETE actions do not run
        /// during such a migration.
        case deferredToCommit
    }

    private struct Migration: Sendable {
        let name: String
        let foreignKeyChecks: ForeignKeyChecks
        let migrate: @Sendable (Database) throws -> Void
    }

    private var migrations: [Migration] = []

    public init() {}

    /// The registered migration names in order.
    public var migrationNames: [String] { migrations.map(\.name) }

    /// Appends a migration written in Swift. Names must be unique; a duplicate is a
    /// programming error and stops the process.
    public mutating func register(
        _ name: String,
        foreignKeyChecks: ForeignKeyChecks = .immediate,
        _ migrate: @escaping @Sendable (Database) throws -> Void
    ) {
        precondition(!migrations.contains { $0.name == name }, "migration \"\(name)\" is registered twice; give each migration a unique name")
        migrations.append(Migration(name: name, foreignKeyChecks: foreignKeyChecks, migrate: migrate))
    }

    /// Appends a migration given as SQL statements, run by ``Database/execute(_:)``.
    public mutating func register(_ name: String, foreignKeyChecks: ForeignKeyChecks = .immediate, sql: String) {
        register(name, foreignKeyChecks: foreignKeyChecks) { database in
            try database.execute(sql)
        }
    }

    /// Applies the migrations the database has not run yet, each in its own IMMEDIATE
    /// transaction together with the new `user_version`, and returns their names in order.
    ///
    /// On an up-to-date database this reads one pragma. Throws
    /// ``MigrationError/databaseNewerThanCode(path:databaseVersion:knownVersion:)`` when the
    /// database has run more migrations than are registered, and
    /// ``MigrationError/migrationFailed(name:version:path:underlying:)`` when one fails; the
    /// migrations before it stay applied.
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        guard !database.isInTransaction else {
            throw MigrationError.calledInsideTransaction(path: database.path)
        }
        let startVersion = try Self.userVersion(of: database)
        if startVersion == migrations.count { return [] }
        try rejectNewerDatabase(database, version: startVersion)

        var applied: [String] = []
        for index in startVersion..<migrations.count {
            let migration = migrations[index]
            do {
                if try apply(migration, at: index, to: database) {
                    applied.append(migration.name)
                }
            } catch let error as MigrationError {
                throw error
            } catch {
                throw MigrationError.migrationFailed(name: migration.name, version: index + 1, path: database.path, underlying: error)
            }
        }
        return applied
    }

    /// Reads the number of migrations recorded in the database's `user_version`.
    public static func userVersion(of database: Database) throws -> Int {
        try database.scalar("PRAGMA user_version", as: Int.self) ?? 0
    }

    /// Runs one migration and sets `user_version` to `index + 1` in the same transaction.
    /// Returns false when another connection applied it first.
    private func apply(_ migration: Migration, at index: Int, to database: Database) throws -> Bool {
        if migration.foreignKeyChecks == .deferredToCommit {
            // PRAGMA foreign_keys is a no-op inside a transaction
            // (https://sqlite.org/pragma.html#pragma_foreign_keys), so it changes here.
            try database.execute("PRAGMA foreign_keys=OFF")
        }
        defer {
            if migration.foreignKeyChecks == .deferredToCommit {
                try? database.execute("PRAGMA foreign_keys=ON")
            }
        }

        return try database.transaction(.immediate) { database in
            // Another process may have migrated between the first read and this write lock.
            let version = try Self.userVersion(of: database)
            guard version == index else {
                try rejectNewerDatabase(database, version: version)
                return false
            }

            try migration.migrate(database)

            if migration.foreignKeyChecks == .deferredToCommit {
                try checkForeignKeys(database)
            }
            // PRAGMA takes no bound parameters; the value is an integer formatted here.
            try database.execute("PRAGMA user_version=\(index + 1)")
            return true
        }
    }

    private func rejectNewerDatabase(_ database: Database, version: Int) throws {
        guard version > migrations.count else { return }
        throw MigrationError.databaseNewerThanCode(path: database.path, databaseVersion: version, knownVersion: migrations.count)
    }

    /// Throws when any row references a missing parent, naming the tables involved.
    private func checkForeignKeys(_ database: Database) throws {
        let violations = try database.query("PRAGMA foreign_key_check") { row -> String in
            let table: String = try row.get("table")
            let parent: String = try row.get("parent")
            return "\(table) → \(parent)"
        }
        guard !violations.isEmpty else { return }
        let pairs = Array(Set(violations)).sorted().joined(separator: ", ")
        throw SQLiteError(
            extendedResultCode: 787, // SQLITE_CONSTRAINT_FOREIGNKEY
            message: "\(violations.count) row\(violations.count == 1 ? "" : "s") violate foreign keys after the migration (\(pairs)); fix the migration so that every reference points at an existing row",
            sql: "PRAGMA foreign_key_check",
            path: database.path
        )
    }
}
