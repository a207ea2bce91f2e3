import Foundation
import SQLite
import Synchronization
import Tenancy

/// Stores whose write-ahead log grew since their last background checkpoint.
///
/// Requests record a store here after a commit that queued mail, which every order does,
/// and the mail sender after it records a batch. `StoreCheckpointer` takes them.
final class CheckpointSchedule: @unchecked Sendable {
    // @unchecked Sendable: `storeIDs` and `isStopped` are read and written only while
    // `condition` is locked.
    private let condition = NSCondition()
    private var storeIDs: Set<String> = []
    private var isStopped = false

    /// Records that `storeID` wrote to its WAL, and wakes the checkpointer.
    func noteWrite(_ storeID: String) {
        condition.lock()
        defer { condition.unlock() }
        if storeIDs.insert(storeID).inserted {
            condition.signal()
        }
    }

    /// Removes and returns every store recorded, blocking until there is one. Returns nil
    /// once `stop()` was called.
    func waitForStores() -> Set<String>? {
        condition.lock()
        defer { condition.unlock() }
        while storeIDs.isEmpty && !isStopped {
            condition.wait()
        }
        guard !isStopped else { return nil }
        defer { storeIDs = [] }
        return storeIDs
    }

    /// The stores waiting, for tests.
    var snapshot: Set<String> {
        condition.lock()
        defer { condition.unlock() }
        return storeIDs
    }

    /// Makes every current and later `waitForStores` return nil.
    func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Copies the write-ahead log of busy stores back into their database files on a background
/// thread, so that requests rarely run a checkpoint while they hold the store's lock.
///
/// SQLite runs a checkpoint in the connection whose COMMIT takes the WAL past
/// `wal_autocheckpoint` pages (https://sqlite.org/wal.html, "Automatic Checkpoint"). The
/// pool's connections hold the store's `DatabaseQueue` lock while they commit, so that
/// checkpoint, with its two fsyncs, would make every other request of the store wait. Store
/// connections set the threshold to `Application.automaticCheckpointPages`, and this
/// thread runs `PRAGMA wal_checkpoint(PASSIVE)` on a connection of its own, opened for
/// each checkpoint and closed after it. A passive checkpoint does not wait for readers or
/// the writer, which go on through the pool's connection meanwhile
/// (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
///
/// The WAL starts again from its beginning only when a checkpoint has copied all of it and
/// a writer then begins. Under steady load a background checkpoint rarely catches the
/// last commit, so the automatic checkpoint at `Application.automaticCheckpointPages`
/// still bounds the WAL; it then finds little left to copy.
final class StoreCheckpointer: Sendable {
    /// The minimum pause between two rounds of checkpoints, in seconds, so a busy store is
    /// checkpointed at most about ten times a second.
    static let pause: TimeInterval = 0.1

    let app: Application
    private let finished = DispatchSemaphore(value: 0)

    init(app: Application) {
        self.app = app
    }

    private var schedule: CheckpointSchedule { app.shopJobs.checkpoints }

    /// Starts the thread. Call once.
    func start() {
        let thread = Thread { [self] in
            while let storeIDs = schedule.waitForStores() {
                for storeID in storeIDs.sorted() {
                    checkpointLogged(storeID)
                }
                Thread.sleep(forTimeInterval: Self.pause)
            }
            finished.signal()
        }
        thread.name = "storefleet-checkpointer"
        thread.start()
    }

    /// Stops the thread after its current checkpoint and waits for it. Call once, after
    /// `start()`.
    func stop() {
        schedule.stop()
        finished.wait()
    }

    /// The result of `PRAGMA wal_checkpoint`, counted in WAL frames (one changed page each).
    struct Frames: Equatable {
        /// Frames in the WAL when the checkpoint ran.
        var walFrames: Int
        /// Frames copied into the database file, by this checkpoint or earlier ones.
        var checkpointedFrames: Int
    }

    /// Runs a passive checkpoint of `storeID`'s file on a connection of its own.
    ///
    /// - Throws: `SQLiteError` when the file cannot be opened, for example because the
    ///   store was deleted.
    func checkpoint(_ storeID: String) throws -> Frames {
        var configuration = Application.storeDatabaseConfiguration
        configuration.accessMode = .readWrite
        let database = try Database(path: app.dataDirectory.storeDatabasePath(storeID), configuration: configuration)
        defer { try? database.close() }

        let row = try database.queryFirst("PRAGMA wal_checkpoint(PASSIVE)") { row in
            Frames(walFrames: try row.get(1, as: Int.self), checkpointedFrames: try row.get(2, as: Int.self))
        }
        return row ?? Frames(walFrames: 0, checkpointedFrames: 0)
    }

    private func checkpointLogged(_ storeID: String) {
        let path = app.dataDirectory.storeDatabasePath(storeID)
        // A store deleted since it was recorded has nothing left to checkpoint.
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            _ = try checkpoint(storeID)
        } catch {
            // The commits stay in the WAL, and the automatic checkpoint of the store's
            // connection still bounds it.
            app.logger.warning("checkpoint.failed", ["store_id": storeID, "error": String(describing: error)])
        }
    }
}
