import CSQLite
import Foundation
import SQLite
import Testing

@Suite struct ConnectionTuningTests {
    @Test func walFilesStayAfterCloseWhenKept() throws {
        try withTemporaryDirectory { directory in
            var configuration = Database.Configuration()
            configuration.keepsWALFiles = true
            let database = try openDatabase(directory, "kept.sqlite", configuration: configuration)
            try database.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            try database.close()

            let walPath = directory.appendingPathComponent("kept.sqlite-wal").path
            #expect(FileManager.default.fileExists(atPath: walPath))

            let reopened = try openDatabase(directory, "kept.sqlite", configuration: configuration)
            #expect(try reopened.scalar("SELECT x FROM t", as: Int.self) == 1)
        }
    }

    @Test func walFilesAreRemovedOnCloseByDefault() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory, "default.sqlite")
            try database.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            try database.close()
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("default.sqlite-wal").path))
        }
    }

    @Test func pageCacheLimitIsApplied() throws {
        try withTemporaryDirectory { directory in
            var configuration = Database.Configuration()
            configuration.pageCacheKiB = 256
            configuration.lookaside = .init(slotSize: 128, count: 64)
            configuration.keepsTemporaryDataInMemory = true
            let database = try openDatabase(directory, configuration: configuration)
            #expect(try database.scalar("PRAGMA cache_size", as: Int.self) == -256)
            // 2 is MEMORY (https://sqlite.org/pragma.html#pragma_temp_store).
            #expect(try database.scalar("PRAGMA temp_store", as: Int.self) == 2)

            try database.execute("CREATE TABLE t (x TEXT)")
            for index in 0..<200 {
                try database.run("INSERT INTO t VALUES (?)", "row \(index)")
            }
            #expect(try database.scalar("SELECT count(*) FROM t", as: Int.self) == 200)
        }
    }

    /// With memory statistics on, SQLite counts every allocation of an open connection in
    /// `sqlite3_memory_used`; with them off, nothing is counted.
    @Test func memoryStatisticsAreOffOnceADatabaseOpens() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory, "statistics.sqlite")
            try database.execute("CREATE TABLE t (x TEXT); INSERT INTO t VALUES (randomblob(10000));")
            #expect(try database.scalar("SELECT count(*) FROM t", as: Int.self) == 1)
            #expect(sqlite3_memory_used() == 0)
        }
    }
}
