import Foundation
@testable import HTTPServer
import Testing

@Suite struct DateCacheTests {
    @Test func formatMatchesFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"

        var generator = SystemRandomNumberGenerator()
        var samples = [0, 784_111_777, 951_782_400, 4_102_444_799]
        for _ in 0..<500 {
            samples.append(Int.random(in: 0...4_102_444_799, using: &generator))
        }
        for seconds in samples {
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let formatted = String(decoding: DateCache.format(secondsSinceEpoch: seconds), as: UTF8.self)
            #expect(formatted == expected, "seconds \(seconds)")
        }
    }

    @Test func exampleFromRFC9110() {
        // RFC 9110, section 5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT".
        #expect(String(decoding: DateCache.format(secondsSinceEpoch: 784_111_777), as: UTF8.self)
            == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func currentValueIsCached() {
        var cache = DateCache()
        let first = cache.current()
        #expect(first.count == 29)
        #expect(cache.current().count == 29)
    }
}
