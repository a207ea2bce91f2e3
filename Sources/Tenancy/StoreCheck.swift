import Foundation
import SQLite

/// Finds stores that are half created or damaged and, when asked, repairs what can be
/// repaired without losing data.
///
/// | finding | repair |
/// |---|---|
/// | catalog row still `provisioning` after `minimumAge` | row and folder removed: the store was never acknowledged to anyone |
/// | `provisioning` row younger than `minimumAge` | none: a creation may be running |
/// | ready store whose file is missing or unreadable | marked damaged, so the app shows "store unavailable"; an operator restores the file |
/// | damaged store whose file reads again | marked ready |
/// | folder in `stores/` with no catalog row | moved to `orphans/`, since it may be the only copy of a store |
/// | entry in `stores/` that is no store folder | none |
public struct StoreCheck: Sendable {
    public let catalog: Catalog
    public let dataDirectory: DataDirectory
    /// Rows and folders younger than this many seconds are taken as creations in progress.
    public let minimumAge: TimeInterval
    /// Whether to run `PRAGMA quick_check` on every store, which reads the whole file,
    /// instead of only reading its schema.
    public let thorough: Bool
    private let logger: TenancyLogger

    public init(
        catalog: Catalog,
        dataDirectory: DataDirectory,
        minimumAge: TimeInterval = 600,
        thorough: Bool = false,
        logger: TenancyLogger = .standardError
    ) {
        self.catalog = catalog
        self.dataDirectory = dataDirectory
        self.minimumAge = minimumAge
        self.thorough = thorough
        self.logger = logger
    }

    /// Checks every store and every folder under `stores/`; with `repair`, also fixes
    /// what the table above lists.
    public func run(repair: Bool) throws -> StoreCheckReport {
        var report = StoreCheckReport(repair: repair)
        let stores = try catalog.allStores()
        let now = catalog.clock.now()

        for store in stores {
            report.checkedStores += 1
            if let finding = try check(store, now: now, repair: repair) {
                report.findings.append(finding)
            }
        }

        let knownIDs = Set(stores.map(\.id))
        for finding in try checkFolders(knownIDs: knownIDs, report: &report, repair: repair) {
            report.findings.append(finding)
        }

        for finding in report.findings {
            logger.log("store_check.finding", [
                "store_id": finding.storeID,
                "problem": finding.problem.name,
                "repaired": String(finding.repaired),
            ])
        }
        return report
    }

    // MARK: - Stores in the catalog

    private func check(_ store: StoreRecord, now: Date, repair: Bool) throws -> StoreCheckFinding? {
        // Rows come from the file, which a person may have edited; no path is built from
        // an id of the wrong shape.
        guard StoreID.isValid(store.id) else {
            return StoreCheckFinding(
                storeID: store.id,
                slug: store.slug,
                problem: .invalidStoreID,
                action: "None: correct or delete the row in \(catalog.path) by hand.",
                repaired: false
            )
        }
        switch store.state {
        case .provisioning:
            return try checkProvisioning(store, now: now, repair: repair)
        case .ready:
            guard let problem = readProblem(store.id) else { return nil }
            let restore = "Restore \(dataDirectory.storeDatabasePath(store.id)) from the latest backup, then run the store check with repair again."
            guard repair else {
                return StoreCheckFinding(storeID: store.id, slug: store.slug, problem: problem, action: "Run the store check with repair to show the store as unavailable. \(restore)", repaired: false)
            }
            try catalog.markDamaged(store.id, note: "\(problem.summary) \(restore)")
            return StoreCheckFinding(storeID: store.id, slug: store.slug, problem: problem, action: "Marked damaged, so the store shows as unavailable. \(restore)", repaired: true)
        case .damaged:
            if let problem = readProblem(store.id) {
                let action = "Restore \(dataDirectory.storeDatabasePath(store.id)) from the latest backup, then run the store check with repair again."
                return StoreCheckFinding(storeID: store.id, slug: store.slug, problem: problem, action: action, repaired: false)
            }
            if repair {
                try catalog.markRepaired(store.id)
            }
            return StoreCheckFinding(
                storeID: store.id,
                slug: store.slug,
                problem: .readableAgain,
                action: repair ? "Marked ready; the store is served again." : "Run the store check with repair to serve the store again.",
                repaired: repair
            )
        }
    }

