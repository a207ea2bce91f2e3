import Commerce
import Foundation
import Synchronization
import SQLite
import Tenancy

/// Deletes a store's expired sessions, login attempts, staff invitations and carts, at most once
/// an hour per store, on the store's own traffic. A store that gets no requests gains no
/// rows, so it needs no sweep. The work therefore grows with use, not with the number of
/// stores.
final class StoreHousekeeping: Sendable {
    static let interval: TimeInterval = 60 * 60

    private let lastRuns = Mutex<[String: Date]>([:])

    /// Returns whether housekeeping is due for `storeID` at `now`, and if so records that it
    /// ran, so concurrent requests run it once.
    func claim(_ storeID: String, now: Date) -> Bool {
        lastRuns.withLock { runs in
            if let last = runs[storeID], now.timeIntervalSince(last) < Self.interval, now >= last {
                return false
            }
            runs[storeID] = now
            return true
        }
    }

    /// Runs the purges in the store's database and returns how many rows each removed.
    static func run(in database: DatabaseQueue, now: Date) throws -> (sessions: Int, loginAttempts: Int, invitations: Int, carts: Int) {
        try database.write { database in
            (
                sessions: try SessionStore(database: database, now: { now }).purgeExpired(),
                loginAttempts: try LoginThrottle(database: database, now: { now }).purgeExpired(),
                invitations: try StaffDirectory(database: database, now: { now }).purgeExpiredInvitations(),
                carts: try CartStore(database: database, now: { now }).purgeExpired()
            )
        }
    }
}
