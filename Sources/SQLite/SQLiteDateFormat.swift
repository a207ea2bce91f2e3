import Foundation

/// Formatting and parsing of UTC date text without `DateFormatter`, which is slow to call per
/// row and depends on locale and calendar settings. The civil-date arithmetic is the
/// proleptic Gregorian calendar, as SQLite's date functions use
/// (https://sqlite.org/lang_datefunc.html).
enum SQLiteDateFormat {
    private static let secondsPerDay: Int64 = 86_400

    /// Formats `date` as `YYYY-MM-DD HH:MM:SS.SSS` in UTC, rounded to the nearest millisecond.
    /// Returns nil for years outside 0000–9999, which that format cannot hold.
    static func string(from date: Date) -> String? {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        // Years 0000 and 9999 bound the range; the limits in milliseconds are checked before
        // converting so that a huge Double cannot trap in Int64(_:).
        guard milliseconds >= -62_167_219_200_000, milliseconds < 253_402_300_800_000 else { return nil }
        let totalMilliseconds = Int64(milliseconds)

        let (days, millisecondOfDay) = floorDivide(totalMilliseconds, secondsPerDay * 1000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let secondOfDay = millisecondOfDay / 1000

        var bytes = [UInt8](repeating: 0, count: 23)
        write(year, digits: 4, into: &bytes, at: 0)
        bytes[4] = UInt8(ascii: "-")
        write(month, digits: 2, into: &bytes, at: 5)
        bytes[7] = UInt8(ascii: "-")
        write(day, digits: 2, into: &bytes, at: 8)
        bytes[10] = UInt8(ascii: " ")
        write(secondOfDay / 3600, digits: 2, into: &bytes, at: 11)
        bytes[13] = UInt8(ascii: ":")
        write(secondOfDay / 60 % 60, digits: 2, into: &bytes, at: 14)
        bytes[16] = UInt8(ascii: ":")
        write(secondOfDay % 60, digits: 2, into: &bytes, at: 17)
        bytes[19] = UInt8(ascii: ".")
        write(millisecondOfDay % 1000, digits: 3, into: &bytes, at: 20)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD`, optionally followed by a space or `T` and `HH:MM`, `HH:MM:SS` or
    /// `HH:MM:SS.F…`, optionally followed by `Z` or a `±HH:MM` offset. Text without a zone is
    /// UTC. Returns nil for anything else, including out-of-range fields such as month 13.
    static func date(from text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var scanner = Scanner(bytes: bytes)

        guard let year = scanner.number(digits: 4), scanner.take(UInt8(ascii: "-")),
              let month = scanner.number(digits: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.number(digits: 2)
        else { return nil }
        guard (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day) else { return nil }

        var secondOfDay: Int64 = 0
        var fraction = 0.0
        if scanner.take(UInt8(ascii: " ")) || scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) {
            guard let hour = scanner.number(digits: 2), scanner.take(UInt8(ascii: ":")),
                  let minute = scanner.number(digits: 2),
                  hour < 24, minute < 60
            else { return nil }
            var second: Int64 = 0
            if scanner.take(UInt8(ascii: ":")) {
                guard let value = scanner.number(digits: 2), value < 60 else { return nil }
                second = value
                if scanner.take(UInt8(ascii: ".")) {
                    guard let value = scanner.fraction() else { return nil }
                    fraction = value
                }
            }
            secondOfDay = hour * 3600 + minute * 60 + second
        }

        var offsetSeconds: Int64 = 0
        if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else if let sign = scanner.takeSign() {
            guard let hours = scanner.number(digits: 2), scanner.take(UInt8(ascii: ":")),
                  let minutes = scanner.number(digits: 2),
                  hours < 24, minutes < 60
            else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        // A local time with offset +02:00 is two hours ahead of UTC, so the offset is subtracted.
        let seconds = days * secondsPerDay + secondOfDay - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    // MARK: - Calendar arithmetic

    /// Days from 1970-01-01 to the given proleptic Gregorian date. The calendar is shifted
    /// to start in March so that the leap day falls at the end of each 400-year era.
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        // 719_468 is the number of days from 0000-03-01 to 1970-01-01.
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Converts days since 1970-01-01 to a proleptic Gregorian date, the inverse of
    /// ``daysSinceEpoch(year:month:day:)``.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Division that rounds toward negative infinity, so dates before 1970 land on the right day.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func write(_ value: Int64, digits: Int, into bytes: inout [UInt8], at start: Int) {
        var value = value
        for index in stride(from: start + digits - 1, through: start, by: -1) {
            bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }
}

// MARK: - Scanner

/// A cursor over ASCII bytes for the date parser.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.endIndex, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Returns +1 or -1 after consuming a sign, or nil when the next byte is not a sign.
    mutating func takeSign() -> Int64? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    /// Reads exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int64? {
        guard bytes.endIndex - position >= digits else { return nil }
        var value: Int64 = 0
        for _ in 0..<digits {
            let byte = bytes[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            position += 1
        }
        return value
    }

    /// Reads one or more digits after a decimal point as a fraction of a second. Digits beyond
    /// the ninth (nanoseconds) are read but ignored, since `Date` cannot hold them.
    mutating func fraction() -> Double? {
        var numerator: Int64 = 0
        var denominator: Int64 = 1
        var count = 0
        while position < bytes.endIndex, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            if count < 9 {
                numerator = numerator * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                denominator *= 10
            }
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        return Double(numerator) / Double(denominator)
    }
}
