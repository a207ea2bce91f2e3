import Commerce
import Crypto
import Foundation
import SQLite
import Testing

@Suite struct SessionStoreTests {
    private func storeWithOwner() throws -> (TestStore, StaffMember) {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: "correct horse battery")
        return (store, owner)
    }

    @Test func createStoresOnlyTokenHash() throws {
        let (store, owner) = try storeWithOwner()
        let (token, session) = try store.sessions.create(staffID: owner.id)

        #expect(token.count == 43)
        #expect(session.staffID == owner.id)
        #expect(session.csrfToken.count == 43)
        #expect(session.csrfToken != token)
        #expect(session.createdAt == store.clock.now)

        let storedHash = try store.database.scalar("SELECT token_hash FROM sessions", as: [UInt8].self)
        #expect(storedHash == SHA256.hash(token))
        #expect(try store.database.scalar("SELECT count(*) FROM sessions WHERE csrf_token = ?", token, as: Int.self) == 0)

        #expect(try store.sessions.find(token: token) == session)
    }

    @Test func anonymousSessionsAreAllowed() throws {
        let store = try TestStore()
        let (token, session) = try store.sessions.create(staffID: nil)
        #expect(session.staffID == nil)
        #expect(try store.sessions.find(token: token)?.id == session.id)
    }

    @Test func unknownStaffIsRejected() throws {
        let store = try TestStore()
        #expect(throws: CommerceError.notFound(entity: "staff member", id: "7")) {
            try store.sessions.create(staffID: 7)
        }
    }

    @Test func unknownTokensFindNothing() throws {
        let store = try TestStore()
        _ = try store.sessions.create(staffID: nil)
        #expect(try store.sessions.find(token: "") == nil)
        #expect(try store.sessions.find(token: "not-a-session") == nil)
        #expect(try store.sessions.find(token: String(repeating: "a", count: 10_000)) == nil)
    }

    @Test func idleSessionExpires() throws {
        let (store, owner) = try storeWithOwner()
        let (token, session) = try store.sessions.create(staffID: owner.id)

        store.clock.advance(by: 12 * 60 * 60 - 1)
        #expect(try store.sessions.find(token: token)?.id == session.id)

        store.clock.advance(by: 12 * 60 * 60)
        #expect(try store.sessions.find(token: token) == nil)
        #expect(try store.database.scalar("SELECT count(*) FROM sessions", as: Int.self) == 0)
    }

    @Test func activityIsRecordedAtMostOncePerMinute() throws {
        let store = try TestStore()
        let (token, session) = try store.sessions.create(staffID: nil)

        store.clock.advance(by: 30)
        #expect(try store.sessions.find(token: token)?.lastSeenAt == session.createdAt)

        store.clock.advance(by: 30)
        let touched = try store.sessions.find(token: token)
        #expect(touched?.lastSeenAt == store.clock.now)
        #expect(try store.database.scalar("SELECT last_seen_at FROM sessions", as: Date.self) == store.clock.now)
    }

    @Test func absoluteTimeoutEndsActiveSession() throws {
        let (store, owner) = try storeWithOwner()
        let (token, session) = try store.sessions.create(staffID: owner.id)

        // A request every 11 hours keeps the session from idling out...
        var elapsed: TimeInterval = 0
        while elapsed + 11 * 60 * 60 < 30 * 24 * 60 * 60 {
            store.clock.advance(by: 11 * 60 * 60)
            elapsed += 11 * 60 * 60
            #expect(try store.sessions.find(token: token)?.id == session.id)
        }
        // ...until 30 days after its creation.
        store.clock.advance(by: 30 * 24 * 60 * 60 - elapsed)
        #expect(try store.sessions.find(token: token) == nil)
    }

    @Test func timeoutsAreParameters() throws {
        let store = try TestStore()
        let shortLived = SessionStore(database: store.database, idleTimeout: 60, absoluteTimeout: 90, now: store.clock.closure)
        let (token, session) = try shortLived.create(staffID: nil)
        #expect(shortLived.expiry(of: session) == session.createdAt.addingTimeInterval(60))

        store.clock.advance(by: 59)
        #expect(try shortLived.find(token: token) != nil)
        store.clock.advance(by: 59)
        #expect(try shortLived.find(token: token) == nil)
    }

    @Test func csrfTokenIsCheckedExactly() throws {
        let store = try TestStore()
        let (_, session) = try store.sessions.create(staffID: nil)
        let sessions = store.sessions

        #expect(sessions.verifyCSRF(session.csrfToken, for: session))
        #expect(!sessions.verifyCSRF(nil, for: session))
        #expect(!sessions.verifyCSRF("", for: session))
        #expect(!sessions.verifyCSRF(String(session.csrfToken.dropLast()), for: session))
        #expect(!sessions.verifyCSRF(session.csrfToken + "x", for: session))
        #expect(!sessions.verifyCSRF(session.csrfToken.uppercased(), for: session))

        let (_, other) = try store.sessions.create(staffID: nil)
        #expect(other.csrfToken != session.csrfToken)
        #expect(!sessions.verifyCSRF(other.csrfToken, for: session))
    }

    @Test func destroyEndsOneSession() throws {
        let store = try TestStore()
        let (token, _) = try store.sessions.create(staffID: nil)
        let (otherToken, other) = try store.sessions.create(staffID: nil)

        try store.sessions.destroy(token: token)
        try store.sessions.destroy(token: token)
        #expect(try store.sessions.find(token: token) == nil)
        #expect(try store.sessions.find(token: otherToken)?.id == other.id)

        try store.sessions.destroy(id: other.id)
        #expect(try store.sessions.find(token: otherToken) == nil)
    }

    @Test func destroyAllKeepsCurrentSession() throws {
        let (store, owner) = try storeWithOwner()
        let tokens = try (1...3).map { _ in try store.sessions.create(staffID: owner.id) }
        let (anonymousToken, _) = try store.sessions.create(staffID: nil)

        #expect(try store.sessions.sessions(staffID: owner.id).count == 3)
        #expect(try store.sessions.destroyAll(staffID: owner.id, except: tokens[0].session.id) == 2)
        #expect(try store.sessions.find(token: tokens[0].token) != nil)
        #expect(try store.sessions.find(token: tokens[1].token) == nil)
        #expect(try store.sessions.find(token: anonymousToken) != nil)

        #expect(try store.sessions.destroyAll(staffID: owner.id) == 1)
        #expect(try store.sessions.sessions(staffID: owner.id).isEmpty)
    }

    @Test func purgeDeletesOnlyExpired() throws {
        let store = try TestStore()
        let (oldToken, _) = try store.sessions.create(staffID: nil)
        store.clock.advance(by: 6 * 60 * 60)
        let (newToken, _) = try store.sessions.create(staffID: nil)
        store.clock.advance(by: 6 * 60 * 60)

        #expect(try store.sessions.purgeExpired() == 1)
        #expect(try store.sessions.find(token: newToken) != nil)
        #expect(try store.sessions.find(token: oldToken) == nil)
        #expect(try store.sessions.purgeExpired() == 0)
    }
}

