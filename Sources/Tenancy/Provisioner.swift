import Foundation
import SQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates and deletes stores: the catalog row, the folder and the database file.
///
/// Creation is all or nothing. The catalog row is written first in the `provisioning`
/// state, which no host resolves to, and becomes `ready` only once the file is complete
/// and closed. When a step fails, the file, the folder and the row are removed again. A
/// crash in between leaves a `provisioning` row, which `StoreCheck` finds and removes.
public final class Provisioner: Sendable {
    public let catalog: Catalog
    public let dataDirectory: DataDirectory

    private let pool: StoreDatabasePool?
    private let prepare: @Sendable (Database) throws -> Void
    private let logger: TenancyLogger

    public static let maximumNameLength = 100

    /// - Parameters:
    ///   - pool: the server's pool, so that `delete` closes the store first; nil in tools
    ///     that open no store.
    ///   - prepare: runs on the new file before `setUp`, outside any transaction: the
    ///     store's migrations, the same closure the pool uses.
    public init(
        catalog: Catalog,
        dataDirectory: DataDirectory,
        pool: StoreDatabasePool? = nil,
        logger: TenancyLogger = .standardError,
        prepare: @escaping @Sendable (Database) throws -> Void
    ) {
        self.catalog = catalog
        self.dataDirectory = dataDirectory
        self.pool = pool
        self.logger = logger
        self.prepare = prepare
    }

    /// Creates a store on a 14-day trial of `plan`.
    ///
    /// `setUp` seeds the new database (the owner's staff account, default settings) inside
    /// one transaction. The returned record is `ready`.
    ///
    /// - Throws: `SlugError` for an invalid slug, `ProvisioningError.invalidName` or
    ///   `.invalidOwnerEmail` for bad input, `CatalogError.slugTaken` when the address is
    ///   taken (also by a concurrent creation), and `ProvisioningError.creationFailed` when
    ///   a later step fails; nothing of the store remains then.
    @discardableResult
    public func create(
        slug: String,
        name: String,
        ownerEmail: String,
        plan: Plan,
        setUp: (Database, StoreRecord) throws -> Void
    ) throws -> StoreRecord {
        let slug = try Slug(slug)
        let name = try Self.validateName(name)
        let ownerEmail = try Self.validateEmail(ownerEmail)

        let now = catalog.clock.now()
        var record = StoreRecord(
            id: StoreID.generate(),
            slug: slug.value,
            name: name,
            plan: plan,
            status: .trialing,
            trialEndsAt: Trial.end(startingAt: now),
            ownerEmail: ownerEmail,
            createdAt: now,
            lastActiveAt: nil,
            state: .provisioning,
            damage: nil
        )
        try catalog.insertProvisioningStore(record)

        do {
            try createDatabase(for: record, setUp: setUp)
            try catalog.setState(of: record.id, to: .ready, damage: nil)
        } catch {
            rollBack(record)
            logger.log("store.create_failed", ["store_id": record.id, "slug": record.slug, "error": String(describing: error)])
            throw ProvisioningError.creationFailed(slug: record.slug, underlying: String(describing: error))
        }

        record.state = .ready
        logger.log("store.created", ["store_id": record.id, "slug": record.slug, "plan": plan.rawValue])
        return record
    }

