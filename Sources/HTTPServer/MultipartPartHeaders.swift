/// The header fields of one `multipart/form-data` part that RFC 7578 gives a meaning:
/// `Content-Disposition` (section 4.2), `Content-Type` (section 4.4) and the deprecated
/// `Content-Transfer-Encoding` (section 4.7). Other fields are checked for syntax and ignored.
struct MultipartPartHeaders {
    let fieldName: String
    /// The filename as sent, before sanitising, or nil for a text field.
    let filename: String?
    let contentType: String?

    /// Parses a header block without its final CRLFCRLF.
    init(bytes: [UInt8], partNumber: Int) throws {
        var disposition: String?
        var contentType: String?

        for line in Self.lines(of: bytes) {
            let field = try Self.parseField(line, partNumber: partNumber)
            if field.name.equalsIgnoringASCIICase("Content-Disposition") {
                guard disposition == nil else {
                    throw Self.error(partNumber, "has two Content-Disposition headers. Send exactly one.")
                }
                disposition = field.value
            } else if field.name.equalsIgnoringASCIICase("Content-Type") {
                guard contentType == nil else {
                    throw Self.error(partNumber, "has two Content-Type headers. Send at most one.")
                }
                contentType = field.value
            } else if field.name.equalsIgnoringASCIICase("Content-Transfer-Encoding") {
                // RFC 7578, section 4.7: senders must not use encodings other than 7bit, 8bit
                // and binary, which all mean the content is sent as is.
                let encoding = field.value.lowercased()
                guard encoding == "7bit" || encoding == "8bit" || encoding == "binary" else {
                    throw HTTPError(
                        .badRequest,
                        "Part \(partNumber) uses Content-Transfer-Encoding \(quotedForMessage(field.value)), "
                            + "which is not supported. Send the content unencoded (binary).")
                }
            }
        }

        guard let disposition else {
            throw Self.error(
                partNumber,
                "has no Content-Disposition header. Send Content-Disposition: form-data; name=\"…\" "
                    + "in every part.")
        }
        let parsed = try Self.parseDisposition(disposition, partNumber: partNumber)
        self.fieldName = parsed.name
        self.filename = parsed.filename

        if let contentType {
            guard let mediaType = MediaType(parsing: contentType) else {
                throw Self.error(partNumber, "has a malformed Content-Type \(quotedForMessage(contentType)).")
            }
            if parsed.filename == nil, let charset = mediaType.parameter("charset"),
               !isUTF8CharsetName(charset) && !charset.equalsIgnoringASCIICase("us-ascii") {
                throw HTTPError(
                    .unsupportedMediaType,
                    "Field \(quotedForMessage(parsed.name)) is declared as charset \(quotedForMessage(charset)). "
                        + "Only UTF-8 text fields are supported, so send the form as UTF-8.")
            }
        }
        self.contentType = contentType
    }

    private static func error(_ partNumber: Int, _ problem: String) -> HTTPError {
        HTTPError(.badRequest, "Part \(partNumber) of the multipart body \(problem)")
    }

    private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard !bytes.isEmpty else { return [] }
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n") {
                lines.append(bytes[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        lines.append(bytes[lineStart..<bytes.count])
        return lines
    }

    /// Parses `field-name ":" OWS field-value OWS` (RFC 9110, section 5.5). Field values may
    /// hold UTF-8, because browsers send file names unencoded, but no control byte other than
    /// a tab, so a stray CR or LF cannot start a new field.
    private static func parseField(_ line: ArraySlice<UInt8>, partNumber: Int) throws -> (name: String, value: String) {
        guard let first = line.first else {
            throw error(partNumber, "has an empty header line. End the headers with one empty line.")
        }
        // RFC 9112, section 5.2: obsolete line folding is not allowed in new messages.
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            throw error(partNumber, "has a header line that starts with whitespace (line folding). "
                + "Send each header on one line.")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
              colon > line.startIndex,
              line[line.startIndex..<colon].allSatisfy(HeaderValueScanner.isTokenByte)
        else {
            let text = String(decoding: line, as: UTF8.self)
            throw error(partNumber, "has a malformed header line \(quotedForMessage(text)). "
                + "Send headers as Name: value.")
        }

        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
        var valueBytes = line[(colon + 1)...]
        while let byte = valueBytes.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            valueBytes = valueBytes.dropFirst()
        }
        while let byte = valueBytes.last, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            valueBytes = valueBytes.dropLast()
        }
        guard valueBytes.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }),
              let value = String(validating: valueBytes, as: UTF8.self)
        else {
            throw error(partNumber, "has a \(name) header with control characters or invalid UTF-8.")
        }
        return (name, value)
    }

    /// Parses `form-data; name="field"; filename="file.txt"` (RFC 7578, section 4.2).
    ///
    /// `filename*` (RFC 8187) is not to be sent in forms but some clients do. It is used when
    /// it names UTF-8, and preferred over `filename` as RFC 6266, section 4.3, recommends.
    private static func parseDisposition(
        _ value: String, partNumber: Int
    ) throws -> (name: String, filename: String?) {
        var scanner = HeaderValueScanner(value)
        guard let type = scanner.readToken(),
              let parameters = scanner.readParameters(backslashEscapesOnlyQuoteAndBackslash: true)
        else {
            throw error(partNumber, "has a malformed Content-Disposition \(quotedForMessage(value)). "
                + "Send form-data; name=\"…\".")
        }
        guard type.equalsIgnoringASCIICase("form-data") else {
            throw error(partNumber, "has Content-Disposition type \(quotedForMessage(type)), "
                + "but multipart/form-data parts must be form-data.")
        }
        guard let name = parameters["name"] else {
            throw error(partNumber, "has no name parameter in Content-Disposition. "
                + "Send form-data; name=\"…\" with the form field's name.")
        }

        let extendedFilename = parameters["filename*"].flatMap(decodeExtendedValue)
        return (name, extendedFilename ?? parameters["filename"])
    }

    /// Decodes an RFC 8187 ext-value `UTF-8'language'percent-encoded`. Returns nil for another
    /// charset or a malformed value, so the plain `filename` is used instead.
    private static func decodeExtendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, isUTF8CharsetName(String(pieces[0])) else { return nil }
        return PercentEncoding.decode(pieces[2])
    }
}

/// Reduces a client's file name to something safe to show and log. It keeps the last
/// component of a `/` or `\` path and removes control characters and surrounding spaces.
/// `.` and `..` become empty. A longer name is cut to 255 UTF-8 bytes, the usual file system
/// limit, keeping its extension.
func sanitizedFilename(_ raw: String) -> String {
    let lastComponent = raw.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last ?? ""
    var name = String(String.UnicodeScalarView(lastComponent.unicodeScalars.filter {
        $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value)
    }))
    name = name.trimmingASCIISpaces()
    if name == "." || name == ".." { return "" }

    let maxBytes = 255
    guard name.utf8.count > maxBytes else { return name }

    var pathExtension = ""
    if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 16 {
        pathExtension = String(name[dot...])
    }
    var stem = name.dropLast(pathExtension.count)
    while stem.utf8.count + pathExtension.utf8.count > maxBytes {
        stem = stem.dropLast()
    }
    return String(stem) + pathExtension
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
