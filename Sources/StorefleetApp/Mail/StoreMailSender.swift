import Commerce
import Foundation
import HTTPServer
import Mail
import SQLite
import Synchronization
import Tenancy

/// Delivers the mail that stores queue in their outboxes, on `threadCount` background
/// threads.
///
/// Requests never send mail: they insert it into the store's outbox in the transaction
/// that makes the change, and after the commit they record the store in `MailSchedule`.
/// A thread takes the store whose mail is due first (the schedule never gives one store to
/// two threads at once), claims up to `batchSize` mails with `Outbox.claimDue` in one
/// transaction, and sends them with no database lock held. The file transport writes a
/// batch's files and then flushes them together. The thread then reports the results of
/// the whole batch in one more transaction: `markSent(ids:)` for the mails delivered,
/// and `markFailed` or `markFailedForGood` for the others, which schedules Commerce's
/// retries with backoff. It then puts the store back in the schedule for its next due
/// mail, if any.
///
/// No mail is lost: a mail stays in the store's file until it is marked sent or has
/// failed for good, and a claim that is never reported (the process stopped during a send)
/// lapses and is claimed again. Delivery is therefore at least once, and every attempt
/// of one outbox row carries the same Message-ID, so receivers can drop a duplicate.
final class StoreMailSender: Sendable {
    /// Mails claimed at once per store. A store with more is visited again at once.
    static let batchSize = 50
    /// The maximum sleep between checks of the schedule, in seconds.
    static let maximumWait: TimeInterval = 60
    /// How soon a store whose outbox could not be read is tried again, in seconds.
    static let retryAfterStoreError: TimeInterval = 60

    let app: Application
    let transport: StoreMailTransport
    /// Threads that deliver, each for a different store at a time.
    let threadCount: Int
    private let isStopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(app: Application, transport: StoreMailTransport, threadCount: Int = 2) {
        precondition(threadCount >= 1, "the mail sender needs at least one thread")
        self.app = app
        self.transport = transport
        self.threadCount = threadCount
    }

    private var schedule: MailSchedule { app.shopJobs.mail }
    private var logger: Logger { app.logger }

    /// Starts the sender's threads. Call once.
    func start() {
        for number in 1...threadCount {
            let thread = Thread { [self] in
                while let storeID = schedule.waitForDueStore(clock: app.clock, maximumWait: Self.maximumWait) {
                    deliverDueMail(storeID: storeID)
                    schedule.finish(storeID)
                }
                finished.signal()
            }
            thread.name = "storefleet-mail-sender-\(number)"
            thread.start()
        }
    }

