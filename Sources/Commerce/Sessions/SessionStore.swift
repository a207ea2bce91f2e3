import Crypto
import Foundation
import SQLite

/// Sessions kept in the store's own file, so a login to one store has no effect on
/// another.
///
/// A session ends after `idleTimeout` without a request or `absoluteTimeout` after it was
/// created, whichever comes first. `find(token:)` writes (to delete an expired row or record
/// activity), so it needs a connection that may write.
public struct SessionStore {
    public static let defaultIdleTimeout: TimeInterval = 12 * 60 * 60
    public static let defaultAbsoluteTimeout: TimeInterval = 30 * 24 * 60 * 60
    /// `last_seen_at` is written at most this often per session, in seconds, so busy
    /// sessions do not turn every page view into a write.
    public static let touchInterval: TimeInterval = 60

    public let database: Database
    public let idleTimeout: TimeInterval
    public let absoluteTimeout: TimeInterval
    private let now: @Sendable () -> Date

    public init(
        database: Database,
        idleTimeout: TimeInterval = SessionStore.defaultIdleTimeout,
        absoluteTimeout: TimeInterval = SessionStore.defaultAbsoluteTimeout,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.now = now
    }

    /// Starts a session and returns the token for its cookie, which exists only in the
    /// return value. Pass nil for an anonymous (shopper) session.
    ///
    /// - Throws: `CommerceError.notFound` when no staff member has `staffID`.
    public func create(staffID: Int64?) throws -> (token: String, session: Session) {
        try database.transaction(.immediate) { database in
            if let staffID {
                let exists = try database.scalar(
                    "SELECT EXISTS (SELECT 1 FROM staff_members WHERE id = ?)", staffID, as: Bool.self
                ) ?? false
                guard exists else { throw CommerceError.notFound(entity: "staff member", id: String(staffID)) }
            }

            let token = SecureRandom.token()
            let timestamp = now()
            let session = try database.queryFirst(
                """
                INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?)
                RETURNING \(Session.columns)
                """,
                SHA256.hash(token), staffID, SecureRandom.token(), timestamp, timestamp,
                map: Session.init(row:)
            )
            guard let session else {
                throw CommerceError.notFound(entity: "session", id: String(database.lastInsertRowID))
            }
            return (token, session)
        }
    }

    /// Returns the live session for a cookie's token, or nil when the token is unknown or the
    /// session has expired. Deletes an expired session, and records activity when the last
    /// record is at least `touchInterval` old.
    public func find(token: String) throws -> Session? {
        // Tokens from `create` are 43 characters; anything far longer is not one of ours and
        // need not be hashed.
        guard !token.isEmpty, token.utf8.count <= 256 else { return nil }

        let tokenHash = SHA256.hash(token)
        guard var session = try database.queryFirst(
            "SELECT \(Session.columns) FROM sessions WHERE token_hash = ?", tokenHash, map: Session.init(row:)
        ) else {
            return nil
        }

        let currentTime = now()
        guard currentTime < expiry(of: session) else {
            try database.run("DELETE FROM sessions WHERE id = ?", session.id)
            return nil
        }
        if currentTime.timeIntervalSince(session.lastSeenAt) >= Self.touchInterval {
            try database.run("UPDATE sessions SET last_seen_at = ? WHERE id = ?", currentTime, session.id)
            session.lastSeenAt = currentTime
        }
        return session
    }

    /// Looks up the session for a cookie's token without writing. Returns `.needsWrite`
    /// when `find(token:)` would write: to delete an expired session, or to record a visit
    /// because `last_seen_at` is at least `touchInterval` old. So most requests of a busy
    /// session need only a read transaction.
    public func findWithoutWriting(token: String) throws -> VisitLookup<Session> {
        guard !token.isEmpty, token.utf8.count <= 256 else { return .notFound }
        guard let session = try database.queryFirst(
            "SELECT \(Session.columns) FROM sessions WHERE token_hash = ?", SHA256.hash(token), map: Session.init(row:)
        ) else {
            return .notFound
        }

        let currentTime = now()
        if currentTime >= expiry(of: session) || currentTime.timeIntervalSince(session.lastSeenAt) >= Self.touchInterval {
            return .needsWrite
        }
        return .found(session)
    }

    /// Returns when `session` expires unless another request comes first: the earlier of its
    /// idle and absolute deadlines.
    public func expiry(of session: Session) -> Date {
        min(session.lastSeenAt.addingTimeInterval(idleTimeout), session.createdAt.addingTimeInterval(absoluteTimeout))
    }

    /// Returns whether `submitted` (the form field or header value) equals the session's CSRF
    /// token, comparing in constant time so response timing reveals nothing of the token.
    public func verifyCSRF(_ submitted: String?, for session: Session) -> Bool {
        guard let submitted, !submitted.isEmpty else { return false }
        return constantTimeEquals(submitted, session.csrfToken)
    }

    /// Ends the session with `token`, as logout does. An unknown token is ignored, so a
    /// repeated logout succeeds.
    public func destroy(token: String) throws {
        try database.run("DELETE FROM sessions WHERE token_hash = ?", SHA256.hash(token))
    }

    /// Ends session `id`, for example from a list of active sessions.
    public func destroy(id: Int64) throws {
        try database.run("DELETE FROM sessions WHERE id = ?", id)
    }

    /// Ends every session of staff member `staffID` except `keptSessionID`, for example after
    /// a password change, and returns how many ended.
    @discardableResult
    public func destroyAll(staffID: Int64, except keptSessionID: Int64? = nil) throws -> Int {
        try database.run("DELETE FROM sessions WHERE staff_id = ? AND id IS NOT ?", staffID, keptSessionID)
        return database.changes
    }

    /// Returns the live sessions of staff member `staffID`, most recently active first.
    public func sessions(staffID: Int64) throws -> [Session] {
        let (idleCutoff, absoluteCutoff) = cutoffs()
        return try database.query(
            """
            SELECT \(Session.columns) FROM sessions
            WHERE staff_id = ? AND last_seen_at > ? AND created_at > ?
            ORDER BY last_seen_at DESC, id DESC
            """,
            staffID, idleCutoff, absoluteCutoff,
            map: Session.init(row:)
        )
    }

    /// Deletes expired sessions and returns how many there were. `find` already ignores
    /// them, so this only reclaims space. Run it from a periodic job.
    @discardableResult
    public func purgeExpired() throws -> Int {
        let (idleCutoff, absoluteCutoff) = cutoffs()
        try database.run("DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?", idleCutoff, absoluteCutoff)
        return database.changes
    }

    /// Sessions last seen at or before the first value, or created at or before the second,
    /// have expired.
    private func cutoffs() -> (idle: Date, absolute: Date) {
        let currentTime = now()
        return (currentTime.addingTimeInterval(-idleTimeout), currentTime.addingTimeInterval(-absoluteTimeout))
    }
}
