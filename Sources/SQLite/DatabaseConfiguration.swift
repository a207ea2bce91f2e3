extension Database {
    /// Settings applied when a connection opens.
    public struct Configuration: Sendable, Equatable {
        /// Whether the connection may write and may create the file.
        public enum AccessMode: Sendable, Equatable {
            /// Read and write an existing file; a missing file is an error.
            case readWrite
            /// Read and write, creating the file when it does not exist.
            case readWriteCreate
            /// Read only. The journal mode is left as the file has it, since changing it
            /// is a write.
            case readOnly
        }

        /// `PRAGMA synchronous` (https://sqlite.org/pragma.html#pragma_synchronous), which
        /// decides when SQLite calls fsync. In WAL mode:
        ///
        /// - `off`: no fsync at all. A commit survives the process being killed (`kill -9`)
        ///   because the data is in the operating system's cache, but an operating system
        ///   crash or power loss can lose recent commits and may corrupt the file.
        /// - `normal`: fsync only at checkpoints. A commit survives the process being killed;
        ///   SQLite's documentation states that transactions are durable across application
        ///   crashes whatever the synchronous setting. A power loss or operating system crash
        ///   can roll back the last transactions but cannot corrupt the file.
        /// - `full`: fsync of the WAL at every commit. A commit also survives power loss, at
        ///   the cost of one fsync per transaction.
        public enum Synchronous: String, Sendable, Equatable {
            case off = "OFF"
            case normal = "NORMAL"
            case full = "FULL"
        }

        public var accessMode: AccessMode
        /// How long a statement waits for another connection's lock before failing with
        /// `SQLITE_BUSY` (`sqlite3_busy_timeout`, which sleeps and retries until this much
        /// time has passed). Zero fails at once.
        public var busyTimeout: Duration
        public var synchronous: Synchronous
        /// The most prepared statements the connection keeps for reuse.
        public var statementCacheCapacity: Int
        /// Keeps the `-wal` and `-shm` files when the last connection closes
        /// (`SQLITE_FCNTL_PERSIST_WAL`), so reopening a file does not create them again.
        /// Worth it where files are opened and closed often, as in a pool of store files.
        public var keepsWALFiles = false
        /// The page cache limit in KiB (`PRAGMA cache_size=-N`); nil keeps SQLite's default
        /// of 2,000 KiB. Lower it where many connections stay open at once.
        public var pageCacheKiB: Int?
        /// The lookaside allocator's slot size in bytes and slot count
        /// (`SQLITE_DBCONFIG_LOOKASIDE`); nil keeps SQLite's default, which reserves about
        /// 120 KiB per connection.
        public var lookaside: Lookaside?

        /// A lookaside allocator size: `count` slots of `slotSize` bytes.
        public struct Lookaside: Sendable, Equatable {
            public var slotSize: Int
            public var count: Int

            public init(slotSize: Int, count: Int) {
                self.slotSize = slotSize
                self.count = count
            }
        }

        /// The defaults: create the file if needed, 5 s busy timeout, `synchronous=NORMAL`
        /// (an acknowledged commit survives `kill -9` of the server), 64 cached statements.
        public init(
            accessMode: AccessMode = .readWriteCreate,
            busyTimeout: Duration = .seconds(5),
            synchronous: Synchronous = .normal,
            statementCacheCapacity: Int = 64
        ) {
            self.accessMode = accessMode
            self.busyTimeout = busyTimeout
            self.synchronous = synchronous
            self.statementCacheCapacity = statementCacheCapacity
        }

        /// The busy timeout in whole milliseconds, as `sqlite3_busy_timeout` takes it,
        /// clamped to 0…`Int32.max`.
        var busyTimeoutMilliseconds: Int32 {
            let (seconds, attoseconds) = busyTimeout.components
            guard seconds >= 0 else { return 0 }
            let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
            guard !milliseconds.overflow else { return Int32.max }
            let total = milliseconds.partialValue + attoseconds / 1_000_000_000_000_000
            return Int32(clamping: total)
        }
    }
}
