/// Appends text to an output buffer with the five characters that are special in HTML
/// text and quoted attribute values replaced by character references.
///
/// `&`, `<`, `>`, `"` and `'` are replaced, which is what the HTML Standard needs for text
/// content and for attribute values in double or single quotes (section 13.1.2.3,
/// "Attributes"). An unquoted attribute value is not made safe by this, so templates
/// always quote attributes.
enum HTMLEscaping {
    /// The longest character reference written for one byte, `&quot;`.
    private static let maximumExpansion = 6

    static func append(escaping string: borrowing String, to output: inout OutputBuffer) {
        // The UTF-8 view of a native string is contiguous, so this reads the string where
        // it is. Only a string bridged from another representation takes the copy below.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { append(escaping: $0, to: &output) }
        if done == nil {
            var copy = copy string
            copy.withUTF8 { append(escaping: $0, to: &output) }
        }
    }

    static func append(escaping bytes: UnsafeBufferPointer<UInt8>, to output: inout OutputBuffer) {
        guard let source = bytes.baseAddress else { return }
        let count = bytes.count
        output.append(upTo: count * maximumExpansion) { destination in
            var written = 0
            var index = 0

            // Eight bytes at a time: most text has no special byte, and then the word is
            // copied whole.
            while index + 8 <= count {
                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                if !containsSpecialByte(word) {
                    UnsafeMutableRawPointer(destination + written).storeBytes(of: word, as: UInt64.self)
                    written += 8
                    index += 8
                    continue
                }
                for offset in index..<(index + 8) {
                    written += appendEscaping(source[offset], to: destination + written)
                }
                index += 8
            }

            while index < count {
                written += appendEscaping(source[index], to: destination + written)
                index += 1
            }
            return written
        }
    }

    /// Writes `byte`, or its character reference when it is special, and returns the
    /// number of bytes written.
    @inline(__always)
    private static func appendEscaping(_ byte: UInt8, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        // All five special bytes are at most `>` (0x3E). Letters and most text are above
        // it, so one comparison passes them.
        if byte > UInt8(ascii: ">") {
            destination.pointee = byte
            return 1
        }
        let reference: StaticString
        switch byte {
        case UInt8(ascii: "&"): reference = "&amp;"
        case UInt8(ascii: "<"): reference = "&lt;"
        case UInt8(ascii: ">"): reference = "&gt;"
        case UInt8(ascii: "\""): reference = "&quot;"
        case UInt8(ascii: "'"): reference = "&#39;"
        default:
            destination.pointee = byte
            return 1
        }
        destination.initialize(from: reference.utf8Start, count: reference.utf8CodeUnitCount)
        return reference.utf8CodeUnitCount
    }

    /// Returns whether any byte of `word` is `"`, `&`, `'`, `<` or `>`.
    ///
    /// Setting bit 1 maps `<` (0x3C) and `>` (0x3E) both to 0x3E, and setting bit 0 maps
    /// `&` (0x26) and `'` (0x27) both to 0x27, so three tests for a zero byte after an
    /// XOR cover the five bytes. `(v - 0x01…01) & ~v & 0x80…80` is nonzero exactly when
    /// some byte of `v` is zero: without a zero byte no subtraction borrows, and a byte
    /// minus one has its top bit set only when the byte was zero or at least 0x81, where
    /// `~v` clears it.
    @inline(__always)
    private static func containsSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let ampersandOrApostrophe = (word | ones) ^ (ones &* 0x27)
        let angleBrackets = (word | (ones &* 0x02)) ^ (ones &* 0x3E)
        return (hasZeroByte(quotes) | hasZeroByte(ampersandOrApostrophe) | hasZeroByte(angleBrackets)) != 0
    }

    @inline(__always)
    private static func hasZeroByte(_ value: UInt64) -> UInt64 {
        (value &- 0x0101_0101_0101_0101) & ~value & 0x8080_8080_8080_8080
    }

    static func append(raw string: borrowing String, to output: inout OutputBuffer) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { output.append($0) }
        if done == nil {
            var copy = copy string
            copy.withUTF8 { output.append($0) }
        }
    }

    /// Appends the decimal digits of `value` without creating a `String`.
    static func append(integer value: Int, to output: inout OutputBuffer) {
        // 20 digits and a sign cover every Int64.
        output.append(upTo: 20) { destination in
            var magnitude = value.magnitude
            var digits = 0
            repeat {
                destination[digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                digits += 1
            } while magnitude > 0
            if value < 0 {
                destination[digits] = UInt8(ascii: "-")
                digits += 1
            }
            var digitBuffer = UnsafeMutableBufferPointer(start: destination, count: digits)
            digitBuffer.reverse()
            return digits
        }
    }
}
