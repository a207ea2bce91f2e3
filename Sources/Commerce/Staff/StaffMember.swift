import Foundation
import SQLite

/// A person who can log in to the store's admin.
public struct StaffMember: Sendable, Hashable, Identifiable {
    public let id: Int64
    public var email: String
    public var name: String
    public var role: StaffRole
    public var createdAt: Date
    public var lastLoginAt: Date?

    static let columns = "id, email, name, role, created_at, last_login_at"

    init(row: Row) throws {
        id = try row.get("id")
        email = try row.get("email")
        name = try row.get("name")
        let roleName: String = try row.get("role")
        guard let role = StaffRole(rawValue: roleName) else {
            throw CommerceError.corruptRecord(table: "staff_members", column: "role", value: roleName)
        }
        self.role = role
        createdAt = try row.get("created_at")
        lastLoginAt = try row.get("last_login_at")
    }
}

/// An invitation to join the store's staff, pending until accepted or expired. The token
/// that accepts it exists only in the link sent to the invitee.
public struct StaffInvitation: Sendable, Hashable, Identifiable {
    public let id: Int64
    public var email: String
    public var name: String
    public var role: StaffRole
    public var createdAt: Date
    public var expiresAt: Date

    static let columns = "id, email, name, role, created_at, expires_at"

    init(row: Row) throws {
        id = try row.get("id")
        email = try row.get("email")
        name = try row.get("name")
        let roleName: String = try row.get("role")
        guard let role = StaffRole(rawValue: roleName) else {
            throw CommerceError.corruptRecord(table: "staff_invitations", column: "role", value: roleName)
        }
        self.role = role
        createdAt = try row.get("created_at")
        expiresAt = try row.get("expires_at")
    }
}
