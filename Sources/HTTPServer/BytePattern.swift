/// A byte string prepared for repeated searching with the Boyer-Moore-Horspool algorithm.
///
/// A search looks at about `haystack.count / pattern.count` bytes on typical input and never
/// more than `haystack.count * pattern.count` byte comparisons, so it stays linear in the
/// haystack for the short patterns it serves (multipart delimiters are at most 74 bytes).
struct BytePattern {
    let bytes: [UInt8]
    /// For each byte value, how far the window may move when that byte is under the window's
    /// last position and the window does not match.
    private let shifts: [Int]

    init(_ bytes: [UInt8]) {
        precondition(!bytes.isEmpty, "A BytePattern needs at least one byte")
        self.bytes = bytes

        var shifts = [Int](repeating: bytes.count, count: 256)
        for (index, byte) in bytes.dropLast().enumerated() {
            shifts[Int(byte)] = bytes.count - 1 - index
        }
        self.shifts = shifts
    }

    /// Returns the index of the first occurrence at or after `start` that ends at or before
    /// `end`, or nil.
    func firstIndex(in haystack: [UInt8], from start: Int, to end: Int? = nil) -> Int? {
        let end = end ?? haystack.count
        precondition(start >= 0 && end <= haystack.count, "search bounds outside the haystack")
        let patternLength = bytes.count

        return haystack.withUnsafeBufferPointer { text -> Int? in
            bytes.withUnsafeBufferPointer { pattern -> Int? in
                shifts.withUnsafeBufferPointer { shifts -> Int? in
                    let lastPatternByte = pattern[patternLength - 1]
                    var position = start
                    while position + patternLength <= end {
                        let lastTextByte = text[position + patternLength - 1]
                        if lastTextByte == lastPatternByte {
                            var offset = 0
                            while offset < patternLength - 1 && text[position + offset] == pattern[offset] {
                                offset += 1
                            }
                            if offset == patternLength - 1 { return position }
                        }
                        position += shifts[Int(lastTextByte)]
                    }
                    return nil
                }
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// Returns whether the bytes at `index` start with `prefix`, without copying.
    func hasBytes(_ prefix: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + prefix.count <= count else { return false }
        for offset in 0..<prefix.count where self[index + offset] != prefix[offset] {
            return false
        }
        return true
    }
}
