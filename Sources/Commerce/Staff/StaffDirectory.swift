import Crypto
import Foundation
import SQLite

/// The store's staff accounts: the owner, members added directly or by invitation, and
/// password login.
///
/// Hashing a password takes over 100 ms under the production policy and blocks the calling
/// thread. Call these methods from a worker, never from an event loop.
public struct StaffDirectory {
    public static let defaultInvitationLifetime: TimeInterval = 7 * 24 * 60 * 60
    public static let maximumNameLength = 100

    public let database: Database
    let passwordHasher: PasswordHasher
    let invitationLifetime: TimeInterval
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - passwordHasher: production uses the default policy; tests pass
    ///     `PasswordHasher(policy: .insecureFastForTesting)`.
    ///   - now: the clock for timestamps and invitation expiry.
    public init(
        database: Database,
        passwordHasher: PasswordHasher = PasswordHasher(),
        invitationLifetime: TimeInterval = StaffDirectory.defaultInvitationLifetime,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.passwordHasher = passwordHasher
        self.invitationLifetime = invitationLifetime
        self.now = now
    }

    /// Creates the store's owner; called once, at provisioning.
    ///
    /// - Throws: `ValidationErrors` for the `email`, `name` and `password` fields,
    ///   `CommerceError.ownerAlreadyExists` when the store has an owner.
    @discardableResult
    public func createOwner(email: String, name: String, password: String) throws -> StaffMember {
        let (email, name) = try validatedIdentity(email: email, name: name, password: password)
        let passwordHash = try passwordHasher.hash(password)

        return try database.transaction(.immediate) { database in
            let ownerExists = try database.scalar("SELECT EXISTS (SELECT 1 FROM staff_members WHERE role = 'owner')", as: Bool.self) ?? false
            guard !ownerExists else { throw CommerceError.ownerAlreadyExists }
            try rejectExistingMember(email: email, in: database)
            return try insertMember(email: email, name: name, role: .owner, passwordHash: passwordHash, in: database)
        }
    }

    /// Adds a staff member with a password chosen for them.
    ///
    /// - Parameter limit: the plan's staff account limit, nil for none. It counts every
    ///   member, the owner included, plus pending invitations.
    /// - Throws: `ValidationErrors` for `email`, `name`, `password` and `role`,
    ///   `CommerceError.staffLimitReached` when the limit is reached.
    @discardableResult
    public func add(email: String, name: String, password: String, role: StaffRole, limit: Int?) throws -> StaffMember {
        var errors = ValidationErrors()
        if !StaffRole.assignable.contains(role) {
            errors.add("Role must be admin or staff; a store has exactly one owner.", for: "role")
        }
        let (email, name) = try validatedIdentity(email: email, name: name, password: password, errors: errors)
        let passwordHash = try passwordHasher.hash(password)

        return try database.transaction(.immediate) { database in
            try rejectExistingMember(email: email, in: database)
            try enforce(limit: limit, replacingInvitationFor: email, in: database)
            // An invitation to the same address is superseded by the direct addition.
            try database.run("DELETE FROM staff_invitations WHERE email_key = ?", EmailAddress.key(email))
            return try insertMember(email: email, name: name, role: role, passwordHash: passwordHash, in: database)
        }
    }

    /// Removes staff member `id` and, through the foreign key, all their sessions.
    ///
    /// - Throws: `CommerceError.ownerCannotBeRemoved` for the owner,
    ///   `CommerceError.notFound` when no member has `id`.
    public func remove(id: Int64) throws {
        try database.transaction(.immediate) { database in
            let member = try require(id, in: database)
            guard member.role != .owner else { throw CommerceError.ownerCannotBeRemoved }
            try database.run("DELETE FROM staff_members WHERE id = ?", id)
        }
    }

    /// Returns all staff members, the owner first and then by name.
    public func list() throws -> [StaffMember] {
        try database.query(
            "SELECT \(StaffMember.columns) FROM staff_members ORDER BY role = 'owner' DESC, lower(name), id",
            map: StaffMember.init(row:)
        )
    }

    public func find(id: Int64) throws -> StaffMember? {
        try database.queryFirst("SELECT \(StaffMember.columns) FROM staff_members WHERE id = ?", id, map: StaffMember.init(row:))
    }

    /// Returns the number of accounts the plan limit counts: members plus pending invitations.
    public func accountCount() throws -> Int {
        try countedAccounts(excludingInvitationFor: nil, in: database)
    }

    /// Checks an email and password and returns the member they belong to, or nil. Records
    /// the login time, and stores a new hash when the stored one falls short of the current
    /// policy. An unknown email costs as much time as a wrong password, so response times do
    /// not reveal which accounts exist. Throttling is the caller's, with `LoginThrottle`.
    public func authenticate(email: String, password: String) throws -> StaffMember? {
        let key = EmailAddress.key(email)
        let stored = try database.queryFirst(
            "SELECT \(StaffMember.columns), password_hash FROM staff_members WHERE email_key = ?", key
        ) { row in
            (try StaffMember(row: row), try row.get("password_hash", as: String.self))
        }
        guard let (member, passwordHash) = stored else {
            _ = passwordHasher.verifyAgainstMissingAccount(password)
            return nil
        }

        let verification = passwordHasher.verify(password, against: passwordHash)
        guard verification.isValid else { return nil }

        let loginTime = now()
        if verification == .validButNeedsRehash {
            let newHash = try passwordHasher.hash(password)
            try database.run(
                "UPDATE staff_members SET password_hash = ?, updated_at = ?, last_login_at = ? WHERE id = ?",
                newHash, loginTime, loginTime, member.id
            )
        } else {
            try database.run("UPDATE staff_members SET last_login_at = ? WHERE id = ?", loginTime, member.id)
        }
        var updated = member
        updated.lastLoginAt = loginTime
        return updated
    }

