import Foundation
import SQLite

/// Mail waiting to be sent from this store, kept in the store's file.
///
/// Code that changes data enqueues its mails in the same transaction as the change, so a
/// mail exists exactly when its change was committed. A sender, built elsewhere, claims due
/// mails with `claimDue`, sends them, and reports each result with `markSent` or
/// `markFailed`. Delivery is at least once: a sender that stops after sending but before
/// `markSent` leaves the claim to lapse, and the mail goes out again.
public struct Outbox {
    /// How often and how soon a failed mail is tried again.
    public struct RetryPolicy: Sendable, Equatable {
        /// Attempts before a mail stays `failed`.
        public var maximumAttempts: Int
        /// Delay after the first failed attempt, in seconds; it doubles after each failure.
        public var initialDelay: TimeInterval
        /// The maximum delay between attempts, in seconds.
        public var maximumDelay: TimeInterval

        /// 8 attempts, the second 30 s after the first fails, each delay doubling up to at
        /// most 1 h. The delays are 30 s, 1, 2, 4, 8, 16 and 32 min, so the last attempt
        /// comes about 64 minutes after the first.
        public static let `default` = RetryPolicy(maximumAttempts: 8, initialDelay: 30, maximumDelay: 60 * 60)

        public init(maximumAttempts: Int, initialDelay: TimeInterval, maximumDelay: TimeInterval) {
            precondition(maximumAttempts >= 1, "a mail needs at least one attempt")
            self.maximumAttempts = maximumAttempts
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
        }

        /// Returns the delay before the attempt after failed attempt number `attempt`
        /// (counted from 1): `initialDelay × 2^(attempt − 1)`, at most `maximumDelay`.
        public func delay(afterAttempt attempt: Int) -> TimeInterval {
            let exponent = max(0, min(attempt - 1, 30))
            return min(initialDelay * Double(1 << exponent), maximumDelay)
        }
    }

    /// A claimed mail not reported back within this many seconds (10 minutes) may be
    /// claimed again.
    public static let defaultClaimLease: TimeInterval = 10 * 60
    /// Error texts are cut to this many characters, enough for an SMTP reply.
    public static let maximumErrorLength = 1_000
    public static let maximumPerPage = 100

    public let database: Database
    public let retryPolicy: RetryPolicy
    public let claimLease: TimeInterval
    private let now: @Sendable () -> Date

    public init(
        database: Database,
        retryPolicy: RetryPolicy = .default,
        claimLease: TimeInterval = Outbox.defaultClaimLease,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.retryPolicy = retryPolicy
        self.claimLease = claimLease
        self.now = now
    }

    // MARK: - Enqueueing

    /// Validates `mail` and queues it, due at once, inside the caller's transaction when one
    /// is open. Returns the new row's id.
    ///
    /// - Throws: `ValidationErrors` naming each invalid field; nothing is written then.
    @discardableResult
    public func enqueue(_ mail: OutgoingMail) throws -> Int64 {
        try database.transaction(.immediate) { database in
            try Self.enqueue([mail], at: now(), in: database)[0]
        }
    }

    /// Validates and inserts `mails` in `database`'s open transaction, due at `time`.
    static func enqueue(_ mails: [OutgoingMail], at time: Date, in database: Database) throws -> [Int64] {
        let validated = try mails.map { try $0.validated() }
        var ids: [Int64] = []
        for mail in validated {
            try database.run(
                """
                INSERT INTO outbox
                    (kind, to_address, to_name, subject, text_body, html_body, order_id, status, attempts,
                     next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)
                """,
                mail.kind.rawValue, mail.toAddress, mail.toName, mail.subject, mail.textBody, mail.htmlBody,
                mail.relatedOrderID, time, time
            )
            ids.append(database.lastInsertRowID)
        }
        return ids
    }

    // MARK: - Sending

