/// The bytes of one template file plus what is needed to turn a byte offset into a line
/// and column.
struct SourceText {
    /// Path under the library root, `.html` included.
    let file: String
    let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    private let lineStarts: [Int]

    /// Checks that `bytes` is UTF-8 so that every text node and every rendered page is
    /// valid UTF-8. A leading byte order mark is dropped: it would otherwise reach the
    /// middle of a page through a partial, and count as text before `{{#layout}}`.
    init(file: String, bytes: [UInt8]) throws(TemplateError) {
        self.file = file
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = bytes.starts(with: byteOrderMark) ? Array(bytes.dropFirst(3)) : bytes
        self.bytes = bytes

        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts

        if let invalidOffset = SourceText.firstInvalidUTF8Offset(in: bytes) {
            let hex = String(bytes[invalidOffset], radix: 16, uppercase: true)
            throw TemplateError(
                location(at: invalidOffset),
                "the file is not valid UTF-8 (byte 0x\(hex)); save it with UTF-8 encoding"
            )
        }
    }

    func location(at offset: Int) -> SourceLocation {
        // The last line start that is <= offset, by binary search.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset {
                low = middle
            } else {
                high = middle - 1
            }
        }

        var column = 1
        var index = lineStarts[low]
        while index < offset && index < bytes.count {
            if bytes[index] & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return SourceLocation(file: file, line: low + 1, column: column)
    }

    /// Returns the offset of the first byte that does not belong to a well-formed UTF-8 sequence
    /// (RFC 3629 section 4: no overlong forms, no surrogates, nothing above U+10FFFF).
    private static func firstInvalidUTF8Offset(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }

            let length: Int
            var lowerBound: UInt8 = 0x80
            var upperBound: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF:
                length = 2
            case 0xE0:
                length = 3
                lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF:
                length = 3
            case 0xED:
                length = 3
                upperBound = 0x9F
            case 0xF0:
                length = 4
                lowerBound = 0x90
            case 0xF1...0xF3:
                length = 4
            case 0xF4:
                length = 4
                upperBound = 0x8F
            default:
                return index
            }

            guard index + length <= bytes.count else { return index }
            let second = bytes[index + 1]
            guard second >= lowerBound && second <= upperBound else { return index }
            for continuation in bytes[(index + 2)..<(index + length)] where continuation & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }
}
