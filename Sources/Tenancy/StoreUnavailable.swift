/// A store whose database cannot be used. The app shows a "store unavailable" page
/// (503) and logs `description`, instead of failing with a 500.
public struct StoreUnavailable: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The id does not have the shape of a store id, so no file was looked for.
        case invalidID
        /// The store's database file does not exist. The pool never creates it, because an
        /// empty new database would hide the loss of the store's data.
        case missingFile(path: String)
        /// The file exists but is not a readable SQLite database.
        case unreadable(path: String, detail: String)
        /// The file opened, but preparing it (running the store's migrations) failed.
        case preparationFailed(path: String, detail: String)
        /// The file could not be opened for another reason, such as a lock held too long or
        /// no free file descriptor.
        case openFailed(path: String, detail: String)
        /// The store was deleted while this process ran.
        case deleted
    }

    public let storeID: String
    public let reason: Reason

    public init(storeID: String, reason: Reason) {
        self.storeID = storeID
        self.reason = reason
    }

    public var description: String {
        let store = "Store \(storeID.quotedForMessage())"
        switch reason {
        case .invalidID:
            return "\(store) is not a valid store id; ids look like st_ followed by 16 letters and digits."
        case .missingFile(let path):
            return "\(store) is unavailable: its database file \(path) is missing. Restore the file from a backup, then run the store check."
        case .unreadable(let path, let detail):
            return "\(store) is unavailable: its database file \(path) cannot be read (\(detail)). Restore the file from a backup, then run the store check."
        case .preparationFailed(let path, let detail):
            return "\(store) is unavailable: preparing its database file \(path) failed (\(detail)). Fix the cause and retry, or restore the file from a backup."
        case .openFailed(let path, let detail):
            return "\(store) is unavailable: its database file \(path) could not be opened (\(detail)). Retry later; if it persists, check file permissions and the process's open-file limit."
        case .deleted:
            return "\(store) was deleted."
        }
    }
}
