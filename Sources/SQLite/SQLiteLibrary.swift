import CSQLite

/// Process-wide SQLite settings, applied once before the first connection opens.
enum SQLiteLibrary {
    /// Turns off SQLite's memory statistics. With them on, which is the default unless
    /// SQLite is built with `SQLITE_DEFAULT_MEMSTATUS=0` (Debian's libsqlite3 3.40 is not),
    /// every `sqlite3_malloc` and `sqlite3_free` takes one process-wide mutex
    /// (https://sqlite.org/c3ref/c_config_covering_index_scan.html#sqliteconfigmemstatus).
    /// Worker threads that open store files at the same time then wait for each other
    /// while SQLite parses the schemas. Storefleet reads none of those statistics
    /// (`sqlite3_memory_used`, `sqlite3_status`).
    ///
    /// `sqlite3_config` works only before `sqlite3_initialize`, which the first
    /// `sqlite3_open_v2` calls. If something else in the process opened a connection first,
    /// the call returns `SQLITE_MISUSE`, the statistics stay on, and nothing else changes.
    private static let memoryStatisticsResult: Int32 = csqlite_disable_memory_statistics()

    /// Applies the settings on first use; later calls cost one check of a Swift `static let`.
    static func configureOnce() {
        _ = memoryStatisticsResult
    }

    /// Whether the memory statistics are off, for tests.
    static var memoryStatisticsAreOff: Bool {
        memoryStatisticsResult == SQLITE_OK
    }
}
