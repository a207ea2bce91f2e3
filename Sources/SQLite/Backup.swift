import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far an online backup has come, in database pages.
public struct BackupProgress: Sendable, Equatable {
    public let copiedPageCount: Int
    public let totalPageCount: Int

    public init(copiedPageCount: Int, totalPageCount: Int) {
        self.copiedPageCount = copiedPageCount
        self.totalPageCount = totalPageCount
    }
}

extension Database {
    /// Copies this database into a new file at `destinationPath` with SQLite's online backup
    /// API (`sqlite3_backup_init`, `_step`, `_finish`), `pagesPerStep` pages at a time.
    ///
    /// In WAL mode the copy reads from one snapshot, because a read transaction stays open on
    /// this connection for the whole copy. WAL "provides more concurrency as readers do not
    /// block writers" (https://sqlite.org/wal.html), so other connections keep committing,
    /// and the backup shows the database as it was when the copy began.
    ///
    /// Without WAL, each step takes a shared lock only while it runs, so writers commit
    /// between steps. SQLite then restarts the copy at the next step
    /// (https://sqlite.org/c3ref/backup_finish.html). After ``maximumBackupRestarts``
    /// restarts, the rest is copied in one step, which blocks writers until it ends.
    ///
    /// The copy is written to a hidden temporary file in the destination's folder and renamed
    /// into place only when complete, so a failed or cancelled backup leaves nothing behind
    /// and never damages an existing file.
    ///
    /// Inside a read transaction on this connection, the copy shows that transaction's
    /// snapshot. Inside a write transaction it throws `SQLITE_LOCKED`, because SQLite cannot
    /// read pages for a backup from a connection that is writing them.
    ///
    /// - Parameters:
    ///   - replacingExisting: whether an existing file at `destinationPath` may be replaced.
    ///   - progress: called after every step; throwing from it cancels the backup and the
    ///     error is rethrown.
    /// - Returns: the final progress, whose `totalPageCount` is the size of the copy.
    @discardableResult
    public func backup(
        to destinationPath: String,
        replacingExisting: Bool = false,
        pagesPerStep: Int = 256,
        progress: ((BackupProgress) throws -> Void)? = nil
    ) throws -> BackupProgress {
        try ensureOpen(sql: nil)
        // sqlite3_backup_step returns SQLITE_LOCKED for as long as the source connection is
        // writing, so a backup inside this connection's own write transaction cannot progress.
        guard sqlite3_txn_state(connection.pointer, "main") != SQLITE_TXN_WRITE else {
            throw SQLiteError(
                extendedResultCode: SQLITE_LOCKED,
                message: "a backup cannot run inside a write transaction on the same connection; commit first, or back up from a read (DatabaseQueue.read)",
                path: path
            )
        }
        guard pagesPerStep > 0 else {
            throw SQLiteError.misuse("pagesPerStep must be at least 1, got \(pagesPerStep)", path: path)
        }
        let destination = URL(fileURLWithPath: destinationPath)
        if !replacingExisting, FileManager.default.fileExists(atPath: destination.path) {
            throw SQLiteError(
                extendedResultCode: SQLITE_CANTOPEN,
                message: "backup destination \(destination.path) already exists; choose a new path or pass replacingExisting: true",
                path: path
            )
        }
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")

        do {
            let result = try copy(toTemporaryFile: temporary.path, pagesPerStep: Int32(clamping: pagesPerStep), progress: progress)
            try moveIntoPlace(temporary, destination)
            return result
        } catch {
            Self.removeDatabaseFiles(at: temporary.path)
            throw error
        }
    }

    /// The restart count after which a backup without WAL copies the remaining pages in one
    /// step.
    public static let maximumBackupRestarts = 3

