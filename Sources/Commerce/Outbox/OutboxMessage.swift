import Foundation
import SQLite

/// The delivery state of a mail in the outbox.
public enum OutboxStatus: String, Sendable, CaseIterable {
    /// Waiting for its next attempt.
    case queued
    /// Claimed by a sender. If the sender stops before reporting back, the claim lapses and
    /// the mail is claimed again.
    case sending
    case sent
    /// Every attempt failed; the mail stays until staff send it again.
    case failed
}

/// A mail stored in the outbox, with its delivery state.
public struct OutboxMessage: Sendable, Hashable, Identifiable {
    public let id: Int64
    public let mail: OutgoingMail
    public let status: OutboxStatus
    /// Attempts made since the mail was queued or last sent again; a claim counts as one.
    public let attempts: Int
    /// For `queued`, when the next attempt is due; for `sending`, when the claim lapses.
    public let nextAttemptAt: Date
    public let lastError: String?
    public let createdAt: Date
    public let sentAt: Date?

    static let columns = """
        id, kind, to_address, to_name, subject, text_body, html_body, order_id, status, attempts,
        next_attempt_at, last_error, created_at, sent_at
        """

    init(row: Row) throws {
        id = try row.get("id")
        mail = OutgoingMail(
            toAddress: try row.get("to_address"),
            toName: try row.get("to_name"),
            subject: try row.get("subject"),
            textBody: try row.get("text_body"),
            htmlBody: try row.get("html_body"),
            kind: MailKind(rawValue: try row.get("kind")),
            relatedOrderID: try row.get("order_id")
        )
        let statusText: String = try row.get("status")
        guard let status = OutboxStatus(rawValue: statusText) else {
            throw CommerceError.corruptRecord(table: "outbox", column: "status", value: statusText)
        }
        self.status = status
        attempts = try row.get("attempts")
        nextAttemptAt = try row.get("next_attempt_at")
        lastError = try row.get("last_error")
        createdAt = try row.get("created_at")
        sentAt = try row.get("sent_at")
    }
}

/// Outbox calls that the row's state does not allow.
public enum OutboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `markSent` or `markFailed` for a mail that is not claimed: it was never claimed, or
    /// its claim lapsed and another sender took it.
    case notClaimed(id: Int64, status: OutboxStatus)
    /// `retry` for a mail that is already waiting or being sent.
    case alreadyQueued(id: Int64)

    public var description: String {
        switch self {
        case .notClaimed(let id, let status):
            return "Mail \(id) is \(status.rawValue), not being sent, so its result cannot be recorded; claim it with claimDue first."
        case .alreadyQueued(let id):
            return "Mail \(id) is already waiting to be sent; it needs no retry."
        }
    }
}
