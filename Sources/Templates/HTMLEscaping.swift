/// Appends text to an output buffer with the five characters that are special in HTML
/// text and quoted attribute values replaced by character references.
///
/// `&`, `<`, `>`, `"` and `'` are replaced, which is what the HTML Standard needs for text
/// content and for attribute values in double or single quotes (section 13.1.2.3,
/// "Attributes"). An unquoted attribute value is not made safe by this, so templates
/// always quote attributes.
enum HTMLEscaping {
    static func append(escaping string: String, to output: inout [UInt8]) {
        var string = string
        // withUTF8 gives the native storage without copying; it only copies a string
        // that is not stored as contiguous UTF-8, such as a bridged one.
        string.withUTF8 { append(escaping: $0, to: &output) }
    }

    static func append(escaping bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var runStart = 0
        var index = 0
        let count = bytes.count

        while index < count {
            let byte = bytes[index]
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

            if runStart < index {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
            output.append(contentsOf: UnsafeBufferPointer(start: reference.utf8Start, count: reference.utf8CodeUnitCount))
            index += 1
            runStart = index
        }

        if runStart < count {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        }
    }

    static func append(raw string: String, to output: inout [UInt8]) {
        var string = string
        string.withUTF8 { output.append(contentsOf: $0) }
    }

    /// Appends the decimal digits of `value` without creating a `String`.
    static func append(integer value: Int, to output: inout [UInt8]) {
        if value < 0 {
            output.append(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        let firstDigit = output.count
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output[firstDigit...].reverse()
    }
}
