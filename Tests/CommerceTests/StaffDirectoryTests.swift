import Commerce
import Crypto
import Foundation
import SQLite
import Testing

private let ownerPassword = "correct horse battery"
private let staffPassword = "staple of the trail"

@Suite struct StaffDirectoryTests {
    @Test func ownerIsCreatedOnce() throws {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: " Owner@Trailhead.Example ", name: " Ana Owner ", password: ownerPassword)
        #expect(owner.role == .owner)
        #expect(owner.email == "Owner@Trailhead.Example")
        #expect(owner.name == "Ana Owner")
        #expect(owner.createdAt == store.clock.now)
        #expect(owner.lastLoginAt == nil)

        #expect(throws: CommerceError.ownerAlreadyExists) {
            try store.staff.createOwner(email: "second@trailhead.example", name: "Second", password: ownerPassword)
        }
        #expect(try store.staff.list().count == 1)
    }

    @Test func hashIsReplacedOnlyIfUnchanged() throws {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: "owner@trailhead.example", name: "Ana", password: ownerPassword)
        let first = try #require(try store.staff.passwordHash(id: owner.id))
        #expect(try store.staff.passwordHash(id: owner.id + 100) == nil)

        #expect(try store.staff.replacePasswordHash(id: owner.id, previousHash: first, with: "second-hash"))
        #expect(try store.staff.passwordHash(id: owner.id) == "second-hash")
        // A caller that read the first hash before that change no longer matches.
        #expect(try !store.staff.replacePasswordHash(id: owner.id, previousHash: first, with: "third-hash"))
        #expect(try store.staff.passwordHash(id: owner.id) == "second-hash")
    }

    @Test func passwordIsStoredOnlyAsHash() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)
        let stored = try store.database.scalar("SELECT password_hash FROM staff_members", as: String.self)
        #expect(stored?.hasPrefix("$scrypt$") == true)
        #expect(stored?.contains(ownerPassword) == false)
    }

    @Test func fieldErrorsForBadInput() throws {
        let store = try TestStore()
        let errors = try validationErrors {
            try store.staff.createOwner(email: "owner", name: "  ", password: "short")
        }
        #expect(errors?.fields == ["email", "name", "password"])
        #expect(errors?["name"] == ["Name is required."])
        #expect(errors?["password"] == ["Password must be at least 10 characters; it has 5."])

        let long = try validationErrors {
            try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: String(repeating: "p", count: 201))
        }
        #expect(long?["password"] == ["Password must be at most 200 characters; it has 201."])

        let sameAsEmail = try validationErrors {
            try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: "OWNER@trailhead.example")
        }
        #expect(sameAsEmail?["password"] == ["Password must not be your email address."])
        #expect(try store.staff.list().isEmpty)
    }

    @Test func addRespectsLimitIncludingOwner() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)

        let member = try store.staff.add(email: "ben@trailhead.example", name: "Ben", password: staffPassword, role: .staff, limit: 2)
        #expect(member.role == .staff)

        #expect(throws: CommerceError.staffLimitReached(limit: 2)) {
            try store.staff.add(email: "cleo@trailhead.example", name: "Cleo", password: staffPassword, role: .admin, limit: 2)
        }
        #expect(CommerceError.staffLimitReached(limit: 2).description
            == "Your plan allows 2 staff accounts, counting the owner and pending invitations; upgrade your plan, remove a staff member or revoke an invitation.")

        try store.staff.add(email: "cleo@trailhead.example", name: "Cleo", password: staffPassword, role: .admin, limit: nil)
        #expect(try store.staff.list().map(\.name) == ["Owner", "Ben", "Cleo"])
        #expect(try store.staff.accountCount() == 3)
    }

    @Test func addRejectsDuplicateEmailAndOwnerRole() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)

        let duplicate = try validationErrors {
            try store.staff.add(email: "OWNER@trailhead.example", name: "Copy", password: staffPassword, role: .staff, limit: nil)
        }
        #expect(duplicate?["email"] == ["OWNER@trailhead.example is already a staff member of this store; use another address."])

        let secondOwner = try validationErrors {
            try store.staff.add(email: "new@trailhead.example", name: "New", password: staffPassword, role: .owner, limit: nil)
        }
        #expect(secondOwner?["role"] == ["Role must be admin or staff; a store has exactly one owner."])
    }

    @Test func ownerCannotBeRemoved() throws {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)
        #expect(throws: CommerceError.ownerCannotBeRemoved) { try store.staff.remove(id: owner.id) }
        #expect(try store.staff.find(id: owner.id) != nil)
        #expect(throws: CommerceError.notFound(entity: "staff member", id: "42")) { try store.staff.remove(id: 42) }
    }

    @Test func removeEndsSessions() throws {
        let store = try TestStore()
        try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)
        let member = try store.staff.add(email: "ben@trailhead.example", name: "Ben", password: staffPassword, role: .staff, limit: nil)
        let (token, _) = try store.sessions.create(staffID: member.id)

        try store.staff.remove(id: member.id)
        #expect(try store.staff.find(id: member.id) == nil)
        #expect(try store.sessions.find(token: token) == nil)
        #expect(try store.staff.authenticate(email: "ben@trailhead.example", password: staffPassword) == nil)
    }

    @Test func authenticateChecksPasswordAndIgnoresEmailCase() throws {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)
        store.clock.advance(by: 30)

        let member = try store.staff.authenticate(email: "  OWNER@Trailhead.example", password: ownerPassword)
        #expect(member?.id == owner.id)
        #expect(member?.lastLoginAt == store.clock.now)
        #expect(try store.staff.find(id: owner.id)?.lastLoginAt == store.clock.now)

        #expect(try store.staff.authenticate(email: "owner@trailhead.example", password: "wrong password") == nil)
        #expect(try store.staff.authenticate(email: "nobody@trailhead.example", password: ownerPassword) == nil)
        #expect(try store.staff.authenticate(email: "owner@trailhead.example", password: "") == nil)
    }

    @Test func weakerStoredHashIsReplacedOnLogin() throws {
        let store = try TestStore()
        let oldHasher = PasswordHasher(policy: .init(.pbkdf2SHA256(try PBKDF2Parameters(iterations: 1_000))))
        let oldDirectory = StaffDirectory(database: store.database, passwordHasher: oldHasher, now: store.clock.closure)
        let owner = try oldDirectory.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)
        let oldHash = try store.database.scalar("SELECT password_hash FROM staff_members", as: String.self)
        #expect(oldHash?.hasPrefix("$pbkdf2-sha256$") == true)

        #expect(try store.staff.authenticate(email: "owner@trailhead.example", password: ownerPassword)?.id == owner.id)
        let newHash = try store.database.scalar("SELECT password_hash FROM staff_members", as: String.self)
        #expect(newHash?.hasPrefix("$scrypt$") == true)
        #expect(testHasher.verify(ownerPassword, against: newHash ?? "") == .valid)

        // A wrong password leaves the stored hash alone.
        _ = try oldDirectory.authenticate(email: "owner@trailhead.example", password: "wrong password")
        #expect(try store.database.scalar("SELECT password_hash FROM staff_members", as: String.self) == newHash)
    }

    @Test func setPasswordValidatesAndReplaces() throws {
        let store = try TestStore()
        let owner = try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)

        let errors = try validationErrors { try store.staff.setPassword(id: owner.id, password: "tiny") }
        #expect(errors?.fields == ["password"])

        try store.staff.setPassword(id: owner.id, password: "a brand new passphrase")
        #expect(try store.staff.authenticate(email: "owner@trailhead.example", password: ownerPassword) == nil)
        #expect(try store.staff.authenticate(email: "owner@trailhead.example", password: "a brand new passphrase") != nil)
    }
}

