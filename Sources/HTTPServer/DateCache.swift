import Glibc

/// The `Date` header value in IMF-fixdate form (RFC 9110, section 5.6.7), such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`, formatted at most once per second.
///
/// Each event loop and worker thread owns one cache, so reading it takes no lock.
struct DateCache {
    private var cachedSecond: Int = -1
    private(set) var value: [UInt8] = []

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Returns the formatted current time, refreshing it when the second has changed.
    mutating func current() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if now.tv_sec != cachedSecond {
            cachedSecond = now.tv_sec
            value = Self.format(secondsSinceEpoch: now.tv_sec)
        }
        return value
    }

    static func format(secondsSinceEpoch: Int) -> [UInt8] {
        var seconds = secondsSinceEpoch
        var parts = tm()
        gmtime_r(&seconds, &parts)

        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        bytes.append(contentsOf: dayNames[Int(parts.tm_wday)].utf8)
        bytes.append(contentsOf: ", ".utf8)
        appendTwoDigits(Int(parts.tm_mday), to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: monthNames[Int(parts.tm_mon)].utf8)
        bytes.append(UInt8(ascii: " "))
        let year = Int(parts.tm_year) + 1900
        appendTwoDigits(year / 100, to: &bytes)
        appendTwoDigits(year % 100, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        appendTwoDigits(Int(parts.tm_hour), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(parts.tm_min), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(parts.tm_sec), to: &bytes)
        bytes.append(contentsOf: " GMT".utf8)
        return bytes
    }

    private static func appendTwoDigits(_ value: Int, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