    /// Deletes the store: its catalog row and domains, then its folder with the database
    /// and uploads. This cannot be undone; back the store up first.
    ///
    /// When the folder cannot be removed, the error names it, and the folder stays as an
    /// orphan that `StoreCheck` reports.
    ///
    /// NOTE: only the pool given at init is closed. A server process whose pool holds the
    /// store open keeps its descriptors on the removed files until the pool evicts it,
    /// although its hosts stop resolving at once.
    public func delete(_ storeID: String) throws {
        guard StoreID.isValid(storeID), try catalog.store(id: storeID) != nil else {
            throw CatalogError.storeNotFound(id: storeID)
        }

        // The row goes first, so that the store's hosts stop resolving before its file
        // is closed and removed.
        try catalog.deleteStoreRow(storeID)
        pool?.closeDeletedStore(storeID)

        let folder = dataDirectory.storeFolder(storeID)
        do {
            if FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.removeItem(at: folder)
            }
        } catch {
            logger.log("store.delete_folder_failed", ["store_id": storeID, "error": String(describing: error)])
            throw ProvisioningError.folderRemovalFailed(storeID: storeID, path: folder.path, underlying: String(describing: error))
        }
        logger.log("store.deleted", ["store_id": storeID])
    }

    // MARK: - Steps

    private func createDatabase(for record: StoreRecord, setUp: (Database, StoreRecord) throws -> Void) throws {
        let folder = dataDirectory.storeFolder(record.id)
        try FileManager.default.createDirectory(at: dataDirectory.storesFolder, withIntermediateDirectories: true)
        // Without intermediate directories, creation fails if the folder exists, so two
        // stores can never share one even if random ids collided.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: dataDirectory.storeFilesFolder(record.id), withIntermediateDirectories: false)

        let database = try Database(path: dataDirectory.storeDatabasePath(record.id))
        do {
            try prepare(database)
            try database.transaction(.immediate) { database in
                try setUp(database, record)
            }
            try database.close()
        } catch {
            try? database.close()
            throw error
        }

        // The new directory entries are durable only once their parent folders are synced
        // (fsync(2) on Linux: syncing a file does not sync the entry naming it).
        try Self.syncFolder(folder.path)
        try Self.syncFolder(dataDirectory.storesFolder.path)
    }

    private func rollBack(_ record: StoreRecord) {
        let folder = dataDirectory.storeFolder(record.id)
        do {
            if FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.removeItem(at: folder)
            }
            try catalog.deleteStoreRow(record.id)
        } catch {
            // The row stays in the provisioning state, which StoreCheck removes.
            logger.log("store.rollback_failed", ["store_id": record.id, "error": String(describing: error)])
        }
    }

    private static func syncFolder(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else {
            throw ProvisioningError.syncFailed(path: path, errno: errno)
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw ProvisioningError.syncFailed(path: path, errno: errno)
        }
    }

    // MARK: - Validation

    /// Trims the store name and checks that it has 1 to 100 characters and no control
    /// characters.
    static func validateName(_ name: String) throws(ProvisioningError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maximumNameLength else {
            throw .invalidName(name, reason: "it must have 1 to \(maximumNameLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidName(name, reason: "it must not contain control characters such as line breaks")
        }
        return trimmed
    }

    /// Checks the shape of an email address: `local@domain` with a local part of 1 to 64
    /// printable characters without spaces, and a domain that is a valid host name with at
    /// least two labels. Returns it trimmed, with the domain in lower case. Whether the
    /// mailbox exists is for a confirmation mail to find out.
    static func validateEmail(_ email: String) throws(ProvisioningError) -> String {
        let trimmed = email.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidOwnerEmail(email, reason: "it must contain exactly one @")
        }
        let local = parts[0]
        guard !local.isEmpty, local.utf8.count <= 64 else {
            throw .invalidOwnerEmail(email, reason: "the part before @ must have 1 to 64 characters")
        }
        guard !local.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\"" || $0 == "," || $0 == "<" || $0 == ">" }) else {
            throw .invalidOwnerEmail(email, reason: "the part before @ must not contain spaces, quotes, commas, angle brackets or control characters")
        }
        guard let domain = try? HostName.normalize(String(parts[1])),
              case .name(let domainName) = domain,
              domainName.contains("."),
              !parts[1].contains(":"),
              !parts[1].hasSuffix(".")
        else {
            throw .invalidOwnerEmail(email, reason: "the part after @ must be a domain such as example.com")
        }
        return "\(local)@\(domainName)"
    }
}

/// A store that could not be created or deleted.
public enum ProvisioningError: Error, Equatable, CustomStringConvertible {
    case invalidName(String, reason: String)
    case invalidOwnerEmail(String, reason: String)
    /// A step after the catalog row was written failed; everything was removed again.
    case creationFailed(slug: String, underlying: String)
    case syncFailed(path: String, errno: Int32)
    case folderRemovalFailed(storeID: String, path: String, underlying: String)

    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            return "The store name \(name.quotedForMessage()) is invalid: \(reason)."
        case .invalidOwnerEmail(let email, let reason):
            return "The owner email address \(email.quotedForMessage()) is invalid: \(reason)."
        case .creationFailed(let slug, let underlying):
            return "The store \(slug) could not be created, and nothing of it was kept: \(underlying). Fix the cause and create it again."
        case .syncFailed(let path, let code):
            return "Syncing the folder \(path) to disk failed: \(String(cString: strerror(code))). Check the disk and its free space."
        case .folderRemovalFailed(let storeID, let path, let underlying):
            return "Store \(storeID) was removed from the catalog, but its folder \(path) could not be deleted: \(underlying). Delete the folder by hand; the store check lists it as an orphan until then."
        }
    }
}