    /// Claims up to `limit` mails whose attempt is due at `time` (the store clock's time when
    /// nil), oldest due first, and returns them. Each claim counts as an attempt and
    /// lasts `claimLease`. A mail whose claim lapsed after its last allowed attempt is
    /// marked failed instead of being claimed again.
    public func claimDue(limit: Int, now time: Date? = nil) throws -> [OutboxMessage] {
        guard limit > 0 else { return [] }
        let time = time ?? now()

        return try database.transaction(.immediate) { database in
            try database.run(
                """
                UPDATE outbox
                SET status = 'failed',
                    last_error = 'The sender stopped during the last attempt without reporting a result.'
                WHERE status = 'sending' AND next_attempt_at <= ? AND attempts >= ?
                """,
                time, retryPolicy.maximumAttempts
            )

            let ids = try database.query(
                """
                SELECT id FROM outbox
                WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?
                ORDER BY next_attempt_at, id
                LIMIT ?
                """,
                time, limit,
                map: { try $0.get("id", as: Int64.self) }
            )
            var claimed: [OutboxMessage] = []
            for id in ids {
                let message = try database.queryFirst(
                    """
                    UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
                    WHERE id = ?
                    RETURNING \(OutboxMessage.columns)
                    """,
                    time.addingTimeInterval(claimLease), id,
                    map: OutboxMessage.init(row:)
                )
                if let message {
                    claimed.append(message)
                }
            }
            return claimed
        }
    }

    /// Records that claimed mail `id` was handed to the mail server.
    ///
    /// - Throws: `OutboxError.notClaimed` when the mail is not being sent,
    ///   `CommerceError.notFound` for an unknown id.
    public func markSent(id: Int64) throws {
        try database.transaction(.immediate) { database in
            _ = try requireClaimed(id, in: database)
            try database.run(
                "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", now(), id
            )
        }
    }

