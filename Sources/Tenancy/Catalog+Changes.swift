import Foundation
import SQLite

// Changes to a store's catalog row made by operators, merchants and the provisioner.
// Each is one transaction and marks cached host resolutions stale.

extension Catalog {
    /// Moves the store to the address `newSlug`. The old address stops resolving at once.
    ///
    /// - Throws: `SlugError` for an invalid slug, `CatalogError.slugTaken` when another
    ///   store has it, `CatalogError.storeNotFound` for an unknown id.
    @discardableResult
    public func changeSlug(of storeID: String, to newSlug: String) throws -> StoreRecord {
        let slug = try Slug(newSlug)
        do {
            try updateStore(storeID, "UPDATE stores SET slug = ? WHERE id = ?", slug.value, storeID)
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            throw CatalogError.slugTaken(slug: slug.value)
        }
        return try requireStore(storeID)
    }

    /// Sets the store's status, for example to suspend it or to end a suspension.
    @discardableResult
    public func updateStatus(of storeID: String, to status: StoreStatus) throws -> StoreRecord {
        try updateStore(storeID, "UPDATE stores SET status = ? WHERE id = ?", status, storeID)
        return try requireStore(storeID)
    }

    /// Sets the store's display name, as the merchant changed it in the store's settings.
    /// The name is validated by the same rules as at provisioning.
    @discardableResult
    public func rename(_ storeID: String, to name: String) throws -> StoreRecord {
        let name = try Provisioner.validateName(name)
        try updateStore(storeID, "UPDATE stores SET name = ? WHERE id = ?", name, storeID)
        return try requireStore(storeID)
    }

    /// Sets the store's plan without changing its status.
    @discardableResult
    public func updatePlan(of storeID: String, to plan: Plan) throws -> StoreRecord {
        try updateStore(storeID, "UPDATE stores SET plan = ? WHERE id = ?", plan, storeID)
        return try requireStore(storeID)
    }

    /// Sets the end of the trial. A trialing or expired store becomes trialing when `end` is
    /// in the future and expired when it is not. Active and suspended stores keep their
    /// status.
    @discardableResult
    public func updateTrialEnd(of storeID: String, to end: Date) throws -> StoreRecord {
        let now = clock.now()
        let newStatus: StoreStatus = end > now ? .trialing : .expired
        try updateStore(storeID, """
            UPDATE stores
            SET trial_ends_at = ?1,
                status = CASE WHEN status IN ('trialing', 'expired') THEN ?2 ELSE status END
            WHERE id = ?3
            """, end, newStatus, storeID)
        return try requireStore(storeID)
    }

    /// Puts the store on a paid `plan`: its status becomes active.
    @discardableResult
    public func activate(_ storeID: String, plan: Plan) throws -> StoreRecord {
        try updateStore(storeID, "UPDATE stores SET plan = ?, status = 'active' WHERE id = ?", plan, storeID)
        return try requireStore(storeID)
    }

    func requireStore(_ storeID: String) throws -> StoreRecord {
        guard let record = try store(id: storeID) else {
            throw CatalogError.storeNotFound(id: storeID)
        }
        return record
    }

    /// Runs one UPDATE of the store row and throws `storeNotFound` when no row matched.
    private func updateStore(_ storeID: String, _ sql: String, _ arguments: (any SQLValueConvertible)?...) throws {
        let changed = try writeChangingMapping { database in
            try database.run(sql, arguments: StatementArguments(arguments))
            return database.changes
        }
        guard changed > 0 else {
            throw CatalogError.storeNotFound(id: storeID)
        }
    }

    // MARK: - Provisioning and repair

    /// Inserts the row of a store being created, in the `provisioning` state, which no
    /// host resolves to.
    func insertProvisioningStore(_ record: StoreRecord) throws {
        do {
            try writeChangingMapping { database in
                try database.run("""
                    INSERT INTO stores (id, slug, name, plan, status, trial_ends_at, owner_email, created_at, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'provisioning')
                    """, record.id, record.slug, record.name, record.plan, record.status,
                    record.trialEndsAt, record.ownerEmail, record.createdAt)
            }
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            throw CatalogError.slugTaken(slug: record.slug)
        }
    }

    /// Sets the provisioning state and the damage note of a store.
    func setState(of storeID: String, to state: ProvisioningState, damage: String?) throws {
        try updateStore(storeID, "UPDATE stores SET state = ?, damage = ? WHERE id = ?", state, damage, storeID)
    }

    /// Deletes the store's row and, by the foreign key's ON DELETE CASCADE, its domains.
    /// Returns whether a row existed.
    @discardableResult
    func deleteStoreRow(_ storeID: String) throws -> Bool {
        try writeChangingMapping { database in
            try database.run("DELETE FROM stores WHERE id = ?", storeID)
            return database.changes > 0
        }
    }
}

// MARK: - Damage

extension Catalog {
    /// Marks a ready store as damaged with `note`, which tells an operator what to do. The
    /// app then shows a "store unavailable" page for it. A store still being created is
    /// left alone.
    public func markDamaged(_ storeID: String, note: String) throws {
        try updateStore(storeID, "UPDATE stores SET state = 'damaged', damage = ? WHERE id = ? AND state <> 'provisioning'", note, storeID)
    }

    /// Marks a damaged store as ready again, once its file is back.
    public func markRepaired(_ storeID: String) throws {
        try updateStore(storeID, "UPDATE stores SET state = 'ready', damage = NULL WHERE id = ? AND state = 'damaged'", storeID)
    }

    /// Deletes the row of a store only while it is still being created, so that a
    /// creation that finished meanwhile is kept. Returns whether a row was deleted.
    func deleteProvisioningRow(_ storeID: String) throws -> Bool {
        try writeChangingMapping { database in
            try database.run("DELETE FROM stores WHERE id = ? AND state = 'provisioning'", storeID)
            return database.changes > 0
        }
    }
}
