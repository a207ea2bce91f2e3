import Crypto
import Foundation
import SQLite

/// A staff login in three steps, so that the password check, which takes over 100 ms under
/// the production policy, holds no database lock and delays no other request of the store:
///
/// 1. `StaffLogin.begin` in a write transaction: checks the throttle, counts the attempt as
///    a failure at once, and reads the account's password hash.
/// 2. `verify` outside any transaction: derives the key, and a new hash when the stored one
///    falls short of the current policy.
/// 3. `VerifiedStaffLogin.finish` in a write transaction: on success takes the attempt back,
///    clears the account's failures, records the login time and stores the new hash.
///
/// Counting in step 1 keeps the throttle exact under concurrency. Every attempt that passed
/// the check is already counted when the next one checks. So no more passwords are tried
/// than the policy allows, however many requests verify at the same time.
public struct StaffLogin: Sendable {
    public enum Start: Sendable {
        /// Too many failures; nothing was counted. Retry after this many seconds.
        case locked(retryAfter: Int)
        case verify(StaffLogin)
    }

    /// The email as typed.
    public let email: String
    let attempt: LoginThrottle.Attempt
    /// The account and the hash read in step 1; nil when no member has the email.
    let account: (member: StaffMember, passwordHash: String)?

    /// Step 1: checks `throttle` and counts this attempt, then reads the account. Call it
    /// inside a write transaction, with `throttle` working in the same database.
    public static func begin(email: String, address: String, throttle: LoginThrottle, in database: Database) throws -> Start {
        if case .retryAfter(let seconds) = try throttle.check(email: email, address: address) {
            return .locked(retryAfter: seconds)
        }
        let attempt = try throttle.recordAttempt(email: email, address: address)
        let account = try database.queryFirst(
            "SELECT \(StaffMember.columns), password_hash FROM staff_members WHERE email_key = ?", EmailAddress.key(email)
        ) { row in
            (member: try StaffMember(row: row), passwordHash: try row.get("password_hash", as: String.self))
        }
        return .verify(StaffLogin(email: email, attempt: attempt, account: account))
    }

    /// Step 2: checks `password` without touching the database. An unknown email costs as
    /// much time as a wrong password, so response times do not reveal which accounts exist.
    public func verify(password: String, hasher: PasswordHasher) -> VerifiedStaffLogin {
        guard let account else {
            _ = hasher.verifyAgainstMissingAccount(password)
            return VerifiedStaffLogin(login: self, isValid: false, newPasswordHash: nil)
        }
        let verification = hasher.verify(password, against: account.passwordHash)
        var newHash: String?
        if verification == .validButNeedsRehash {
            // A failed rehash only postpones the upgrade to the next login.
            newHash = try? hasher.hash(password)
        }
        return VerifiedStaffLogin(login: self, isValid: verification.isValid, newPasswordHash: newHash)
    }
}

/// A login after its password check, ready to record (step 3 of `StaffLogin`).
public struct VerifiedStaffLogin: Sendable {
    let login: StaffLogin
    let isValid: Bool
    let newPasswordHash: String?

    /// Step 3: records the login and returns the member when the password was valid for the
    /// hash that the member still has. Otherwise returns nil and leaves the attempt counted
    /// as a failure. A password changed or an account removed since step 1 counts as a
    /// failure, because the password was checked against the old hash. Call it inside a
    /// write transaction, with `throttle` working in the same database.
    public func finish(throttle: LoginThrottle, at loginTime: Date, in database: Database) throws -> StaffMember? {
        guard isValid, let account = login.account else { return nil }
        let currentHash = try database.scalar(
            "SELECT password_hash FROM staff_members WHERE id = ?", account.member.id, as: String.self
        )
        guard currentHash == account.passwordHash else { return nil }

        if let newPasswordHash {
            try database.run(
                "UPDATE staff_members SET password_hash = ?, updated_at = ?, last_login_at = ? WHERE id = ?",
                newPasswordHash, loginTime, loginTime, account.member.id
            )
        } else {
            try database.run("UPDATE staff_members SET last_login_at = ? WHERE id = ?", loginTime, account.member.id)
        }
        try throttle.recordSuccess(email: login.email, attempt: login.attempt)

        var member = account.member
        member.lastLoginAt = loginTime
        return member
    }
}