    /// Records that the claimed mails `ids` were handed to the mail server, in one
    /// transaction, for a sender that delivers a batch. An id that is no longer claimed (its
    /// claim lapsed and was reported by another sender, or it is unknown) is skipped, so
    /// one stale id does not leave the rest of the batch to be sent again.
    ///
    /// - Returns: the ids that were not marked sent, in the order given.
    @discardableResult
    public func markSent(ids: [Int64]) throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        return try database.transaction(.immediate) { database in
            let time = now()
            var skipped: [Int64] = []
            for id in ids {
                try database.run(
                    "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ? AND status = 'sending'",
                    time, id
                )
                if database.changes == 0 {
                    skipped.append(id)
                }
            }
            return skipped
        }
    }

    /// Records a failed attempt of claimed mail `id`. The mail is queued again for
    /// `retryAt`, or after the retry policy's delay when nil, unless this was its last
    /// allowed attempt: then it stays `failed` until someone calls `retry(id:)`.
    ///
    /// - Parameter error: what went wrong, such as the mail server's reply; cut to
    ///   `maximumErrorLength` characters. It must not contain secrets.
    /// - Returns: the mail as it is afterwards.
    /// - Throws: `OutboxError.notClaimed` when the mail is not being sent,
    ///   `CommerceError.notFound` for an unknown id.
    @discardableResult
    public func markFailed(id: Int64, error: String, retryAt: Date? = nil) throws -> OutboxMessage {
        try database.transaction(.immediate) { database in
            let message = try requireClaimed(id, in: database)
            let errorText = String(error.prefix(Self.maximumErrorLength))

            if message.attempts >= retryPolicy.maximumAttempts {
                try database.run("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", errorText, id)
            } else {
                let due = retryAt ?? now().addingTimeInterval(retryPolicy.delay(afterAttempt: message.attempts))
                try database.run(
                    "UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = ? WHERE id = ?",
                    due, errorText, id
                )
            }
            return try require(id, in: database)
        }
    }

    /// Records that claimed mail `id` failed for good: it stays `failed`, whatever attempts
    /// it has left, until someone calls `retry(id:)`. For a failure that retrying cannot
    /// fix, such as an address the mail server rejected as unknown.
    ///
    /// - Parameter error: what went wrong; cut to `maximumErrorLength` characters. It must
    ///   not contain secrets.
    /// - Returns: the mail as it is afterwards.
    /// - Throws: `OutboxError.notClaimed` when the mail is not being sent,
    ///   `CommerceError.notFound` for an unknown id.
    @discardableResult
    public func markFailedForGood(id: Int64, error: String) throws -> OutboxMessage {
        try database.transaction(.immediate) { database in
            _ = try requireClaimed(id, in: database)
            try database.run(
                "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?",
                String(error.prefix(Self.maximumErrorLength)), id
            )
            return try require(id, in: database)
        }
    }

    /// Returns when the next queued mail is due, or nil when no mail is queued or being
    /// sent. A mail being sent counts at the end of its claim, when it may be claimed again.
    /// The time may be in the past: the mail is due now.
    public func nextDueTime() throws -> Date? {
        try database.scalar(
            "SELECT min(next_attempt_at) FROM outbox WHERE status IN ('queued', 'sending')", as: Date.self
        )
    }

    // MARK: - Admin

    /// Queues failed or sent mail `id` again, due at once and with its attempts reset, for a
    /// "send again" button.
    ///
    /// - Throws: `OutboxError.alreadyQueued` when the mail is queued or being sent,
    ///   `CommerceError.notFound` for an unknown id.
    @discardableResult
    public func retry(id: Int64) throws -> OutboxMessage {
        try database.transaction(.immediate) { database in
            let message = try require(id, in: database)
            guard message.status == .failed || message.status == .sent else {
                throw OutboxError.alreadyQueued(id: id)
            }
            try database.run(
                "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, sent_at = NULL WHERE id = ?",
                now(), id
            )
            return try require(id, in: database)
        }
    }

    public func find(id: Int64) throws -> OutboxMessage? {
        try Self.find(id: id, in: database)
    }

    /// Returns one page of mails, newest first, optionally only those with `status`.
    ///
    /// - Parameters:
    ///   - page: 1-based; values below 1 read as 1.
    ///   - perPage: clamped to 1...`maximumPerPage`.
    public func list(page: Int = 1, perPage: Int = 50, status: OutboxStatus? = nil) throws -> Page<OutboxMessage> {
        let page = max(1, page)
        let perPage = min(max(1, perPage), Self.maximumPerPage)
        let condition = status == nil ? "" : "WHERE status = ?"
        let filterArguments: [(any SQLValueConvertible)?] = status.map { [$0.rawValue] } ?? []

        let total = try database.scalar(
            "SELECT count(*) FROM outbox \(condition)", arguments: StatementArguments(filterArguments), as: Int.self
        ) ?? 0
        let items = try database.query(
            "SELECT \(OutboxMessage.columns) FROM outbox \(condition) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            arguments: StatementArguments(filterArguments + [perPage, (page - 1) * perPage]),
            map: OutboxMessage.init(row:)
        )
        return Page(items: items, page: page, perPage: perPage, totalCount: total)
    }

    /// Returns the mails of order `orderID`, oldest first, for the order page.
    public func messages(orderID: Int64) throws -> [OutboxMessage] {
        try database.query(
            "SELECT \(OutboxMessage.columns) FROM outbox WHERE order_id = ? ORDER BY created_at, id", orderID,
            map: OutboxMessage.init(row:)
        )
    }

    /// Returns how many mails gave up, for a warning in the admin.
    public func failedCount() throws -> Int {
        try database.scalar("SELECT count(*) FROM outbox WHERE status = 'failed'", as: Int.self) ?? 0
    }

    /// Deletes mails sent at or before `age` seconds ago and returns how many there were.
    /// Failed and queued mails are kept whatever their age.
    @discardableResult
    public func purgeSent(olderThan age: TimeInterval) throws -> Int {
        try database.transaction(.immediate) { database in
            try database.run("DELETE FROM outbox WHERE status = 'sent' AND sent_at <= ?", now().addingTimeInterval(-age))
            return database.changes
        }
    }

    // MARK: - Helpers

    private static func find(id: Int64, in database: Database) throws -> OutboxMessage? {
        try database.queryFirst(
            "SELECT \(OutboxMessage.columns) FROM outbox WHERE id = ?", id, map: OutboxMessage.init(row:)
        )
    }

    private func require(_ id: Int64, in database: Database) throws -> OutboxMessage {
        guard let message = try Self.find(id: id, in: database) else {
            throw CommerceError.notFound(entity: "mail", id: String(id))
        }
        return message
    }

    private func requireClaimed(_ id: Int64, in database: Database) throws -> OutboxMessage {
        let message = try require(id, in: database)
        guard message.status == .sending else {
            throw OutboxError.notClaimed(id: id, status: message.status)
        }
        return message
    }
}
