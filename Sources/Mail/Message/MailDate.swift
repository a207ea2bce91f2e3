import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header's format (RFC 5322, section 3.3): `Thu, 04 Dec 2025 20:38:00 +0000`,
/// always in UTC with the English day and month names the RFC fixes, whatever the
/// process locale.
enum MailDate {
    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats `date`, dropping fractions of a second. The zone is `+0000`, not `-0000`,
    /// because the time really is UTC (section 3.3 gives `-0000` the meaning "local zone
    /// unknown").
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return dayNames[Int(parts.tm_wday)] + ", " + twoDigits(parts.tm_mday) + " " + monthNames[Int(parts.tm_mon)]
            + " " + String(parts.tm_year + 1900) + " " + twoDigits(parts.tm_hour) + ":" + twoDigits(parts.tm_min)
            + ":" + twoDigits(parts.tm_sec) + " +0000"
    }

    /// A compact UTC timestamp for file names, `20251204T203800.123Z`, which sorts in time order.
    static func fileTimestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = min(999, Int((interval - interval.rounded(.down)) * 1000))
        let millisecondText = String(milliseconds)
        return String(parts.tm_year + 1900) + twoDigits(parts.tm_mon + 1) + twoDigits(parts.tm_mday)
            + "T" + twoDigits(parts.tm_hour) + twoDigits(parts.tm_min) + twoDigits(parts.tm_sec)
            + "." + String(repeating: "0", count: 3 - millisecondText.count) + millisecondText + "Z"
    }

    private static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
