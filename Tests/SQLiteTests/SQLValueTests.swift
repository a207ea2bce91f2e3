import Foundation
import Testing
@testable import SQLite

@Suite struct SQLValueTests {
    /// Stores `value` in an untyped column and reads it back as the same type.
    private func roundTrip<T: SQLValueConvertible>(_ value: T, in database: Database) throws -> T {
        try database.run("DELETE FROM slot")
        try database.run("INSERT INTO slot(value) VALUES (?)", value)
        return try #require(try database.queryFirst("SELECT value FROM slot") { try $0.get("value", as: T.self) })
    }

    private func withSlotDatabase(_ body: (Database) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            // No declared type, so no affinity changes what is stored.
            try database.execute("CREATE TABLE slot(value)")
            try body(database)
        }
    }

    @Test func integersRoundTrip() throws {
        try withSlotDatabase { database in
            for value in [0, 1, -1, Int.max, Int.min] {
                let stored1 = try roundTrip(value, in: database)
                #expect(stored1 == value)
            }
            for value in [Int64.max, Int64.min, 42] {
                let stored2 = try roundTrip(value, in: database)
                #expect(stored2 == value)
            }
            let stored3 = try roundTrip(Int32.min, in: database)
            #expect(stored3 == Int32.min)
        }
    }

    @Test func doublesRoundTrip() throws {
        try withSlotDatabase { database in
            for value in [0.0, -0.5, 3.141592653589793, 1e300, -1e-300, .infinity, -.infinity] {
                let stored4 = try roundTrip(value, in: database)
                #expect(stored4 == value)
            }
            // An integer reads as a Double, but a real with a fraction does not read as Int.
            try database.run("UPDATE slot SET value = 7")
            #expect(try database.scalar("SELECT value FROM slot", as: Double.self) == 7.0)
        }
    }

    @Test func boolRoundTripsAsInteger() throws {
        try withSlotDatabase { database in
            let stored5 = try roundTrip(true, in: database)
            #expect(stored5 == true)
            #expect(try database.scalar("SELECT typeof(value) || ':' || value FROM slot", as: String.self) == "integer:1")
            let stored6 = try roundTrip(false, in: database)
            #expect(stored6 == false)
            try database.run("UPDATE slot SET value = 5")
            #expect(try database.scalar("SELECT value FROM slot", as: Bool.self) == true)
        }
    }

    @Test func stringsRoundTrip() throws {
        try withSlotDatabase { database in
            let samples = ["", "plain", "Ünïcödé ✓ 日本語 🛒", "line\nbreak", "embedded\u{0}nul", String(repeating: "x", count: 100_000)]
            for value in samples {
                let stored7 = try roundTrip(value, in: database)
                #expect(stored7 == value)
            }
            // The empty string stays text, not NULL.
            _ = try roundTrip("", in: database)
            #expect(try database.scalar("SELECT typeof(value) FROM slot", as: String.self) == "text")
        }
    }

    @Test func blobsRoundTrip() throws {
        try withSlotDatabase { database in
            let bytes: [UInt8] = [0, 1, 2, 255, 0, 128]
            let stored8 = try roundTrip(bytes, in: database)
            #expect(stored8 == bytes)
            let stored9 = try roundTrip(Data(bytes), in: database)
            #expect(stored9 == Data(bytes))

            // An empty blob stays a blob, not NULL.
            let stored10 = try roundTrip([UInt8](), in: database)
            #expect(stored10 == [])
            #expect(try database.scalar("SELECT typeof(value) FROM slot", as: String.self) == "blob")
        }
    }

    @Test func optionalsAndNull() throws {
        try withSlotDatabase { database in
            let missing: Int? = nil
            let stored11 = try roundTrip(missing, in: database)
            #expect(stored11 == nil)
            #expect(try database.scalar("SELECT typeof(value) FROM slot", as: String.self) == "null")
            let stored12 = try roundTrip(Optional(12), in: database)
            #expect(stored12 == 12)

            try database.run("UPDATE slot SET value = ?", nil)
            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.queryFirst("SELECT value FROM slot") { try $0.get("value", as: Int.self) }
            }
            #expect(error?.kind == .unexpectedNull)
            #expect(error?.description.contains("column \"value\" is NULL") == true)
        }
    }

    @Test func sqlValueEnumRoundTrips() throws {
        try withSlotDatabase { database in
            let values: [SQLValue] = [.null, .integer(-9), .real(2.5), .text("t"), .blob([9, 8])]
            for value in values {
                let stored13 = try roundTrip(value, in: database)
                #expect(stored13 == value)
            }
        }
    }

    @Test func mismatchedTypesAreRejected() throws {
        try withSlotDatabase { database in
            try database.run("INSERT INTO slot(value) VALUES (?)", "12")
            let asInt = #expect(throws: RowDecodingError.self) {
                _ = try database.queryFirst("SELECT value FROM slot") { try $0.get("value", as: Int.self) }
            }
            #expect(asInt?.kind == .typeMismatch(storageClass: "text", reason: nil))

            try database.run("UPDATE slot SET value = 1.5")
            let fraction = #expect(throws: RowDecodingError.self) {
                _ = try database.queryFirst("SELECT value FROM slot") { try $0.get("value", as: Int.self) }
            }
            #expect(fraction?.description.contains("fraction") == true)

            try database.run("UPDATE slot SET value = ?", Int64(Int32.max) + 1)
            #expect(throws: RowDecodingError.self) {
                _ = try database.queryFirst("SELECT value FROM slot") { try $0.get("value", as: Int32.self) }
            }
        }
    }
}
