@testable import Commerce
import Crypto
import Foundation
import SQLite
import Testing

/// Login in three steps: begin (throttle and read), verify (no database), finish (record).
@Suite struct StaffLoginTests {
    private let password = "correct horse battery"
    private let email = "owner@trailhead.example"

    private func begin(_ store: TestStore, email: String? = nil, address: String = "192.0.2.7") throws -> StaffLogin.Start {
        try StaffLogin.begin(email: email ?? self.email, address: address, throttle: store.throttle(), in: store.database)
    }

    private func attempts(_ store: TestStore, scope: String) throws -> Int {
        try store.database.scalar("SELECT count(*) FROM login_attempts WHERE scope = ?", scope, as: Int.self) ?? 0
    }

    @Test func validPasswordSignsInAndTakesBackAttempt() throws {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: email, name: "Owner", password: password)
        guard case .verify(let login) = try begin(store) else { Issue.record("the first attempt was locked"); return }
        #expect(try attempts(store, scope: "account") == 1)
        #expect(try attempts(store, scope: "address") == 1)

        let verified = login.verify(password: password, hasher: testHasher)
        let member = try verified.finish(throttle: store.throttle(), at: store.clock.now, in: store.database)
        #expect(member?.id == owner.id)
        #expect(member?.lastLoginAt == store.clock.now)
        #expect(try attempts(store, scope: "account") == 0)
        #expect(try attempts(store, scope: "address") == 0)
    }

    @Test func wrongPasswordStaysCounted() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: email, name: "Owner", password: password)
        for (typedEmail, typed) in [(email, "wrong password"), ("nobody@trailhead.example", password)] {
            guard case .verify(let login) = try begin(store, email: typedEmail) else { Issue.record("locked too early"); return }
            let verified = login.verify(password: typed, hasher: testHasher)
            #expect(try verified.finish(throttle: store.throttle(), at: store.clock.now, in: store.database) == nil)
        }
        #expect(try attempts(store, scope: "account") == 2)
        #expect(try attempts(store, scope: "address") == 2)
    }

    @Test func beginLocksAfterAllowedAttempts() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: email, name: "Owner", password: password)
        // Attempts that began but never finished, as concurrent logins still verifying.
        for attempt in 1...LoginThrottle.Policy.default.maximumFailuresPerAccount {
            guard case .verify = try begin(store) else { Issue.record("attempt \(attempt) was locked"); return }
        }
        guard case .locked(let seconds) = try begin(store) else { Issue.record("the attempt after the limit was not locked"); return }
        #expect(seconds == 15 * 60)
    }

    @Test func passwordChangedDuringCheckFails() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: email, name: "Owner", password: password)
        guard case .verify(let login) = try begin(store) else { Issue.record("the first attempt was locked"); return }
        let verified = login.verify(password: password, hasher: testHasher)

        // The owner changes the password while the old one is being checked.
        let owner = try #require(try store.staff.list().first)
        try store.staff.setPassword(id: owner.id, password: "a brand new passphrase")
        #expect(try verified.finish(throttle: store.throttle(), at: store.clock.now, in: store.database) == nil)
        #expect(try attempts(store, scope: "account") == 1)
    }
}
