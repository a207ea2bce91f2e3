import Foundation
import SQLite

/// A login or shopper session, identified by the token in its cookie. The token itself is
/// not stored: the row has its SHA-256, so a copy of the database cannot be used to log in.
public struct Session: Sendable, Hashable, Identifiable {
    public let id: Int64
    /// The logged-in staff member, nil for an anonymous session.
    public let staffID: Int64?
    /// The value forms must echo back on unsafe requests; see `SessionStore.verifyCSRF`.
    public let csrfToken: String
    public let createdAt: Date
    /// Written at most once per `SessionStore.touchInterval` (60 s), so it may lag the latest
    /// request by up to that long.
    public var lastSeenAt: Date

    static let columns = "id, staff_id, csrf_token, created_at, last_seen_at"

    init(row: Row) throws {
        id = try row.get("id")
        staffID = try row.get("staff_id")
        csrfToken = try row.get("csrf_token")
        createdAt = try row.get("created_at")
        lastSeenAt = try row.get("last_seen_at")
    }
}
