import Foundation
import SQLite

/// Slows down password guessing by counting failed logins per account and per client
/// address in the store's file.
///
/// An account (an email, whether or not it exists) with `maximumFailuresPerAccount` failures
/// within `window` is locked until `lockout` after its latest failure. A client address is
/// locked the same way after `maximumFailuresPerAddress`. A successful login clears the
/// account's failures but not the address's, so one valid account does not give an address
/// a fresh allowance for guessing others.
///
/// Use: call `check` before verifying the password, and skip the verification while it
/// returns `.retryAfter`; then call `recordFailure` or `recordSuccess`. A caller that
/// verifies outside the transaction of its `check` calls `recordAttempt` in that
/// transaction instead, so that concurrent attempts cannot all pass the same check, and
/// `recordSuccess(email:attempt:)` once the password proved valid.
public struct LoginThrottle {
    public struct Policy: Sendable, Equatable {
        public var maximumFailuresPerAccount: Int
        public var maximumFailuresPerAddress: Int
        /// How far back failures are counted, in seconds.
        public var window: TimeInterval
        /// How long a lock lasts after the latest failure, in seconds.
        public var lockout: TimeInterval

        public init(
            maximumFailuresPerAccount: Int = 5,
            maximumFailuresPerAddress: Int = 20,
            window: TimeInterval = 15 * 60,
            lockout: TimeInterval = 15 * 60
        ) {
            self.maximumFailuresPerAccount = maximumFailuresPerAccount
            self.maximumFailuresPerAddress = maximumFailuresPerAddress
            self.window = window
            self.lockout = lockout
        }

        public static let `default` = Policy()
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Locked: the login form asks the user to try again after this many whole seconds
        /// (rounded up), which is also the value for a `Retry-After` header.
        case retryAfter(seconds: Int)
    }

    public let database: Database
    public let policy: Policy
    private let now: @Sendable () -> Date

    public init(database: Database, policy: Policy = .default, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.policy = policy
        self.now = now
    }

    /// Returns whether a login for `email` from `address` may be tried now. When both the
    /// account and the address are locked, the later unlock time applies.
    public func check(email: String, address: String) throws -> Decision {
        let currentTime = now()
        let accountUnlock = try unlockTime(
            scope: "account", key: EmailAddress.key(email), maximum: policy.maximumFailuresPerAccount, at: currentTime
        )
        let addressUnlock = try unlockTime(
            scope: "address", key: Self.addressKey(address), maximum: policy.maximumFailuresPerAddress, at: currentTime
        )

        guard let unlock = [accountUnlock, addressUnlock].compactMap({ $0 }).max() else {
            return .allowed
        }
        return .retryAfter(seconds: Int(unlock.timeIntervalSince(currentTime).rounded(.up)))
    }

    /// Records one failed login, and deletes this account's and address's failures that have
    /// aged out of both the window and the lockout.
    public func recordFailure(email: String, address: String) throws {
        let currentTime = now()
        let emailKey = EmailAddress.key(email)
        let addressKey = Self.addressKey(address)
        let oldest = currentTime.addingTimeInterval(-max(policy.window, policy.lockout))

        try database.transaction(.immediate) { database in
            for (scope, key) in [("account", emailKey), ("address", addressKey)] {
                try database.run(
                    "DELETE FROM login_attempts WHERE scope = ? AND key = ? AND attempted_at <= ?",
                    scope, key, oldest
                )
                try database.run(
                    "INSERT INTO login_attempts (scope, key, attempted_at) VALUES (?, ?, ?)",
                    scope, key, currentTime
                )
            }
        }
    }

    /// Clears the account's failures after a successful login. The address keeps its count.
    public func recordSuccess(email: String, address: String) throws {
        try database.run("DELETE FROM login_attempts WHERE scope = 'account' AND key = ?", EmailAddress.key(email))
    }

    /// The rows that `recordAttempt` counted as failures, to take back on success.
    public struct Attempt: Sendable, Hashable {
        let addressRowID: Int64
    }

    /// Counts a login attempt as a failure before its password is verified, and returns it
    /// so that `recordSuccess(email:attempt:)` can take it back. Call it in the transaction
    /// of the `check` that allowed the attempt. The next `check` then counts it, so no more
    /// attempts pass than the policy allows, however many verify at once. An attempt whose
    /// outcome is never recorded, because the process stopped, stays a failure.
    public func recordAttempt(email: String, address: String) throws -> Attempt {
        try recordFailure(email: email, address: address)
        let rowID = try database.scalar(
            "SELECT max(id) FROM login_attempts WHERE scope = 'address' AND key = ?", Self.addressKey(address), as: Int64.self
        ) ?? 0
        return Attempt(addressRowID: rowID)
    }

    /// Clears the account's failures, the attempt's among them, and takes the attempt back
    /// from the address's count, which otherwise keeps its failures.
    public func recordSuccess(email: String, attempt: Attempt) throws {
        try database.run("DELETE FROM login_attempts WHERE scope = 'account' AND key = ?", EmailAddress.key(email))
        try database.run("DELETE FROM login_attempts WHERE id = ? AND scope = 'address'", attempt.addressRowID)
    }

    /// Deletes failures too old to matter for any lock and returns how many there were.
    @discardableResult
    public func purgeExpired() throws -> Int {
        let oldest = now().addingTimeInterval(-max(policy.window, policy.lockout))
        try database.run("DELETE FROM login_attempts WHERE attempted_at <= ?", oldest)
        return database.changes
    }

    /// Returns when the lock on `key` in `scope` ends, or nil when it is not locked at
    /// `currentTime`.
    private func unlockTime(scope: String, key: String, maximum: Int, at currentTime: Date) throws -> Date? {
        let windowStart = currentTime.addingTimeInterval(-policy.window)
        let summary = try database.queryFirst(
            """
            SELECT count(*) AS failures, max(attempted_at) AS latest FROM login_attempts
            WHERE scope = ? AND key = ? AND attempted_at > ?
            """,
            scope, key, windowStart
        ) { row in
            (try row.get("failures", as: Int.self), try row.get("latest", as: Date?.self))
        }
        guard let (failures, latest) = summary, failures >= maximum, let latest else {
            return nil
        }
        let unlock = latest.addingTimeInterval(policy.lockout)
        return unlock > currentTime ? unlock : nil
    }
}
