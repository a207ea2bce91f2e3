import Commerce
import Foundation
import HTTPServer
import Mail
import SQLite
import Synchronization
import Tenancy

/// Delivers the mail that stores queue in their outboxes, on one background thread.
///
/// Requests never send mail: they insert it into the store's outbox in the transaction
/// that makes the change, and after the commit they record the store in `MailSchedule`.
/// This thread takes the store whose mail is due first, claims up to `batchSize` mails
/// with `Outbox.claimDue`, sends each one with no database lock held, and reports the
/// result with `markSent` or `markFailed`, which schedules Commerce's retries with backoff.
/// It then puts the store back in the schedule for its next due mail, if any.
///
/// No mail is lost: a mail stays in the store's file until it is marked sent or has
/// failed for good, and a claim that is never reported (the process stopped during a send)
/// lapses and is claimed again. Delivery is therefore at least once, and every attempt
/// of one outbox row carries the same Message-ID, so receivers can drop a duplicate.
final class StoreMailSender: Sendable {
    /// Mails claimed at once per store. A store with more is visited again at once.
    static let batchSize = 20
    /// The maximum sleep between checks of the schedule, in seconds.
    static let maximumWait: TimeInterval = 60
    /// How soon a store whose outbox could not be read is tried again, in seconds.
    static let retryAfterStoreError: TimeInterval = 60

    let app: Application
    let transport: StoreMailTransport
    private let isStopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(app: Application, transport: StoreMailTransport) {
        self.app = app
        self.transport = transport
    }

    private var schedule: MailSchedule { app.shopJobs.mail }
    private var logger: Logger { app.logger }

    /// Starts the sender's thread. Call once.
    func start() {
        let thread = Thread { [self] in
            while let storeID = schedule.waitForDueStore(clock: app.clock, maximumWait: Self.maximumWait) {
                deliverDueMail(storeID: storeID)
            }
            finished.signal()
        }
        thread.name = "storefleet-mail-sender"
        thread.start()
    }

    /// Stops the thread after the mail it is sending, and waits for it. Mail it claimed but
    /// had not started is queued again at once. Call once, after `start()`.
    func stop() {
        isStopping.store(true, ordering: .relaxed)
        schedule.stop()
        finished.wait()
    }

    // MARK: - One store

    /// Delivers the mail of `storeID` that is due now, then schedules the store's next due
    /// mail. Errors are logged, never thrown: a store that cannot be read is tried again
    /// after `retryAfterStoreError` seconds.
    func deliverDueMail(storeID: String) {
        do {
            guard let record = try app.catalog.store(id: storeID), record.state == .ready else {
                logger.info("mail.store_skipped", ["store_id": storeID, "reason": "the store is deleted or not ready"])
                return
            }
            if record.status == .suspended {
                // The mail stays queued; the start-up scan finds it once the store is
                // reinstated and the server restarts, as does the next mail it queues.
                logger.info("mail.store_skipped", ["store_id": storeID, "reason": "the store is suspended"])
                return
            }

            while !isStopping.load(ordering: .relaxed) {
                let batch = try claimBatch(record)
                deliver(batch, storeID: storeID)
                if batch.messages.count < Self.batchSize { break }
            }

            if let next = try nextDueTime(storeID: storeID) {
                schedule.schedule(storeID, at: next)
            }
        } catch {
            logger.error("mail.store_failed", [
                "store_id": storeID, "error": String(describing: error),
                "retry_in_seconds": Int(Self.retryAfterStoreError),
            ])
            schedule.schedule(storeID, at: app.clock.now().addingTimeInterval(Self.retryAfterStoreError))
        }
    }

    /// What one claim returns: the mails, and the store's details their envelope needs.
    struct Batch {
        var messages: [OutboxMessage]
        var storeName: String
        var contactEmail: String
        /// The shopper's address of each order a new-order notice is about, so the
        /// merchant's reply goes to the shopper.
        var shopperAddresses: [Int64: String]
    }

    private func claimBatch(_ record: StoreRecord) throws -> Batch {
        let now = app.clock.now()
        return try app.pool.withStore(record.id) { queue in
            try queue.write { database in
                let settings = try StoreSettings.load(from: database)
                let messages = try Outbox(database: database, now: { now }).claimDue(limit: Self.batchSize)
                var shopperAddresses: [Int64: String] = [:]
                let orders = OrderStore(database: database, now: { now })
                for message in messages where message.mail.kind == .newOrderNotification {
                    if let orderID = message.mail.relatedOrderID, let order = try orders.find(id: orderID) {
                        shopperAddresses[orderID] = order.email
                    }
                }
                return Batch(
                    messages: messages,
                    storeName: settings.storeName.isEmpty ? record.name : settings.storeName,
                    contactEmail: settings.contactEmail,
                    shopperAddresses: shopperAddresses
                )
            }
        }
    }

    /// Returns when the store's next queued mail is due, or nil when none is queued.
    private func nextDueTime(storeID: String) throws -> Date? {
        try app.pool.withStore(storeID) { queue in
            try queue.read { database in
                // TODO: move this query into Outbox as a public call; it reads the outbox
                // table's columns, which Commerce owns.
                try database.scalar(
                    "SELECT min(next_attempt_at) FROM outbox WHERE status IN ('queued', 'sending')", as: Date.self
                )
            }
        }
    }

    // MARK: - One mail