    private func checkProvisioning(_ store: StoreRecord, now: Date, repair: Bool) throws -> StoreCheckFinding {
        let age = now.timeIntervalSince(store.createdAt)
        guard age >= minimumAge else {
            return StoreCheckFinding(
                storeID: store.id,
                slug: store.slug,
                problem: .creationInProgress,
                action: "None: the store was created \(Int(age)) s ago and may still be in progress.",
                repaired: false
            )
        }

        var repaired = false
        if repair {
            // The conditional delete keeps a creation that finished after the catalog was
            // read; the folder goes only when the row did.
            if try catalog.deleteProvisioningRow(store.id) {
                try removeIfPresent(dataDirectory.storeFolder(store.id))
                repaired = true
            }
        }
        return StoreCheckFinding(
            storeID: store.id,
            slug: store.slug,
            problem: .halfCreated,
            action: repaired ? "Removed the catalog row and the folder; the address \(store.slug) is free again." : "Run the store check with repair to remove it and free the address \(store.slug).",
            repaired: repaired
        )
    }

    /// Returns the problem that keeps the store's file from being read, or nil when it
    /// reads. The file is opened read-only, so the check changes nothing.
    private func readProblem(_ storeID: String) -> StoreCheckFinding.Problem? {
        let path = dataDirectory.storeDatabasePath(storeID)
        guard FileManager.default.fileExists(atPath: path) else {
            return .missingFile(path: path)
        }
        do {
            let database = try Database(path: path, configuration: Database.Configuration(accessMode: .readOnly))
            defer { try? database.close() }
            // SQLite opens an empty file as an empty database, but a store always has tables.
            let tableCount = try database.scalar("SELECT count(*) FROM sqlite_schema", as: Int.self) ?? 0
            guard tableCount > 0 else {
                return .unreadableFile(path: path, detail: "the database has no tables")
            }
            if thorough {
                let result = try database.scalar("PRAGMA quick_check", as: String.self) ?? ""
                guard result == "ok" else {
                    return .unreadableFile(path: path, detail: "quick_check reported: \(result)")
                }
            }
            return nil
        } catch {
            return .unreadableFile(path: path, detail: String(describing: error))
        }
    }

    // MARK: - Folders

    private func checkFolders(knownIDs: Set<String>, report: inout StoreCheckReport, repair: Bool) throws -> [StoreCheckFinding] {
        let storesFolder = dataDirectory.storesFolder
        guard FileManager.default.fileExists(atPath: storesFolder.path) else { return [] }

        var findings: [StoreCheckFinding] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: storesFolder.path).sorted()
        for name in names {
            report.checkedFolders += 1
            let url = storesFolder.appendingPathComponent(name)
            guard StoreID.isValid(name) else {
                findings.append(StoreCheckFinding(
                    storeID: name,
                    slug: nil,
                    problem: .unexpectedEntry(path: url.path),
                    action: "None. Move it out of \(storesFolder.path).",
                    repaired: false
                ))
                continue
            }
            guard !knownIDs.contains(name) else { continue }
            // A creation writes its row before its folder, and a deletion removes its row
            // before its folder, so a young folder may belong to one of them.
            if let modified = try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date,
               Date().timeIntervalSince(modified) < minimumAge {
                continue
            }
            findings.append(try handleOrphan(name, url: url, repair: repair))
        }
        return findings
    }

    private func handleOrphan(_ name: String, url: URL, repair: Bool) throws -> StoreCheckFinding {
        guard repair else {
            return StoreCheckFinding(
                storeID: name,
                slug: nil,
                problem: .orphanFolder(path: url.path),
                action: "Run the store check with repair to move it to \(dataDirectory.orphansFolder.path); delete it from there once no one needs it.",
                repaired: false
            )
        }
        try FileManager.default.createDirectory(at: dataDirectory.orphansFolder, withIntermediateDirectories: true)
        var destination = dataDirectory.orphansFolder.appendingPathComponent(name)
        var suffix = 1
        while FileManager.default.fileExists(atPath: destination.path) {
            suffix += 1
            destination = dataDirectory.orphansFolder.appendingPathComponent("\(name)-\(suffix)")
        }
        try FileManager.default.moveItem(at: url, to: destination)
        return StoreCheckFinding(
            storeID: name,
            slug: nil,
            problem: .orphanFolder(path: url.path),
            action: "Moved to \(destination.path); delete it from there once no one needs it.",
            repaired: true
        )
    }

    private func removeIfPresent(_ url: URL) throws {
        if FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }
}

