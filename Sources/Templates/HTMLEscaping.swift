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
            var runStart = 0
            var index = 0

            while index < count {
                let byte = source[index]
                // All five special bytes are at most `>` (0x3E). Letters and most text are
                // above it, so one comparison passes them.
                if byte > UInt8(ascii: ">") {
                    index += 1
                    continue
                }

                let reference: StaticString
                switch byte {
                case UInt8(ascii: "&"): reference = "&amp;"
                case UInt8(ascii: "<"): reference = "&lt;"
                case UInt8(ascii: ">"): reference = "&gt;"
                case UInt8(ascii: "\""): reference = "&quot;"
                case UInt8(ascii: "'"): reference = "&#39;"
                default:
                    index += 1
                    continue
                }

                (destination + written).initialize(from: source + runStart, count: index - runStart)
                written += index - runStart
                (destination + written).initialize(from: reference.utf8Start, count: reference.utf8CodeUnitCount)
                written += reference.utf8CodeUnitCount
                index += 1
                runStart = index
            }

            (destination + written).initialize(from: source + runStart, count: count - runStart)
            return written + count - runStart
        }
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
