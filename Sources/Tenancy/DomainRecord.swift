import Foundation
import SQLite

/// A custom domain that serves one store, such as `shop.example.com`.
public struct DomainRecord: Sendable, Equatable {
    /// The normalised host name: lower case, no port, no trailing dot.
    public let hostname: String
    public let storeID: String
    /// Whether this is the store's main address, used in links and mails. A store has at
    /// most one.
    public var isPrimary: Bool
    /// Whether an operator or a DNS check confirmed that the merchant controls the name.
    public var verified: Bool
    public let createdAt: Date

    static let columns = "hostname, store_id, is_primary, verified, created_at"

    init(row: Row) throws {
        hostname = try row.get("hostname")
        storeID = try row.get("store_id")
        isPrimary = try row.get("is_primary")
        verified = try row.get("verified")
        createdAt = try row.get("created_at")
    }
}
