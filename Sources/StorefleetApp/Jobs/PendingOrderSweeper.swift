import Commerce
import Foundation
import HTTPServer
import Tenancy

/// Abandons orders left unpaid past their store's window (`OrderSettings.abandonAfterDays`)
/// and puts their stock back, once an hour on a background thread.
///
/// It visits only the stores in `PendingOrderStores`: those that took an order since the
/// server started, and those the start-up scan found with orders waiting for payment. A
/// store leaves the set once it has no such order, so an idle store costs nothing.
final class PendingOrderSweeper: @unchecked Sendable {
    // @unchecked Sendable: `isStopped` and `isSweepRequested` are read and written only
    // while `condition` is locked; the other properties are immutable.
    /// Seconds between sweeps.
    static let defaultInterval: TimeInterval = 60 * 60

    let app: Application
    let interval: TimeInterval
    private let condition = NSCondition()
    private var isStopped = false
    private var isSweepRequested = false
    private let finished = DispatchSemaphore(value: 0)

    init(app: Application, interval: TimeInterval = PendingOrderSweeper.defaultInterval) {
        self.app = app
        self.interval = interval
    }

    /// Starts the thread, which sweeps when `sweepSoon()` is called and every `interval`
    /// seconds. Call once.
    func start() {
        let thread = Thread { [self] in
            while waitForNextSweep() {
                sweep()
            }
            finished.signal()
        }
        thread.name = "storefleet-order-sweeper"
        thread.start()
    }

    /// Asks the thread to sweep now, as the start-up scan does when it is done.
    func sweepSoon() {
        condition.lock()
        isSweepRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread after the store it is sweeping, and waits for it. Call once, after
    /// `start()`.
    func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    /// Returns true when it is time to sweep, false once stopped.
    private func waitForNextSweep() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(interval)
        while true {
            if isStopped { return false }
            if isSweepRequested {
                isSweepRequested = false
                return true
            }
            if !condition.wait(until: deadline) { return true }
        }
    }

    private var stopRequested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isStopped
    }

    /// Runs one sweep over every store in the set.
    func sweep() {
        for storeID in app.shopJobs.pendingOrders.all {
            if stopRequested { return }
            sweep(storeID: storeID)
        }
    }

    /// Abandons the store's stale unpaid orders, logs them, and drops the store from the
    /// set when no order is left waiting for payment. Errors are logged and the store stays
    /// in the set for the next sweep.
    func sweep(storeID: String) {
        let now = app.clock.now()
        do {
            guard let record = try app.catalog.store(id: storeID), record.state == .ready else {
                app.shopJobs.pendingOrders.remove(storeID)
                return
            }
            let (abandoned, stillPending) = try app.pool.withStore(storeID) { queue in
                try queue.write { database in
                    let orders = OrderStore(database: database, now: { now })
                    let abandoned = try orders.abandonStalePendingOrders()
                    let pending = try orders.list(filter: OrderFilter(status: .pendingPayment, fulfillment: .unfulfilled), perPage: 1)
                    return (abandoned, pending.matchingCount)
                }
            }
            if !abandoned.isEmpty {
                app.logger.info("orders.abandoned", [
                    "store_id": storeID, "count": abandoned.count,
                    "numbers": abandoned.map { String($0.number) }.joined(separator: ","),
                ])
            }
            if stillPending == 0 {
                app.shopJobs.pendingOrders.remove(storeID)
            }
        } catch {
            app.logger.error("orders.abandon_failed", ["store_id": storeID, "error": String(describing: error)])
        }
    }
}
