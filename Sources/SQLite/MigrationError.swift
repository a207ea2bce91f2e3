/// A schema migration that could not run, or a database this build cannot migrate.
public enum MigrationError: Error, CustomStringConvertible {
    /// The file records more applied migrations than this build registers: a newer
    /// Storefleet has migrated it, and this build would misread its schema.
    case databaseNewerThanCode(path: String, databaseVersion: Int, knownVersion: Int)
    /// The migration at schema version `version` (counted from 1) threw `underlying`; its
    /// transaction was rolled back and the database stays at `version - 1`.
    case migrationFailed(name: String, version: Int, path: String, underlying: any Error)
    /// ``Migrator/migrate(_:)`` was called inside an open transaction, where each migration
    /// could not commit on its own.
    case calledInsideTransaction(path: String)

    public var description: String {
        switch self {
        case .databaseNewerThanCode(let path, let databaseVersion, let knownVersion):
            return "database \(path) is at schema version \(databaseVersion), but this build of Storefleet knows only \(knownVersion) migrations; upgrade Storefleet to the version that migrated this file, or restore a backup made with this version"
        case .migrationFailed(let name, let version, let path, let underlying):
            return "migration \"\(name)\" (schema version \(version)) failed on database \(path) and was rolled back, so the database stays at version \(version - 1): \(underlying)"
        case .calledInsideTransaction(let path):
            return "migrations for database \(path) were started inside a transaction; call Migrator.migrate outside any transaction, for example through DatabaseQueue.writeWithoutTransaction"
        }
    }
}