/// The outcome of one `StoreCheck.run`.
public struct StoreCheckReport: Sendable, Equatable, CustomStringConvertible {
    public let repair: Bool
    public var checkedStores = 0
    /// Entries seen in the `stores/` folder.
    public var checkedFolders = 0
    public var findings: [StoreCheckFinding] = []

    /// Whether every store was found in order, apart from creations in progress.
    public var isClean: Bool {
        findings.allSatisfy { $0.problem == .creationInProgress }
    }

    /// The report as the command line prints it: a summary, then one line per finding.
    public var description: String {
        var lines = ["Checked \(checkedStores) stores and \(checkedFolders) folders: \(findings.count) finding\(findings.count == 1 ? "" : "s")."]
        for finding in findings {
            lines.append(finding.description)
        }
        return lines.joined(separator: "\n")
    }
}

/// One problem found by `StoreCheck`, with what was done or what to do.
public struct StoreCheckFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The creation never finished: the row is still `provisioning`.
        case halfCreated
        /// The row is `provisioning` but young enough to be a creation in progress.
        case creationInProgress
        case missingFile(path: String)
        case unreadableFile(path: String, detail: String)
        /// A damaged store's file reads again.
        case readableAgain
        /// A store folder without a catalog row.
        case orphanFolder(path: String)
        /// An entry in the stores folder whose name is no store id.
        case unexpectedEntry(path: String)
        /// A catalog row whose id does not have the shape of a store id.
        case invalidStoreID

        /// A short name for logs.
        public var name: String {
            switch self {
            case .halfCreated: "half_created"
            case .creationInProgress: "creation_in_progress"
            case .missingFile: "missing_file"
            case .unreadableFile: "unreadable_file"
            case .readableAgain: "readable_again"
            case .orphanFolder: "orphan_folder"
            case .unexpectedEntry: "unexpected_entry"
            case .invalidStoreID: "invalid_store_id"
            }
        }

        public var summary: String {
            switch self {
            case .halfCreated: "The store's creation never finished."
            case .creationInProgress: "The store is being created."
            case .missingFile(let path): "The database file \(path) is missing."
            case .unreadableFile(let path, let detail): "The database file \(path) cannot be read: \(detail)."
            case .readableAgain: "The damaged store's database file reads again."
            case .orphanFolder(let path): "The folder \(path) has no store in the catalog."
            case .unexpectedEntry(let path): "\(path) is not a store folder."
            case .invalidStoreID: "The catalog row has an id that is not a valid store id."
            }
        }
    }

    /// The store id, or the folder name for folders without a catalog row.
    public let storeID: String
    public let slug: String?
    public let problem: Problem
    /// The repair done when `repaired` is true, otherwise the step an operator should take.
    public let action: String
    public let repaired: Bool

    public var description: String {
        let name = slug.map { "\(storeID) (\($0))" } ?? storeID
        return "\(name): \(problem.summary) \(repaired ? "Repaired" : "Action"): \(action)"
    }
}
