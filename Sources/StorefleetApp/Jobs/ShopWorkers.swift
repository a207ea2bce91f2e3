import Commerce
import Foundation
import HTTPServer
import Synchronization
import Tenancy

/// The shop's background threads: the store mail sender, the pending-order sweeper, the
/// WAL checkpointer, and a start-up scan that finds the work an earlier run of the server
/// left in the store files.
///
/// The scan opens every ready store once, through the pool, and records the stores whose
/// outbox contains queued mail and those with orders waiting for payment. Until it is done,
/// mail queued by new requests is sent as usual; the sweeper's first sweep runs when the
/// scan ends, and then once an hour.
final class ShopWorkers: Sendable {
    let app: Application
    let sender: StoreMailSender
    let sweeper: PendingOrderSweeper
    let checkpointer: StoreCheckpointer
    private let isStopping = Atomic<Bool>(false)
    private let scanFinished = DispatchSemaphore(value: 0)

    init(app: Application, transport: StoreMailTransport, sweepInterval: TimeInterval = PendingOrderSweeper.defaultInterval) {
        self.app = app
        sender = StoreMailSender(app: app, transport: transport)
        sweeper = PendingOrderSweeper(app: app, interval: sweepInterval)
        checkpointer = StoreCheckpointer(app: app)
    }

    /// Creates the transport that the configuration names and starts every thread.
    ///
    /// - Throws: `MailTransportError.invalidConfiguration` for unusable SMTP settings.
    static func start(_ app: Application) throws -> ShopWorkers {
        let workers = ShopWorkers(app: app, transport: try StoreMailTransport.make(app.configuration))
        workers.start()
        return workers
    }

    func start() {
        app.logger.info("shop.workers_started", [
            "mail_transport": sender.transport.logDescription, "sweep_interval_seconds": Int(sweeper.interval),
        ])
        sender.start()
        sweeper.start()
        checkpointer.start()
        let thread = Thread { [self] in
            scanStores()
            sweeper.sweepSoon()
            scanFinished.signal()
        }
        thread.name = "storefleet-shop-scan"
        thread.start()
    }

    /// Stops every thread, each after the item it is working on, and waits for them.
    func stop() {
        isStopping.store(true, ordering: .relaxed)
        scanFinished.wait()
        sender.stop()
        sweeper.stop()
        checkpointer.stop()
        app.logger.info("shop.workers_stopped")
    }

    private func scanStores() {
        let started = Date()
        var visited = 0
        var withMail = 0
        var withPendingOrders = 0
        let stores: [StoreRecord]
        do {
            stores = try app.catalog.allStores().filter { $0.state == .ready }
        } catch {
            app.logger.error("shop.scan_failed", ["error": String(describing: error)])
            return
        }

        for store in stores {
            if isStopping.load(ordering: .relaxed) { break }
            do {
                let (nextMail, pendingOrders) = try app.pool.withStore(store.id) { queue in
                    try queue.read { database in
                        let nextMail = try Outbox(database: database).nextDueTime()
                        let pending = try OrderStore(database: database)
                            .list(filter: OrderFilter(status: .pendingPayment, fulfillment: .unfulfilled), perPage: 1)
                        return (nextMail, pending.matchingCount)
                    }
                }
                visited += 1
                if let nextMail {
                    withMail += 1
                    app.shopJobs.mail.schedule(store.id, at: nextMail)
                }
                if pendingOrders > 0 {
                    withPendingOrders += 1
                    app.shopJobs.pendingOrders.insert(store.id)
                }
            } catch {
                app.logger.error("shop.scan_store_failed", ["store_id": store.id, "error": String(describing: error)])
            }
        }

        app.logger.info("shop.scan_finished", [
            "stores": visited, "with_queued_mail": withMail, "with_pending_orders": withPendingOrders,
            "duration_ms": Int(Date().timeIntervalSince(started) * 1000),
        ])
    }
}
