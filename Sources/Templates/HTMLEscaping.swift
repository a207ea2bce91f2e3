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
        // Room for every byte to become the longest reference, plus the 8 bytes that a
        // whole-word store may write past the last byte that counts.
        let destination = output.reserve(count * maximumExpansion + 8)
        var written = 0
        var index = 0

        // Eight bytes at a time. A word without a special byte is stored whole. Of a word
        // with one, only the bytes before the first special byte count as written; its
        // reference follows, and the next word starts after it.
        while index < count {
            // The word stores the bytes as a little-endian number, so the first byte in
            // memory is the lowest.
            let length = min(8, count - index)
            var word: UInt64 = 0
            if length == 8 {
                word = UInt64(littleEndian: UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self))
            } else if count >= 8 {
                // The last 8 bytes, shifted so that the ones already written drop out
                // and zero bytes, which are not special, fill the top.
                let last = UInt64(littleEndian: UnsafeRawPointer(source + count - 8).loadUnaligned(as: UInt64.self))
                word = last &>> UInt64(8 * (8 - length))
            } else {
                // Zero bytes pad a short word; zero is not special.
                for offset in 0..<length {
                    word |= UInt64(source[index + offset]) &<< UInt64(8 * offset)
                }
            }
            let special = specialByteMask(word)
            UnsafeMutableRawPointer(destination + written).storeBytes(of: word.littleEndian, as: UInt64.self)
            guard special != 0 else {
                written += length
                index += length
                continue
            }

            let plain = special.trailingZeroBitCount / 8
            written += plain
            index += plain
            let reference = characterReference(source[index])
            (destination + written).initialize(from: reference.utf8Start, count: reference.utf8CodeUnitCount)
            written += reference.utf8CodeUnitCount
            index += 1
        }
        output.commit(written)
    }

    /// Returns the reference that replaces one of the five special bytes.
    @inline(__always)
    private static func characterReference(_ byte: UInt8) -> StaticString {
        switch byte {
        case UInt8(ascii: "&"): return "&amp;"
        case UInt8(ascii: "<"): return "&lt;"
        case UInt8(ascii: ">"): return "&gt;"
        case UInt8(ascii: "\""): return "&quot;"
        default: return "&#39;"
        }
    }

    /// Returns a word whose lowest set bit lies in the lowest byte of `word` that is `"`,
    /// `&`, `'`, `<` or `>` (in memory order, so the first such byte), or zero when
    /// there is none. Bits above that byte carry no meaning.
    ///
    /// Setting bit 1 maps `<` (0x3C) and `>` (0x3E) both to 0x3E, and setting bit 0 maps
    /// `&` (0x26) and `'` (0x27) both to 0x27, so three zero-byte tests after an XOR
    /// cover the five bytes. `(v - 0x01…01) & ~v & 0x80…80` sets the top bit of the
    /// lowest zero byte of `v` and of no byte below it. Below the first zero byte no
    /// subtraction borrows, and a byte minus one has its top bit set only when the byte
    /// was zero or at least 0x81, where `~v` clears it. Above the first zero byte a
    /// borrow can mark a byte that is not zero, which is why only the lowest set bit
    /// counts.
    @inline(__always)
    static func specialByteMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let ampersandOrApostrophe = (word | ones) ^ (ones &* 0x27)
        let angleBrackets = (word | (ones &* 0x02)) ^ (ones &* 0x3E)
        return zeroByteMask(quotes) | zeroByteMask(ampersandOrApostrophe) | zeroByteMask(angleBrackets)
    }

    @inline(__always)
    private static func zeroByteMask(_ value: UInt64) -> UInt64 {
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
        let destination = output.reserve(20)
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
        output.commit(digits)
    }
}
