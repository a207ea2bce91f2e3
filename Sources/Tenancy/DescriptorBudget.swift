#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of store databases that may be open at once without running the process out
/// of file descriptors.
///
/// An open store in WAL mode uses three descriptors, because "the state of a WAL mode
/// database is described by three separate files" (https://sqlite.org/walformat.html):
/// the database, its `-wal` log and its `-shm` wal-index. The rest of the soft
/// `RLIMIT_NOFILE` is kept for sockets, the catalog, logs and the files the server serves.
public struct DescriptorBudget: Sendable, Equatable {
    public static let descriptorsPerStore = 3

    /// The store count that the caller requested.
    public let requested: Int
    /// The soft `RLIMIT_NOFILE` in force, or nil when the limit is infinite.
    public let softLimit: Int?
    /// Descriptors kept free for everything but store databases.
    public let reserved: Int
    /// `min(requested, (softLimit - reserved) / 3)`, and at least 1.
    public let effective: Int
    /// `(softLimit - reserved) / 3`, at least 1: the stores whose descriptors fit, whatever
    /// was requested. Nil when the limit is infinite. Above `effective`, the pool uses the
    /// room for stores it is still closing.
    public let capacity: Int?

    /// Computes the budget from an explicit soft limit, so that tests need not change the
    /// process's real limit. `reserved` defaults to half of the limit, at most 256.
    public init(requested: Int, softLimit: Int?, reserved: Int? = nil) {
        precondition(requested >= 1, "the requested number of open stores must be at least 1, got \(requested)")
        self.requested = requested
        self.softLimit = softLimit
        guard let softLimit else {
            self.reserved = reserved ?? 256
            effective = requested
            capacity = nil
            return
        }
        let reserve = reserved ?? Self.defaultReserve(softLimit: softLimit)
        self.reserved = reserve
        let storesThatFit = max(0, softLimit - reserve) / Self.descriptorsPerStore
        // One store must always be openable, even under an absurdly low limit. Its open
        // then fails with EMFILE and a clear error, rather than the pool refusing to work.
        effective = max(1, min(requested, storesThatFit))
        capacity = max(1, storesThatFit)
    }

    /// Computes the budget from the process's current soft `RLIMIT_NOFILE`.
    public static func current(requested: Int, reserved: Int? = nil) -> DescriptorBudget {
        DescriptorBudget(requested: requested, softLimit: currentSoftLimit(), reserved: reserved)
    }

    /// Returns the descriptors kept for everything but stores when the caller names no
    /// number: half of the limit, at most 256.
    public static func defaultReserve(softLimit: Int) -> Int {
        min(256, softLimit / 2)
    }

    /// Reads the soft `RLIMIT_NOFILE`. Returns nil when it is `RLIM_INFINITY` or cannot be read.
    public static func currentSoftLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        // On Linux RLIM_INFINITY is all bits set, and Swift cannot import the C macro.
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return nil
        }
        return Int(clamping: limit.rlim_cur)
    }
}