    /// Returns the stored password hash of member `id`, or nil for an unknown member, so
    /// that a caller can verify a password outside any transaction (see `replacePasswordHash`).
    public func passwordHash(id: Int64) throws -> String? {
        try database.scalar("SELECT password_hash FROM staff_members WHERE id = ?", id, as: String.self)
    }

    /// Stores `newHash` for member `id` if the stored hash is still `previousHash`, and
    /// returns whether it did. A false result means the password changed since the caller
    /// read it, so the caller's check of the old password no longer holds.
    public func replacePasswordHash(id: Int64, previousHash: String, with newHash: String) throws -> Bool {
        try database.run(
            "UPDATE staff_members SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?",
            newHash, now(), id, previousHash
        )
        return database.changes == 1
    }

    /// Replaces the password of member `id`. Ending the member's other sessions is the
    /// caller's, with `SessionStore.destroyAll(staffID:except:)`.
    ///
    /// - Throws: `ValidationErrors` on `password`, `CommerceError.notFound`.
    public func setPassword(id: Int64, password: String) throws {
        let member = try require(id, in: database)
        let messages = PasswordRules.validate(password, email: member.email)
        if !messages.isEmpty {
            var errors = ValidationErrors()
            messages.forEach { errors.add($0, for: "password") }
            throw errors
        }
        let passwordHash = try passwordHasher.hash(password)
        try database.run("UPDATE staff_members SET password_hash = ?, updated_at = ? WHERE id = ?", passwordHash, now(), id)
    }

    // MARK: - Shared steps

    /// Trims and checks the email, name and password, adding to `errors`, and throws when
    /// any field is invalid.
    func validatedIdentity(
        email: String,
        name: String,
        password: String?,
        errors: ValidationErrors = ValidationErrors()
    ) throws -> (email: String, name: String) {
        var errors = errors

        var validEmail = ""
        switch EmailAddress.validate(email) {
        case .success(let address): validEmail = address
        case .failure(let invalid): errors.add(invalid.message, for: "email")
        }

        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedName.isEmpty {
            errors.add("Name is required.", for: "name")
        } else if trimmedName.count > Self.maximumNameLength {
            errors.add("Name must be at most \(Self.maximumNameLength) characters; it has \(trimmedName.count).", for: "name")
        } else if trimmedName.containsControlCharacters {
            errors.add("Name must not contain line breaks or control characters.", for: "name")
        }

        if let password {
            for message in PasswordRules.validate(password, email: email) {
                errors.add(message, for: "password")
            }
        }

        try errors.throwIfAny()
        return (validEmail, trimmedName)
    }

    /// Throws a `ValidationErrors` on `email` when a member has `email`; `nextStep` ends the
    /// message.
    func rejectExistingMember(email: String, nextStep: String = "use another address", in database: Database) throws {
        let exists = try database.scalar(
            "SELECT EXISTS (SELECT 1 FROM staff_members WHERE email_key = ?)", EmailAddress.key(email), as: Bool.self
        ) ?? false
        if exists {
            throw ValidationErrors(field: "email", message: "\(email) is already a staff member of this store; \(nextStep).")
        }
    }

    /// Throws when adding one account would exceed `limit`. A pending invitation for `email`
    /// is not counted, because the new account or invitation replaces it.
    func enforce(limit: Int?, replacingInvitationFor email: String, in database: Database) throws {
        guard let limit else { return }
        let count = try countedAccounts(excludingInvitationFor: EmailAddress.key(email), in: database)
        guard count < limit else { throw CommerceError.staffLimitReached(limit: limit) }
    }

    private func countedAccounts(excludingInvitationFor emailKey: String?, in database: Database) throws -> Int {
        try database.scalar(
            """
            SELECT (SELECT count(*) FROM staff_members)
                 + (SELECT count(*) FROM staff_invitations WHERE expires_at > ? AND email_key IS NOT ?)
            """,
            now(), emailKey, as: Int.self
        ) ?? 0
    }

    func insertMember(email: String, name: String, role: StaffRole, passwordHash: String, in database: Database) throws -> StaffMember {
        let timestamp = now()
        try database.run(
            """
            INSERT INTO staff_members (email, email_key, name, password_hash, role, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            email, EmailAddress.key(email), name, passwordHash, role.rawValue, timestamp, timestamp
        )
        return try require(database.lastInsertRowID, in: database)
    }

    func require(_ id: Int64, in database: Database) throws -> StaffMember {
        guard let member = try database.queryFirst(
            "SELECT \(StaffMember.columns) FROM staff_members WHERE id = ?", id, map: StaffMember.init(row:)
        ) else {
            throw CommerceError.notFound(entity: "staff member", id: String(id))
        }
        return member
    }
}