    private func deliver(_ batch: Batch, storeID: String) {
        let storeTransport = transport.transport(forStore: storeID)
        for (index, message) in batch.messages.enumerated() {
            if isStopping.load(ordering: .relaxed) {
                release(Array(batch.messages[index...]), storeID: storeID)
                return
            }
            deliver(message, batch: batch, storeID: storeID, through: storeTransport)
        }
    }

    private func deliver(_ message: OutboxMessage, batch: Batch, storeID: String, through storeTransport: any MailTransport) {
        let mailMessage: MailMessage
        do {
            mailMessage = try envelope(message, batch: batch, storeID: storeID)
        } catch {
            // The stored mail cannot become a valid message (an address outside the
            // ASCII form that SMTP without SMTPUTF8 accepts), so retrying cannot help.
            recordFailure(message, storeID: storeID, error: String(describing: error), permanent: true)
            return
        }

        do {
            try storeTransport.send(mailMessage)
        } catch {
            recordFailure(message, storeID: storeID, error: error.description, permanent: error.isPermanent)
            return
        }

        do {
            let now = app.clock.now()
            try app.pool.withStore(storeID) { queue in
                try queue.write { database in try Outbox(database: database, now: { now }).markSent(id: message.id) }
            }
            logger.info("mail.sent", [
                "store_id": storeID, "outbox_id": message.id, "kind": message.mail.kind.rawValue, "attempt": message.attempts,
            ])
        } catch {
            // The mail went out but the store file did not record it, so the claim lapses
            // and the mail goes out a second time with the same Message-ID.
            logger.error("mail.mark_sent_failed", [
                "store_id": storeID, "outbox_id": message.id, "error": String(describing: error),
            ])
        }
    }

    /// Builds the message for one outbox row: from the store's name at the platform's
    /// sending address, replies to the store's contact address (to the shopper for a
    /// new-order notice), and a Message-ID made of the row's and the store's ids.
    private func envelope(_ message: OutboxMessage, batch: Batch, storeID: String) throws -> MailMessage {
        let configuration = app.configuration
        let mail = message.mail
        let from = try MailAddress(configuration.mailFromAddress, name: batch.storeName)
        let recipient = try MailAddress(mail.toAddress, name: mail.toName)

        var replyAddress = batch.contactEmail
        if mail.kind == .newOrderNotification, let orderID = mail.relatedOrderID, let shopper = batch.shopperAddresses[orderID] {
            replyAddress = shopper
        }
        // A reply address the mail format cannot carry leaves replies going to `from`,
        // which is better than not sending the mail at all.
        let replyTo = replyAddress.isEmpty ? nil : try? MailAddress(replyAddress)

        return try MailMessage(
            from: from,
            to: [recipient],
            replyTo: replyTo,
            subject: mail.subject,
            textBody: mail.textBody,
            htmlBody: mail.htmlBody,
            messageID: "\(message.id).\(storeID)@\(configuration.mailDomain)",
            date: app.clock.now()
        )
    }

    private func recordFailure(_ message: OutboxMessage, storeID: String, error: String, permanent: Bool) {
        let now = app.clock.now()
        do {
            let status: OutboxStatus = try app.pool.withStore(storeID) { queue in
                try queue.write { database in
                    if permanent {
                        try Self.markPermanentlyFailed(message.id, error: error, in: database)
                        return .failed
                    }
                    return try Outbox(database: database, now: { now }).markFailed(id: message.id, error: error).status
                }
            }
            logger.warning("mail.failed", [
                "store_id": storeID, "outbox_id": message.id, "kind": message.mail.kind.rawValue,
                "attempt": message.attempts, "permanent": permanent, "gave_up": status == .failed,
                "error": Self.withoutAddresses(error),
            ])
        } catch {
            // The claim lapses and the mail is tried again, so nothing is lost.
            logger.error("mail.mark_failed_failed", [
                "store_id": storeID, "outbox_id": message.id, "error": String(describing: error),
            ])
        }
    }

    /// Queues claimed mails again at once, for a stop that comes before they were sent.
    /// Each keeps the attempt its claim counted.
    private func release(_ messages: [OutboxMessage], storeID: String) {
        let now = app.clock.now()
        do {
            try app.pool.withStore(storeID) { queue in
                try queue.write { database in
                    let outbox = Outbox(database: database, now: { now })
                    for message in messages {
                        try outbox.markFailed(id: message.id, error: "The server stopped before this mail was sent.", retryAt: now)
                    }
                }
            }
        } catch {
            logger.error("mail.release_failed", ["store_id": storeID, "count": messages.count, "error": String(describing: error)])
        }
    }

    /// Marks claimed mail `id` as failed for good, as `markFailed` does after the last
    /// allowed attempt.
    private static func markPermanentlyFailed(_ id: Int64, error: String, in database: Database) throws {
        // TODO: Outbox.markFailed always queues a retry until the attempts run out; it
        // needs a flag for failures that retrying cannot fix, so this update can go.
        try database.run(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ? AND status = 'sending'",
            String(error.prefix(Outbox.maximumErrorLength)), id
        )
    }

    /// Replaces every word with an `@` in `text` by `<address>`, because logs must not
    /// hold mail addresses and SMTP replies often quote the recipient.
    static func withoutAddresses(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.contains("@") ? "<address>" : String($0) }
            .joined(separator: " ")
    }
}
