import Commerce
import Foundation
import SQLite
import Testing

@Suite struct LoginThrottleTests {
    @Test func accountLocksAfterFiveFailures() throws {
        let store = try TestStore()
        let throttle = store.throttle()

        for _ in 1...4 {
            try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
            store.clock.advance(by: 10)
        }
        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .allowed)

        try throttle.recordFailure(email: "OWNER@trailhead.example", address: "198.51.100.7")
        #expect(try throttle.check(email: "owner@trailhead.example", address: "192.0.2.1") == .retryAfter(seconds: 900))
        // Another account from the same address is not affected.
        #expect(try throttle.check(email: "ben@trailhead.example", address: "203.0.113.5") == .allowed)

        store.clock.advance(by: 100.5)
        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .retryAfter(seconds: 800))

        store.clock.advance(by: 799.5)
        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .allowed)
    }

    @Test func addressLocksAfterTwentyFailures() throws {
        let store = try TestStore()
        let throttle = store.throttle()

        for number in 1...20 {
            try throttle.recordFailure(email: "guess\(number)@trailhead.example", address: "203.0.113.5")
        }
        #expect(try throttle.check(email: "fresh@trailhead.example", address: "203.0.113.5") == .retryAfter(seconds: 900))
        #expect(try throttle.check(email: "fresh@trailhead.example", address: "203.0.113.6") == .allowed)

        store.clock.advance(by: 15 * 60)
        #expect(try throttle.check(email: "fresh@trailhead.example", address: "203.0.113.5") == .allowed)
    }

    @Test func successClearsAccountButNotAddress() throws {
        let store = try TestStore()
        let throttle = store.throttle(policy: .init(maximumFailuresPerAccount: 5, maximumFailuresPerAddress: 8))

        for _ in 1...4 {
            try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
        }
        try throttle.recordSuccess(email: "Owner@trailhead.example", address: "203.0.113.5")
        for _ in 1...4 {
            try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
        }
        #expect(try throttle.check(email: "owner@trailhead.example", address: "192.0.2.1") == .allowed)
        // The address has 8 failures in the window and is locked for every account.
        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .retryAfter(seconds: 900))
    }

    @Test func failuresOutsideWindowDoNotCount() throws {
        let store = try TestStore()
        let throttle = store.throttle(policy: .init(maximumFailuresPerAccount: 3, window: 60, lockout: 30))

        for _ in 1...2 {
            try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
        }
        store.clock.advance(by: 61)
        try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .allowed)

        try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
        try throttle.recordFailure(email: "owner@trailhead.example", address: "203.0.113.5")
        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .retryAfter(seconds: 30))
    }

    @Test func laterOfTwoLocksApplies() throws {
        let store = try TestStore()
        let throttle = store.throttle(policy: .init(maximumFailuresPerAccount: 2, maximumFailuresPerAddress: 2, window: 600, lockout: 300))

        try throttle.recordFailure(email: "owner@trailhead.example", address: "192.0.2.1")
        try throttle.recordFailure(email: "owner@trailhead.example", address: "192.0.2.1")
        store.clock.advance(by: 100)
        try throttle.recordFailure(email: "other@trailhead.example", address: "203.0.113.5")
        try throttle.recordFailure(email: "another@trailhead.example", address: "203.0.113.5")

        #expect(try throttle.check(email: "owner@trailhead.example", address: "203.0.113.5") == .retryAfter(seconds: 300))
        #expect(try throttle.check(email: "owner@trailhead.example", address: "198.51.100.1") == .retryAfter(seconds: 200))
    }

    @Test func ipv6AddressesShareTheirSlash64() throws {
        let store = try TestStore()
        let throttle = store.throttle(policy: .init(maximumFailuresPerAddress: 3))

        try throttle.recordFailure(email: "a@trailhead.example", address: "2001:db8:0:1::1")
        try throttle.recordFailure(email: "b@trailhead.example", address: "2001:db8:0:1:ffff::2")
        try throttle.recordFailure(email: "c@trailhead.example", address: "2001:DB8:0:1:abcd:1:2:3")
        #expect(try throttle.check(email: "d@trailhead.example", address: "2001:db8:0:1::9") == .retryAfter(seconds: 900))
        #expect(try throttle.check(email: "d@trailhead.example", address: "2001:db8:0:2::1") == .allowed)
    }

    @Test func purgeDeletesAgedFailures() throws {
        let store = try TestStore()
        let throttle = store.throttle()
        try throttle.recordFailure(email: "a@trailhead.example", address: "192.0.2.1")
        store.clock.advance(by: 10 * 60)
        try throttle.recordFailure(email: "b@trailhead.example", address: "192.0.2.2")
        store.clock.advance(by: 5 * 60)

        // One failure is two rows, one per scope.
        #expect(try throttle.purgeExpired() == 2)
        #expect(try store.database.scalar("SELECT count(*) FROM login_attempts", as: Int.self) == 2)
    }
}
