import Foundation
import Testing
@testable import SQLite

@Suite struct DateTests {
    private func date(_ iso: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try #require(formatter.date(from: iso))
    }

    @Test func formatsUTCWithMilliseconds() throws {
        #expect(SQLiteDateFormat.string(from: try date("2024-02-29T23:59:59.123Z")) == "2024-02-29 23:59:59.123")
        #expect(SQLiteDateFormat.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000")
        #expect(SQLiteDateFormat.string(from: Date(timeIntervalSince1970: -0.001)) == "1969-12-31 23:59:59.999")
        // Foundation's Gregorian calendar switches to Julian before 1582, so the proleptic
        // Gregorian instant of 0001-01-01 is given in seconds.
        #expect(SQLiteDateFormat.string(from: Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01 00:00:00.000")
        #expect(SQLiteDateFormat.date(from: "0001-01-01 00:00:00.000") == Date(timeIntervalSince1970: -62_135_596_800))
        #expect(SQLiteDateFormat.string(from: try date("9999-12-31T23:59:59.999Z")) == "9999-12-31 23:59:59.999")
        // Rounded to the nearest millisecond, carrying into the next second.
        #expect(SQLiteDateFormat.string(from: Date(timeIntervalSince1970: 59.9996)) == "1970-01-01 00:01:00.000")
    }

    @Test func matchesFoundationOnRandomDates() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // Whole milliseconds between the years 1600 and 2400.
            let milliseconds = Int64.random(in: -11_676_096_000_000...13_569_465_600_000, using: &generator)
            let value = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let expected = formatter.string(from: value)
                .replacingOccurrences(of: "T", with: " ")
                .replacingOccurrences(of: "Z", with: "")
            let text = try #require(SQLiteDateFormat.string(from: value))
            #expect(text == expected)
            let parsed = try #require(SQLiteDateFormat.date(from: text))
            #expect(abs(parsed.timeIntervalSince1970 - value.timeIntervalSince1970) < 0.0005)
        }
    }

    @Test func parsesSQLiteTimeValueForms() throws {
        let expected = try date("2024-05-01T13:45:30.250Z")
        let forms = [
            "2024-05-01 13:45:30.250",
            "2024-05-01T13:45:30.250",
            "2024-05-01T13:45:30.250Z",
            "2024-05-01T13:45:30.25Z",
            "2024-05-01T15:45:30.250+02:00",
            "2024-05-01T08:15:30.250-05:30",
        ]
        for form in forms {
            #expect(SQLiteDateFormat.date(from: form) == expected, "\(form)")
        }
        #expect(SQLiteDateFormat.date(from: "2024-05-01") == (try date("2024-05-01T00:00:00.000Z")))
        #expect(SQLiteDateFormat.date(from: "2024-05-01 13:45") == (try date("2024-05-01T13:45:00.000Z")))
        #expect(SQLiteDateFormat.date(from: "2024-05-01 13:45:30") == (try date("2024-05-01T13:45:30.000Z")))
        let nanos = try #require(SQLiteDateFormat.date(from: "2024-05-01 13:45:30.123456789"))
        #expect(abs(nanos.timeIntervalSince1970 - (try date("2024-05-01T13:45:30.123Z")).timeIntervalSince1970 - 0.000456789) < 1e-6)
    }

    @Test func rejectsInvalidText() {
        let invalid = [
            "", "2024", "2024-5-01", "2024-13-01", "2024-02-30", "2023-02-29", "2024-05-01 24:00",
            "2024-05-01 12:60", "2024-05-01 12:00:60", "2024-05-01 12:00:00.", "2024-05-01X12:00",
            "2024-05-01 12:00:00 trailing", "2024-05-01T12:00:00+0200", "tomorrow", "١٩٧٠-٠١-٠١",
        ]
        for text in invalid {
            #expect(SQLiteDateFormat.date(from: text) == nil, "\(text)")
        }
    }

    @Test func storedDatesWorkWithSQLiteDateFunctions() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE event(at TEXT NOT NULL)")
            let moment = try date("2024-05-01T13:45:30.250Z")
            try database.run("INSERT INTO event(at) VALUES (?)", moment)

            #expect(try database.scalar("SELECT at FROM event", as: String.self) == "2024-05-01 13:45:30.250")
            #expect(try database.scalar("SELECT date(at) FROM event", as: String.self) == "2024-05-01")
            #expect(try database.scalar("SELECT CAST(strftime('%s', at) AS INTEGER) FROM event", as: Int.self) == Int(moment.timeIntervalSince1970))
            #expect(try database.scalar("SELECT count(*) FROM event WHERE at < datetime('2024-05-02')", as: Int.self) == 1)
            #expect(try database.scalar("SELECT at FROM event", as: Date.self) == moment)
        }
    }

    @Test func readsUnixSecondsAndISOText() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            #expect(try database.scalar("SELECT 1714571130", as: Date.self) == Date(timeIntervalSince1970: 1_714_571_130))
            #expect(try database.scalar("SELECT 1714571130.5", as: Date.self) == Date(timeIntervalSince1970: 1_714_571_130.5))
            #expect(try database.scalar("SELECT '2024-05-01T13:45:30Z'", as: Date.self) == Date(timeIntervalSince1970: 1_714_571_130))
            #expect(try database.scalar("SELECT datetime(1714571130, 'unixepoch')", as: Date.self) == Date(timeIntervalSince1970: 1_714_571_130))

            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.scalar("SELECT '01/05/2024'", as: Date.self)
            }
            #expect(error?.description.contains("2024-05-01 13:45:00.000") == true)
        }
    }

    @Test func outOfRangeYearsStoreUnixSeconds() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let far = Date(timeIntervalSince1970: 300_000_000_000)
            #expect(far.sqlValue == .real(300_000_000_000))
            #expect(try database.scalar("SELECT ?", far, as: Date.self) == far)
        }
    }
}