@Suite struct StaffInvitationTests {
    private func storeWithOwner() throws -> TestStore {
        let store = try TestStore()
        try store.staff.createOwner(email: "owner@trailhead.example", name: "Owner", password: ownerPassword)
        return store
    }

    @Test func inviteStoresOnlyTokenHash() throws {
        let store = try storeWithOwner()
        let (token, invitation) = try store.staff.invite(email: "Dana@Trailhead.example", name: "Dana", role: .admin, limit: 5)
        #expect(token.count == 43)
        #expect(invitation.email == "Dana@Trailhead.example")
        #expect(invitation.role == .admin)
        #expect(invitation.expiresAt == store.clock.now.addingTimeInterval(7 * 24 * 60 * 60))

        let storedHash = try store.database.scalar("SELECT token_hash FROM staff_invitations", as: [UInt8].self)
        #expect(storedHash == SHA256.hash(token))
        let plainCopies = try store.database.scalar(
            "SELECT count(*) FROM staff_invitations WHERE email = ?1 OR name = ?1 OR role = ?1", token, as: Int.self
        )
        #expect(plainCopies == 0)
        #expect(try store.staff.pendingInvitations().map(\.id) == [invitation.id])
    }

    @Test func acceptCreatesMemberOnce() throws {
        let store = try storeWithOwner()
        let (token, _) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", role: .admin, limit: nil)

        #expect(try store.staff.invitation(forToken: token).name == "Dana")
        let member = try store.staff.acceptInvitation(token: token, password: staffPassword)
        #expect(member.role == .admin)
        #expect(member.email == "dana@trailhead.example")
        #expect(try store.staff.authenticate(email: "dana@trailhead.example", password: staffPassword)?.id == member.id)
        #expect(try store.staff.pendingInvitations().isEmpty)

        #expect(throws: CommerceError.invitationNotFound) {
            try store.staff.acceptInvitation(token: token, password: staffPassword)
        }
        #expect(throws: CommerceError.invitationNotFound) {
            try store.staff.acceptInvitation(token: "made-up-token", password: staffPassword)
        }
    }

    @Test func acceptRejectsWeakPasswordAndKeepsInvitation() throws {
        let store = try storeWithOwner()
        let (token, _) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: nil)

        let errors = try validationErrors { try store.staff.acceptInvitation(token: token, password: "short") }
        #expect(errors?["password"] == ["Password must be at least 10 characters; it has 5."])
        #expect(try store.staff.acceptInvitation(token: token, password: staffPassword).role == .staff)
    }

    @Test func expiredInvitationCannotBeAccepted() throws {
        let store = try storeWithOwner()
        let (token, _) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: 2)

        store.clock.advance(by: 7 * 24 * 60 * 60 - 1)
        #expect(try store.staff.invitation(forToken: token).name == "Dana")

        store.clock.advance(by: 1)
        #expect(throws: CommerceError.invitationExpired) {
            try store.staff.acceptInvitation(token: token, password: staffPassword)
        }
        #expect(try store.staff.pendingInvitations().isEmpty)
        #expect(try store.staff.accountCount() == 1)

        // The expired invitation no longer counts, so the plan's second seat is free again.
        _ = try store.staff.invite(email: "eli@trailhead.example", name: "Eli", limit: 2)
        #expect(try store.staff.purgeExpiredInvitations() == 1)
    }

    @Test func pendingInvitationsCountTowardLimit() throws {
        let store = try storeWithOwner()
        _ = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: 2)

        #expect(throws: CommerceError.staffLimitReached(limit: 2)) {
            try store.staff.invite(email: "eli@trailhead.example", name: "Eli", limit: 2)
        }
        #expect(throws: CommerceError.staffLimitReached(limit: 2)) {
            try store.staff.add(email: "eli@trailhead.example", name: "Eli", password: staffPassword, role: .staff, limit: 2)
        }

        // Inviting the same person again replaces their invitation instead of taking a seat.
        let (newToken, _) = try store.staff.invite(email: "DANA@trailhead.example", name: "Dana", limit: 2)
        #expect(try store.staff.pendingInvitations().count == 1)
        #expect(try store.staff.acceptInvitation(token: newToken, password: staffPassword).name == "Dana")
    }

    @Test func reinviteInvalidatesOldLink() throws {
        let store = try storeWithOwner()
        let (oldToken, _) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: nil)
        _ = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: nil)
        #expect(throws: CommerceError.invitationNotFound) { try store.staff.invitation(forToken: oldToken) }
    }

    @Test func revokeFreesSeatAndKillsLink() throws {
        let store = try storeWithOwner()
        let (token, invitation) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: 2)
        try store.staff.revokeInvitation(id: invitation.id)

        #expect(throws: CommerceError.invitationNotFound) { try store.staff.invitation(forToken: token) }
        #expect(throws: CommerceError.notFound(entity: "staff invitation", id: String(invitation.id))) {
            try store.staff.revokeInvitation(id: invitation.id)
        }
        _ = try store.staff.invite(email: "eli@trailhead.example", name: "Eli", limit: 2)
    }

    @Test func inviteRejectsExistingMember() throws {
        let store = try storeWithOwner()
        let errors = try validationErrors {
            _ = try store.staff.invite(email: "Owner@trailhead.example", name: "Owner again", limit: nil)
        }
        #expect(errors?["email"] == ["Owner@trailhead.example is already a staff member of this store; use another address."])
    }

    @Test func acceptAfterDirectAddIsRejected() throws {
        let store = try storeWithOwner()
        let (token, _) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: nil)
        // A member row for Dana appears without `add`, which would have removed the
        // invitation, as an older version or a manual fix could leave it.
        let now = store.clock.now
        try store.database.run(
            """
            INSERT INTO staff_members (email, email_key, name, password_hash, role, created_at, updated_at)
            VALUES ('dana@trailhead.example', 'dana@trailhead.example', 'Dana', ?, 'staff', ?, ?)
            """,
            try testHasher.hash(staffPassword), now, now
        )

        let errors = try validationErrors { try store.staff.acceptInvitation(token: token, password: staffPassword) }
        #expect(errors?["email"] == ["dana@trailhead.example is already a staff member of this store; log in with that address instead."])
        #expect(try store.staff.list().count == 2)
    }

    @Test func directAddSupersedesInvitation() throws {
        let store = try storeWithOwner()
        let (token, _) = try store.staff.invite(email: "dana@trailhead.example", name: "Dana", limit: 2)
        try store.staff.add(email: "dana@trailhead.example", name: "Dana", password: staffPassword, role: .staff, limit: 2)

        #expect(try store.staff.pendingInvitations().isEmpty)
        #expect(throws: CommerceError.invitationNotFound) { try store.staff.invitation(forToken: token) }
    }
}
