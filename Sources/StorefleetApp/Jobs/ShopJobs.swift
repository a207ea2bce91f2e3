import Foundation
import Synchronization
import Tenancy

/// The stores that the shop's background jobs must visit, so their work grows with the
/// stores that are active rather than with every store on the node.
///
/// Request handlers record here, after their transaction commits, that a store queued mail
/// or took an order. The mail sender and the pending-order sweeper (`ShopWorkers`) read
/// it. A start-up scan fills it with what earlier runs of the server left behind, so a
/// restart loses nothing: mail and orders are in the store files, and this is only an
/// index of where to look.
final class ShopJobs: Sendable {
    let mail = MailSchedule()
    let pendingOrders = PendingOrderStores()
    let checkpoints = CheckpointSchedule()
}

/// Stores whose outbox has mail to deliver, each with the time its next mail is due.
final class MailSchedule: @unchecked Sendable {
    // @unchecked Sendable: `due` and `isStopped` are read and written only while
    // `condition` is locked.
    private let condition = NSCondition()
    private var due: [String: Date] = [:]
    /// Stores a sender thread took and has not finished, which no other thread may take.
    private var inProgress: Set<String> = []
    private var isStopped = false

    /// Records that `storeID` has mail due at `time` and wakes the sender. An earlier time
    /// recorded before stays.
    func schedule(_ storeID: String, at time: Date) {
        condition.lock()
        defer { condition.unlock() }
        if let existing = due[storeID], existing <= time { return }
        due[storeID] = time
        condition.broadcast()
    }

    /// Removes and returns a store whose mail is due by `clock`, blocking until there is
    /// one, and marks it in progress until `finish(_:)`. A store in progress is not
    /// returned, even when it is scheduled again meanwhile, so two sender threads never
    /// deliver one store's mail at once. Returns nil once `stop()` was called.
    ///
    /// - Parameter maximumWait: the longest sleep in seconds before the times are checked
    ///   again, so a clock that tests move by hand is noticed.
    func waitForDueStore(clock: any WallClock, maximumWait: TimeInterval) -> String? {
        condition.lock()
        defer { condition.unlock() }
        while !isStopped {
            let now = clock.now()
            let earliest = due.filter { !inProgress.contains($0.key) }.min { $0.value < $1.value }
            if let earliest, earliest.value <= now {
                due[earliest.key] = nil
                inProgress.insert(earliest.key)
                return earliest.key
            }
            let wait = earliest.map { min($0.value.timeIntervalSince(now), maximumWait) } ?? maximumWait
            _ = condition.wait(until: Date().addingTimeInterval(max(wait, 0.01)))
        }
        return nil
    }

    /// Records that the thread that took `storeID` is done with it, so any thread may take
    /// it again when its mail is due.
    func finish(_ storeID: String) {
        condition.lock()
        inProgress.remove(storeID)
        condition.broadcast()
        condition.unlock()
    }

    /// The stores waiting and when their mail is due, for logs and tests.
    var snapshot: [String: Date] {
        condition.lock()
        defer { condition.unlock() }
        return due
    }

    /// Wakes the sender to check the times again, for tests that move the clock.
    func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Makes every current and later `waitForDueStore` return nil. A stopped schedule
    /// stays stopped, so one application runs its sender once.
    func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Stores that may have orders waiting for payment, which the sweeper visits to abandon
/// the stale ones.
final class PendingOrderStores: Sendable {
    private let storeIDs = Mutex<Set<String>>([])

    func insert(_ storeID: String) {
        _ = storeIDs.withLock { $0.insert(storeID) }
    }

    func remove(_ storeID: String) {
        _ = storeIDs.withLock { $0.remove(storeID) }
    }

    var all: [String] {
        storeIDs.withLock { $0.sorted() }
    }
}
