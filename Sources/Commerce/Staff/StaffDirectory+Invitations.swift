import Crypto
import Foundation
import SQLite

extension StaffDirectory {
    /// Invites `email` to join the staff and returns the token for the invitation link, which
    /// is shown or sent once: only its SHA-256 is stored. Inviting an address again replaces
    /// the earlier invitation, whose link stops working. Expires after `invitationLifetime`.
    ///
    /// - Parameter limit: the plan's staff account limit, nil for none; see `add`.
    /// - Throws: `ValidationErrors` for `email`, `name` and `role`,
    ///   `CommerceError.staffLimitReached` when the limit is reached.
    public func invite(
        email: String,
        name: String,
        role: StaffRole = .staff,
        limit: Int?
    ) throws -> (token: String, invitation: StaffInvitation) {
        var errors = ValidationErrors()
        if !StaffRole.assignable.contains(role) {
            errors.add("Role must be admin or staff; a store has exactly one owner.", for: "role")
        }
        let (email, name) = try validatedIdentity(email: email, name: name, password: nil, errors: errors)

        return try database.transaction(.immediate) { database in
            try rejectExistingMember(email: email, in: database)
            try enforce(limit: limit, replacingInvitationFor: email, in: database)

            let token = SecureRandom.token()
            let createdAt = now()
            let expiresAt = createdAt.addingTimeInterval(invitationLifetime)
            try database.run("DELETE FROM staff_invitations WHERE email_key = ?", EmailAddress.key(email))
            try database.run(
                """
                INSERT INTO staff_invitations (email, email_key, name, role, token_hash, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                email, EmailAddress.key(email), name, role.rawValue, SHA256.hash(token), createdAt, expiresAt
            )
            let invitation = try database.queryFirst(
                "SELECT \(StaffInvitation.columns) FROM staff_invitations WHERE id = ?", database.lastInsertRowID,
                map: StaffInvitation.init(row:)
            )
            guard let invitation else {
                throw CommerceError.notFound(entity: "staff invitation", id: String(database.lastInsertRowID))
            }
            return (token, invitation)
        }
    }

    /// Returns the pending invitation for `token`, for the page where the invitee sets a
    /// password.
    ///
    /// - Throws: `CommerceError.invitationNotFound` for an unknown or used token,
    ///   `CommerceError.invitationExpired` for an expired one.
    public func invitation(forToken token: String) throws -> StaffInvitation {
        guard let invitation = try database.queryFirst(
            "SELECT \(StaffInvitation.columns) FROM staff_invitations WHERE token_hash = ?", SHA256.hash(token),
            map: StaffInvitation.init(row:)
        ) else {
            throw CommerceError.invitationNotFound
        }
        guard invitation.expiresAt > now() else { throw CommerceError.invitationExpired }
        return invitation
    }

    /// Creates the invited staff member with `password` and deletes the invitation, so the
    /// link works once. The plan limit is not checked again: the invitation already counted.
    ///
    /// - Throws: `CommerceError.invitationNotFound` or `.invitationExpired`,
    ///   `ValidationErrors` on `password`, or on `email` when the address became a member
    ///   in the meantime.
    @discardableResult
    public func acceptInvitation(token: String, password: String) throws -> StaffMember {
        let invitation = try invitation(forToken: token)
        _ = try validatedIdentity(email: invitation.email, name: invitation.name, password: password)
        let passwordHash = try passwordHasher.hash(password)

        return try database.transaction(.immediate) { database in
            // Re-read inside the transaction: the link may have been used or revoked while
            // the password was hashed.
            let deleted = try database.queryFirst(
                "DELETE FROM staff_invitations WHERE id = ? AND token_hash = ? RETURNING id",
                invitation.id, SHA256.hash(token),
                map: { try $0.get("id", as: Int64.self) }
            )
            guard deleted != nil else { throw CommerceError.invitationNotFound }
            try rejectExistingMember(email: invitation.email, nextStep: "log in with that address instead", in: database)
            return try insertMember(
                email: invitation.email,
                name: invitation.name,
                role: invitation.role,
                passwordHash: passwordHash,
                in: database
            )
        }
    }

    /// Invitations not yet accepted or expired, newest first.
    public func pendingInvitations() throws -> [StaffInvitation] {
        try database.query(
            "SELECT \(StaffInvitation.columns) FROM staff_invitations WHERE expires_at > ? ORDER BY created_at DESC, id DESC",
            now(),
            map: StaffInvitation.init(row:)
        )
    }

    /// Withdraws invitation `id`, so its link stops working and it no longer counts against
    /// the plan limit.
    ///
    /// - Throws: `CommerceError.notFound` when no invitation has `id`.
    public func revokeInvitation(id: Int64) throws {
        try database.run("DELETE FROM staff_invitations WHERE id = ?", id)
        guard database.changes == 1 else {
            throw CommerceError.notFound(entity: "staff invitation", id: String(id))
        }
    }

    /// Deletes expired invitations and returns how many there were.
    @discardableResult
    public func purgeExpiredInvitations() throws -> Int {
        try database.run("DELETE FROM staff_invitations WHERE expires_at <= ?", now())
        return database.changes
    }
}
