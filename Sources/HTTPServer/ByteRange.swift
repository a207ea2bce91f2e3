import Foundation

/// The outcome of a `Range: bytes=…` header (RFC 9110, section 14.2) against a file's size.
///
/// Only a single range is served. A request for several ranges gets the whole file with 200,
/// which RFC 9110, section 14.2, allows ("a server MAY ignore the Range header field").
enum ByteRangeSelection: Equatable {
    /// No usable single range, so the whole file is sent.
    case wholeFile
    /// The bytes `offset ..< offset + length`, sent with 206.
    case range(offset: Int, length: Int)
    /// The range starts beyond the end of the file, so the response is 416.
    case unsatisfiable

    /// Evaluates a `Range` header value for a file of `size` bytes.
    static func evaluate(_ header: String, size: Int) -> ByteRangeSelection {
        guard let equals = header.firstIndex(of: "=") else { return .wholeFile }
        let unit = header[..<equals].trimmingCharacters(in: .whitespaces)
        guard unit.equalsIgnoringASCIICase("bytes") else { return .wholeFile }

        // The range-set is a list, and RFC 9110, section 5.6.1, lets a list have empty elements.
        let specs = header[header.index(after: equals)...]
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard specs.count == 1 else { return .wholeFile }
        return evaluateSpec(specs[0], size: size)
    }

    /// Evaluates `first-last`, `first-` or `-suffixLength`. A malformed spec, or one whose last
    /// position is before its first, makes the header invalid, and it is ignored.
    private static func evaluateSpec(_ spec: String, size: Int) -> ByteRangeSelection {
        guard let dash = spec.firstIndex(of: "-") else { return .wholeFile }
        let firstText = spec[..<dash]
        let lastText = spec[spec.index(after: dash)...]

        if firstText.isEmpty {
            guard let suffixLength = parsePosition(lastText) else { return .wholeFile }
            guard suffixLength > 0 && size > 0 else { return .unsatisfiable }
            let length = min(suffixLength, size)
            return .range(offset: size - length, length: length)
        }

        guard let first = parsePosition(firstText) else { return .wholeFile }
        var last = Int.max
        if !lastText.isEmpty {
            guard let parsedLast = parsePosition(lastText) else { return .wholeFile }
            guard parsedLast >= first else { return .wholeFile }
            last = parsedLast
        }
        guard first < size else { return .unsatisfiable }
        last = min(last, size - 1)
        return .range(offset: first, length: last - first + 1)
    }

    /// Parses `1*DIGIT`. A number too large for `Int` becomes `Int.max`, which is past the end
    /// of any file and so still gives the right outcome.
    private static func parsePosition(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(text) ?? Int.max
    }
}
