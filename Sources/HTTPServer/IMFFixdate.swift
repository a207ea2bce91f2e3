import Foundation

/// Formatting and parsing of HTTP dates such as `Sun, 06 Nov 1994 08:49:37 GMT`
/// (RFC 9110, section 5.6.7), for `Last-Modified`, `If-Modified-Since` and cookie `Expires`.
///
/// The calendar arithmetic is done here on integers, so the result never depends on the
/// process's locale, time zone or calendar, which `DateFormatter` would consult.
public enum IMFFixdate {
    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let longDayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats `date` as IMF-fixdate, dropping fractions of a second. Years after 9999 get
    /// more than the four digits the format allows, so callers that may see such dates should
    /// reject them first.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(fromDaysSinceEpoch: days)
        // 1970-01-01 was a Thursday, index 4 in `dayNames`.
        let weekday = floorDivision(days + 4, 7).remainder

        return "\(dayNames[weekday]), \(twoDigits(day)) \(monthNames[month - 1]) \(fourDigits(year)) "
            + "\(twoDigits(secondOfDay / 3600)):\(twoDigits(secondOfDay / 60 % 60)):\(twoDigits(secondOfDay % 60)) GMT"
    }

    /// Parses any of the three HTTP-date forms that RFC 9110, section 5.6.7, requires
    /// recipients to accept: IMF-fixdate, the obsolete RFC 850 form
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and the asctime form (`Sun Nov  6 08:49:37 1994`).
    /// Returns nil for anything else, including an impossible date such as 31 April.
    /// The day name is checked for spelling but not against the date.
    ///
    /// - Parameter now: the current time, used only to place an RFC 850 two-digit year.
    public static func parse(_ text: String, now: Date = Date()) -> Date? {
        let bytes = Array(text.utf8)
        return parseFixdate(bytes) ?? parseRFC850(bytes, now: now) ?? parseAsctime(bytes)
    }

    // MARK: - The three forms

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func parseFixdate(_ bytes: [UInt8]) -> Date? {
        guard bytes.count == 29,
              dayNames.contains(string(bytes, 0..<3)),
              string(bytes, 3..<5) == ", ",
              let day = number(bytes, 5..<7),
              bytes[7] == UInt8(ascii: " "),
              let month = monthNumber(string(bytes, 8..<11)),
              bytes[11] == UInt8(ascii: " "),
              let year = number(bytes, 12..<16),
              bytes[16] == UInt8(ascii: " "),
              let time = timeOfDay(bytes, at: 17),
              string(bytes, 25..<29) == " GMT"
        else { return nil }
        return makeDate(year: year, month: month, day: day, secondOfDay: time)
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`
    private static func parseRFC850(_ bytes: [UInt8], now: Date) -> Date? {
        guard let comma = bytes.firstIndex(of: UInt8(ascii: ",")),
              longDayNames.contains(string(bytes, 0..<comma)),
              bytes.count == comma + 24
        else { return nil }
        let start = comma + 2
        guard bytes[comma + 1] == UInt8(ascii: " "),
              let day = number(bytes, start..<start + 2),
              bytes[start + 2] == UInt8(ascii: "-"),
              let month = monthNumber(string(bytes, start + 3..<start + 6)),
              bytes[start + 6] == UInt8(ascii: "-"),
              let twoDigitYear = number(bytes, start + 7..<start + 9),
              bytes[start + 9] == UInt8(ascii: " "),
              let time = timeOfDay(bytes, at: start + 10),
              string(bytes, start + 18..<start + 22) == " GMT"
        else { return nil }

        // RFC 9110, section 5.6.7: a two-digit year that would be more than 50 years in the
        // future means the most recent past year with the same last two digits.
        let currentYear = civilDate(fromDaysSinceEpoch: floorDivision(Int(now.timeIntervalSince1970), 86_400).quotient).year
        var year = currentYear - currentYear % 100 + twoDigitYear
        if year > currentYear + 50 { year -= 100 }
        return makeDate(year: year, month: month, day: day, secondOfDay: time)
    }

    /// `Sun Nov  6 08:49:37 1994`, where a one-digit day is padded with a space.
    private static func parseAsctime(_ bytes: [UInt8]) -> Date? {
        guard bytes.count == 24,
              dayNames.contains(string(bytes, 0..<3)),
              bytes[3] == UInt8(ascii: " "),
              let month = monthNumber(string(bytes, 4..<7)),
              bytes[7] == UInt8(ascii: " ")
        else { return nil }

        let day: Int?
        if bytes[8] == UInt8(ascii: " ") {
            day = number(bytes, 9..<10)
        } else {
            day = number(bytes, 8..<10)
        }
        guard let day,
              bytes[10] == UInt8(ascii: " "),
              let time = timeOfDay(bytes, at: 11),
              bytes[19] == UInt8(ascii: " "),
              let year = number(bytes, 20..<24)
        else { return nil }
        return makeDate(year: year, month: month, day: day, secondOfDay: time)
    }

    // MARK: - Pieces

    /// Parses `HH:MM:SS` at `index` into seconds since midnight. A leap second (`:60`) is
    /// accepted, as the grammar allows it, and counts as the next second.
    private static func timeOfDay(_ bytes: [UInt8], at index: Int) -> Int? {
        guard index + 8 <= bytes.count,
              let hour = number(bytes, index..<index + 2), hour < 24,
              bytes[index + 2] == UInt8(ascii: ":"),
              let minute = number(bytes, index + 3..<index + 5), minute < 60,
              bytes[index + 5] == UInt8(ascii: ":"),
              let second = number(bytes, index + 6..<index + 8), second <= 60
        else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    private static func makeDate(year: Int, month: Int, day: Int, secondOfDay: Int) -> Date? {
        guard day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + secondOfDay))
    }

    private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard range.upperBound <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[range] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        guard range.upperBound <= bytes.count else { return "" }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// Month names are case-sensitive in HTTP-date (RFC 9110, section 5.6.7).
    private static func monthNumber(_ name: String) -> Int? {
        monthNames.firstIndex(of: name).map { $0 + 1 }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func fourDigits(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: - Proleptic Gregorian calendar arithmetic

    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((value % divisor) + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    private static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Counts days from 1970-01-01 with years that start in March, so the leap day is the
    /// last day of its year and whole 400-year cycles (146,097 days) can be skipped at once.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let cycle = floorDivision(marchYear, 400).quotient
        let yearOfCycle = marchYear - cycle * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfCycle = yearOfCycle * 365 + yearOfCycle / 4 - yearOfCycle / 100 + dayOfYear
        // 719,468 days lie between 0000-03-01 and 1970-01-01.
        return cycle * 146_097 + dayOfCycle - 719_468
    }

    /// Converts days since 1970-01-01 back to a date, inverting `daysSinceEpoch(year:month:day:)`.
    static func civilDate(fromDaysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let cycle = floorDivision(shifted, 146_097).quotient
        let dayOfCycle = shifted - cycle * 146_097
        let yearOfCycle = (dayOfCycle - dayOfCycle / 1_460 + dayOfCycle / 36_524 - dayOfCycle / 146_096) / 365
        let dayOfYear = dayOfCycle - (365 * yearOfCycle + yearOfCycle / 4 - yearOfCycle / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfCycle + cycle * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