    private func copy(toTemporaryFile path: String, pagesPerStep: Int32, progress: ((BackupProgress) throws -> Void)?) throws -> BackupProgress {
        var destinationPointer: OpaquePointer?
        let openCode = sqlite3_open_v2(path, &destinationPointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        defer { sqlite3_close_v2(destinationPointer) }
        guard openCode == SQLITE_OK, let destinationPointer else {
            throw SQLiteError(connection: destinationPointer, code: openCode, sql: nil, argumentCount: nil, path: path)
        }

        guard let backup = sqlite3_backup_init(destinationPointer, "main", connection.pointer, "main") else {
            // sqlite3_backup_init records its error on the destination connection.
            throw SQLiteError(connection: destinationPointer, code: sqlite3_errcode(destinationPointer), sql: nil, argumentCount: nil, path: path)
        }
        var isFinished = false
        defer { if !isFinished { sqlite3_backup_finish(backup) } }

        let holdsSnapshot = try beginSnapshotIfWAL()
        defer { if holdsSnapshot { try? run("COMMIT") } }

        var stepSize = pagesPerStep
        var restarts = 0
        var previousRemaining = Int32.max
        var busyWaited: Duration = .zero
        let busyLimit = configuration.busyTimeout

        while true {
            let code = sqlite3_backup_step(backup, stepSize)
            let remaining = sqlite3_backup_remaining(backup)
            let total = sqlite3_backup_pagecount(backup)
            let current = BackupProgress(copiedPageCount: Int(total - remaining), totalPageCount: Int(total))

            switch code {
            case SQLITE_DONE:
                try progress?(current)
                isFinished = true
                let finishCode = sqlite3_backup_finish(backup)
                guard finishCode == SQLITE_OK else {
                    throw SQLiteError(connection: destinationPointer, code: finishCode, sql: nil, argumentCount: nil, path: path)
                }
                return current
            case SQLITE_OK:
                busyWaited = .zero
                // With a positive step size, remaining pages shrink unless SQLite restarted the copy.
                if remaining >= previousRemaining {
                    restarts += 1
                    if restarts >= Self.maximumBackupRestarts { stepSize = -1 }
                }
                previousRemaining = remaining
                try progress?(current)
            case SQLITE_BUSY, SQLITE_LOCKED:
                // Not permanent: the step may be retried (https://sqlite.org/c3ref/backup_finish.html).
                guard busyWaited < busyLimit else {
                    throw SQLiteError(
                        extendedResultCode: code,
                        message: "the backup waited \(busyLimit) for a lock on the source database; retry when it is less busy",
                        path: self.path
                    )
                }
                Thread.sleep(forTimeInterval: 0.01)
                busyWaited += .milliseconds(10)
            default:
                // I/O errors, SQLITE_NOMEM and SQLITE_READONLY are fatal for this backup.
                throw SQLiteError(connection: destinationPointer, code: code, sql: nil, argumentCount: nil, path: path)
            }
        }
    }

    /// Opens a read transaction on this connection when the database is in WAL mode and no
    /// transaction is open, and returns whether it did. When a transaction is already open,
    /// the backup reads from it.
    private func beginSnapshotIfWAL() throws -> Bool {
        guard !isInTransaction else { return false }
        guard try scalar("PRAGMA journal_mode", as: String.self) == "wal" else { return false }
        try run("BEGIN DEFERRED")
        do {
            // BEGIN DEFERRED takes no snapshot until the first read.
            _ = try scalar("SELECT count(*) FROM sqlite_schema", as: Int.self)
        } catch {
            try? run("ROLLBACK")
            throw error
        }
        return true
    }

    /// Renames the finished copy over the destination and syncs the folder, so that the new
    /// name survives a crash.
    private func moveIntoPlace(_ temporary: URL, _ destination: URL) throws {
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw SQLiteError(
                extendedResultCode: SQLITE_IOERR,
                message: "could not move the finished backup to \(destination.path): \(reason)",
                path: path
            )
        }
        let folder = open(destination.deletingLastPathComponent().path, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            closeFileDescriptor(folder)
        }
    }

    private func closeFileDescriptor(_ descriptor: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #elseif canImport(Darwin)
        _ = Darwin.close(descriptor)
        #endif
    }

    /// Removes a database file and the journal, WAL and shared-memory files beside it.
    static func removeDatabaseFiles(at path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
