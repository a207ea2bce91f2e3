import Foundation
import SQLite

// Custom domains: names a merchant owns, such as shop.example.com, that serve one store
// besides its `<slug>.<platform domain>` address.

extension Catalog {
    /// Returns the store's custom domains, the primary one first.
    public func domains(of storeID: String) throws -> [DomainRecord] {
        try queue.read { database in
            try database.query("""
                SELECT \(DomainRecord.columns) FROM domains
                WHERE store_id = ? ORDER BY is_primary DESC, hostname
                """, storeID, map: DomainRecord.init(row:))
        }
    }

    /// Connects the custom domain `hostname` to the store.
    ///
    /// The name is normalised like a `Host` header. The first domain of a store becomes
    /// its primary one, and `primary: true` moves the primary mark to this domain.
    ///
    /// - Throws: `CatalogError.invalidDomain` for an invalid name, an IP address or a
    ///   single label, `.domainUnderPlatform` for a name under the platform domain,
    ///   `.domainTaken` when another store has it, `.domainAlreadyAdded` when this store
    ///   has it, `.domainLimitReached` when the plan allows no more, `.storeNotFound`.
    @discardableResult
    public func addDomain(_ hostname: String, to storeID: String, primary: Bool = false) throws -> DomainRecord {
        let name = try validateCustomDomain(hostname)
        let now = clock.now()

        do {
            return try writeChangingMapping { database in
                guard let plan = try database.scalar("SELECT plan FROM stores WHERE id = ?", storeID, as: Plan.self) else {
                    throw CatalogError.storeNotFound(id: storeID)
                }
                if let owner = try database.scalar("SELECT store_id FROM domains WHERE hostname = ?", name, as: String.self) {
                    throw owner == storeID
                        ? CatalogError.domainAlreadyAdded(hostname: name, storeID: storeID)
                        : CatalogError.domainTaken(hostname: name)
                }

                let count = try database.scalar("SELECT count(*) FROM domains WHERE store_id = ?", storeID, as: Int.self) ?? 0
                let limit = plan.limits.customDomains
                guard limit.allowsAdding(to: count) else {
                    if case .upTo(let maximum) = limit {
                        throw CatalogError.domainLimitReached(storeID: storeID, plan: plan, limit: maximum)
                    }
                    preconditionFailure("an unlimited plan limit allows every addition")
                }

                let makePrimary = primary || count == 0
                if makePrimary {
                    try database.run("UPDATE domains SET is_primary = 0 WHERE store_id = ?", storeID)
                }
                try database.run("""
                    INSERT INTO domains (hostname, store_id, is_primary, verified, created_at)
                    VALUES (?, ?, ?, 0, ?)
                    """, name, storeID, makePrimary, now)
                return try database.queryFirst("SELECT \(DomainRecord.columns) FROM domains WHERE hostname = ?", name, map: DomainRecord.init(row:))!
            }
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            // Another connection inserted the name between the check and the insert.
            throw CatalogError.domainTaken(hostname: name)
        }
    }

    /// Disconnects the custom domain from the store. When it was the primary domain, the
    /// oldest remaining domain becomes primary.
    public func removeDomain(_ hostname: String, from storeID: String) throws {
        let name = (try? HostName.normalize(hostname)).map(\.description) ?? hostname
        try writeChangingMapping { database in
            try database.run("DELETE FROM domains WHERE hostname = ? AND store_id = ?", name, storeID)
            guard database.changes > 0 else {
                throw CatalogError.domainNotFound(hostname: name, storeID: storeID)
            }
            try promoteOldestDomainIfNoPrimary(database, storeID: storeID)
        }
    }

    /// Makes `hostname` the store's primary domain.
    public func setPrimaryDomain(_ hostname: String, of storeID: String) throws {
        let name = (try? HostName.normalize(hostname)).map(\.description) ?? hostname
        try writeChangingMapping { database in
            guard try database.scalar("SELECT 1 FROM domains WHERE hostname = ? AND store_id = ?", name, storeID, as: Int.self) != nil else {
                throw CatalogError.domainNotFound(hostname: name, storeID: storeID)
            }
            try database.run("UPDATE domains SET is_primary = 0 WHERE store_id = ?", storeID)
            try database.run("UPDATE domains SET is_primary = 1 WHERE hostname = ?", name)
        }
    }

    /// Records whether the merchant's control of the domain was confirmed.
    public func setDomainVerified(_ hostname: String, of storeID: String, verified: Bool = true) throws {
        let name = (try? HostName.normalize(hostname)).map(\.description) ?? hostname
        try writeChangingMapping { database in
            try database.run("UPDATE domains SET verified = ? WHERE hostname = ? AND store_id = ?", verified, name, storeID)
            guard database.changes > 0 else {
                throw CatalogError.domainNotFound(hostname: name, storeID: storeID)
            }
        }
    }

    /// Normalises `hostname` and checks that it can be a custom domain.
    func validateCustomDomain(_ hostname: String) throws -> String {
        // A pasted address such as https://shop.example.com/ would otherwise be reported as
        // a bad port, after the colon of the scheme.
        if hostname.contains("://") || hostname.contains("/") {
            throw CatalogError.invalidDomain(
                hostname: hostname,
                reason: "it is a web address; give the host name alone, without http://, https:// or a path, such as shop.example.com"
            )
        }
        let normalized: NormalizedHost
        do {
            normalized = try HostName.normalize(hostname)
        } catch {
            throw CatalogError.invalidDomain(hostname: hostname, reason: "the name \(error.problem)")
        }
        guard case .name(let name) = normalized else {
            throw CatalogError.invalidDomain(hostname: hostname, reason: "it is an IP address, and stores are served only under names")
        }
        guard name.contains(".") else {
            throw CatalogError.invalidDomain(hostname: hostname, reason: "it has a single label, which is not a public domain")
        }
        guard name != platformDomain, !name.hasSuffix("." + platformDomain) else {
            throw CatalogError.domainUnderPlatform(hostname: name, platformDomain: platformDomain)
        }
        return name
    }

    private func promoteOldestDomainIfNoPrimary(_ database: Database, storeID: String) throws {
        let hasPrimary = try database.scalar("SELECT 1 FROM domains WHERE store_id = ? AND is_primary = 1", storeID, as: Int.self) != nil
        guard !hasPrimary else { return }
        try database.run("""
            UPDATE domains SET is_primary = 1
            WHERE hostname = (SELECT hostname FROM domains WHERE store_id = ? ORDER BY created_at, hostname LIMIT 1)
            """, storeID)
    }
}
