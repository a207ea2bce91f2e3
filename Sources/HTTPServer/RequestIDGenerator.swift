/// Makes the 12-hex-digit ids that tie a request's access-log line to its error page.
///
/// Each event loop owns one generator, so no lock is taken. The ids only need to be unlikely
/// to repeat within a log's lifetime (48 bits), not unpredictable, so a SplitMix64 sequence
/// seeded from the system's random source is enough.
struct RequestIDGenerator {
    private var state: UInt64

    init() {
        var random = SystemRandomNumberGenerator()
        state = random.next()
    }

    mutating func next() -> String {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31

        // Twelve ASCII bytes fit in Swift's inline small-string storage, so no allocation.
        let hexDigits: StaticString = "0123456789abcdef"
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 12) { buffer in
            for index in 0..<12 {
                let nibble = Int((mixed >> UInt64(4 * (11 - index))) & 0xF)
                buffer[index] = hexDigits.utf8Start[nibble]
            }
            return String(decoding: buffer, as: UTF8.self)
        }
    }
}
