import Foundation

/// The layout of the platform's data folder:
///
/// ```
/// <root>/platform.sqlite                 the catalog
/// <root>/stores/<store-id>/store.sqlite  one store's database
/// <root>/stores/<store-id>/files/        that store's uploads
/// <root>/orphans/                        store folders that had no catalog row
/// ```
public struct DataDirectory: Sendable, Equatable {
    public let root: URL

    public init(_ root: URL) {
        self.root = root.standardizedFileURL
    }

    public init(path: String) {
        self.init(URL(fileURLWithPath: path, isDirectory: true))
    }

    public var catalogPath: String {
        root.appendingPathComponent("platform.sqlite").path
    }

    public var storesFolder: URL {
        root.appendingPathComponent("stores", isDirectory: true)
    }

    public var orphansFolder: URL {
        root.appendingPathComponent("orphans", isDirectory: true)
    }

    /// Returns the folder of one store. The id must pass `StoreID.isValid`, which callers
    /// check before building any path from outside input; any other id stops the process.
    public func storeFolder(_ storeID: String) -> URL {
        precondition(StoreID.isValid(storeID), "store id \(storeID.quotedForMessage()) is not a valid store id")
        return storesFolder.appendingPathComponent(storeID, isDirectory: true)
    }

    public func storeDatabasePath(_ storeID: String) -> String {
        storeFolder(storeID).appendingPathComponent("store.sqlite").path
    }

    public func storeFilesFolder(_ storeID: String) -> URL {
        storeFolder(storeID).appendingPathComponent("files", isDirectory: true)
    }
}