@Suite struct SessionLookupWithoutWritingTests {
    @Test func recentSessionIsFoundWithoutWrite() throws {
        let store = try TestStore()
        let (token, session) = try store.sessions.create(staffID: nil)
        store.clock.advance(by: SessionStore.touchInterval - 1)

        guard case .found(let found) = try store.sessions.findWithoutWriting(token: token) else {
            Issue.record("expected the session to be found without a write")
            return
        }
        #expect(found == session)
        #expect(try store.database.scalar("SELECT last_seen_at FROM sessions", as: Date.self) == session.lastSeenAt)
    }

    @Test func staleVisitNeedsWrite() throws {
        let store = try TestStore()
        let (token, _) = try store.sessions.create(staffID: nil)
        store.clock.advance(by: SessionStore.touchInterval)

        guard case .needsWrite = try store.sessions.findWithoutWriting(token: token) else {
            Issue.record("expected a session last seen a minute ago to need a write")
            return
        }
        #expect(try store.sessions.find(token: token)?.lastSeenAt == store.clock.now)
        guard case .found = try store.sessions.findWithoutWriting(token: token) else {
            Issue.record("expected the session to be found without a write once its visit is recorded")
            return
        }
    }

    @Test func expiredSessionNeedsWrite() throws {
        let store = try TestStore()
        let (token, _) = try store.sessions.create(staffID: nil)
        store.clock.advance(by: SessionStore.defaultIdleTimeout)

        guard case .needsWrite = try store.sessions.findWithoutWriting(token: token) else {
            Issue.record("expected an expired session to need a write")
            return
        }
        #expect(try store.sessions.find(token: token) == nil)
        #expect(try store.database.scalar("SELECT count(*) FROM sessions", as: Int.self) == 0)
    }

    @Test func unknownTokensAreNotFound() throws {
        let store = try TestStore()
        for token in ["", "no-such-session", String(repeating: "x", count: 300)] {
            guard case .notFound = try store.sessions.findWithoutWriting(token: token) else {
                Issue.record("expected token of \(token.count) characters to be not found")
                continue
            }
        }
    }
}
