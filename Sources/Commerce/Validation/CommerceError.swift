/// Errors of the store's domain that belong to no single form field: a missing record, a
/// plan limit, a rule about the owner. `ValidationErrors` covers field-level input errors.
public enum CommerceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `entity` is a lower-case noun such as "product" or "staff member".
    case notFound(entity: String, id: String)
    /// The store's plan allows `limit` products and the store has that many.
    case productLimitReached(limit: Int)
    /// The store's plan allows `limit` staff accounts, and staff members plus pending
    /// invitations reach it.
    case staffLimitReached(limit: Int)
    case ownerCannotBeRemoved
    case ownerAlreadyExists
    case invitationNotFound
    case invitationExpired
    /// Stored data that this version cannot read, such as an unknown enum value.
    case corruptRecord(table: String, column: String, value: String)

    public var description: String {
        switch self {
        case .notFound(let entity, let id):
            return "No \(entity) with id \(id) exists in this store; reload the page and try again."
        case .productLimitReached(let limit):
            return "Your plan allows \(formatWithGrouping(limit)) products; upgrade your plan or delete some products."
        case .staffLimitReached(let limit):
            return "Your plan allows \(formatWithGrouping(limit)) staff accounts, counting the owner and pending invitations; upgrade your plan, remove a staff member or revoke an invitation."
        case .ownerCannotBeRemoved:
            return "The store owner cannot be removed; only other staff members can be."
        case .ownerAlreadyExists:
            return "This store already has an owner; add further people as staff."
        case .invitationNotFound:
            return "This invitation link is not valid or has already been used; ask the store owner for a new invitation."
        case .invitationExpired:
            return "This invitation has expired; ask the store owner for a new invitation."
        case .corruptRecord(let table, let column, let value):
            return "The store file contains the unexpected value '\(value)' in \(table).\(column); restore a backup or correct the row."
        }
    }
}