    /// Stops the threads after the mail, or the file transport's batch, they are sending,
    /// and waits for them. Mail they claimed but had not started is queued again at once. Call once, after `start()`.
    func stop() {
        isStopping.store(true, ordering: .relaxed)
        schedule.stop()
        for _ in 0..<threadCount {
            finished.wait()
        }
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

    private func nextDueTime(storeID: String) throws -> Date? {
        try app.pool.withStore(storeID) { queue in
            try queue.read { database in try Outbox(database: database).nextDueTime() }
        }
    }

    // MARK: - One batch

    /// The result of one claimed mail, recorded with the rest of its batch.
    private enum Outcome {
        case sent
        case failed(error: String, permanent: Bool)
        /// The server is stopping and the mail was not sent: it is queued again at once.
        case released
    }

    private func deliver(_ batch: Batch, storeID: String) {
        guard !batch.messages.isEmpty else { return }
        var outcomes: [Outcome?] = Array(repeating: nil, count: batch.messages.count)

        // A stored mail that cannot become a valid message (an address outside the ASCII
        // form that SMTP without SMTPUTF8 accepts) fails for good, since retrying cannot help.
        var envelopes: [(index: Int, message: MailMessage)] = []
        for (index, message) in batch.messages.enumerated() {
            do {
                envelopes.append((index, try envelope(message, batch: batch, storeID: storeID)))
            } catch {
                outcomes[index] = .failed(error: String(describing: error), permanent: true)
            }
        }

        let storeTransport = transport.transport(forStore: storeID)
        if transport.sendsBatchesAtOnce {
            let results = isStopping.load(ordering: .relaxed) ? nil : storeTransport.send(envelopes.map(\.message))
            for (position, item) in envelopes.enumerated() {
                outcomes[item.index] = results.map { Self.outcome($0[position]) } ?? .released
            }
        } else {
            // One at a time, so that a stop waits for one mail server dialogue at most.
            for item in envelopes {
                if isStopping.load(ordering: .relaxed) {
                    outcomes[item.index] = .released
                    continue
                }
                outcomes[item.index] = Self.outcome(Result { () throws(MailTransportError) in try storeTransport.send(item.message) })
            }
        }

        record(zip(batch.messages, outcomes.map { $0 ?? .released }).map { ($0, $1) }, storeID: storeID)
    }

    private static func outcome(_ result: Result<Void, MailTransportError>) -> Outcome {
        switch result {
        case .success: return .sent
        case .failure(let error): return .failed(error: error.description, permanent: error.isPermanent)
        }
    }

    /// Records the outcome of every mail of a batch in one transaction, then logs each.
    private func record(_ results: [(OutboxMessage, Outcome)], storeID: String) {
        let now = app.clock.now()
        let gaveUp: Set<Int64>
        do {
            gaveUp = try app.pool.withStore(storeID) { queue in
                try queue.write { database in
                    let outbox = Outbox(database: database, now: { now })
                    var gaveUp = Set<Int64>()
                    let sentIDs = results.compactMap { message, outcome -> Int64? in
                        if case .sent = outcome { return message.id }
                        return nil
                    }
                    for id in try outbox.markSent(ids: sentIDs) {
                        // Its claim lapsed and another attempt reported first, so the
                        // mail went out twice with the same Message-ID.
                        logger.warning("mail.mark_sent_skipped", ["store_id": storeID, "outbox_id": id])
                    }
                    for (message, outcome) in results {
                        switch outcome {
                        case .sent:
                            continue
                        case .failed(let error, permanent: true):
                            _ = try outbox.markFailedForGood(id: message.id, error: error)
                            gaveUp.insert(message.id)
                        case .failed(let error, permanent: false):
                            if try outbox.markFailed(id: message.id, error: error).status == .failed {
                                gaveUp.insert(message.id)
                            }
                        case .released:
                            try outbox.markFailed(id: message.id, error: "The server stopped before this mail was sent.", retryAt: now)
                        }
                    }
                    return gaveUp
                }
            }
            app.shopJobs.checkpoints.noteWrite(storeID)
        } catch {
            // The claims lapse and the mails are tried again, so nothing is lost. Those
            // that went out go out a second time with the same Message-ID.
            logger.error("mail.record_results_failed", [
                "store_id": storeID, "count": results.count, "error": String(describing: error),
            ])
            return
        }

        for (message, outcome) in results {
            switch outcome {
            case .sent:
                logger.info("mail.sent", [
                    "store_id": storeID, "outbox_id": message.id, "kind": message.mail.kind.rawValue, "attempt": message.attempts,
                ])
            case .failed(let error, let permanent):
                logger.warning("mail.failed", [
                    "store_id": storeID, "outbox_id": message.id, "kind": message.mail.kind.rawValue,
                    "attempt": message.attempts, "permanent": permanent, "gave_up": gaveUp.contains(message.id),
                    "error": Self.withoutAddresses(error),
                ])
            case .released:
                continue
            }
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

    /// Replaces every word with an `@` in `text` by `<address>`, because logs must not
    /// hold mail addresses and SMTP replies often quote the recipient.
    static func withoutAddresses(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.contains("@") ? "<address>" : String($0) }
            .joined(separator: " ")
    }
}
