/// Limits applied while decoding a `multipart/form-data` body. Exceeding one is rejected with
/// 413 and a message that names the limit.
///
/// The whole body is already bounded by the server's request body limit. These bound what a
/// single form may contain, so an endpoint that accepts a logo does not accept a video.
public struct MultipartLimits: Sendable, Hashable {
    /// Maximum number of parts, text fields and files together.
    public var maxParts: Int
    /// Maximum content size of one part in bytes, not counting its headers.
    public var maxPartBytes: Int
    /// Maximum total content size in bytes of all text fields (parts without a filename).
    public var maxTextFieldBytes: Int
    /// Maximum size in bytes of one part's header block, up to the blank line.
    public var maxHeaderBytesPerPart: Int

    public init(
        maxParts: Int = 100,
        maxPartBytes: Int = 10 * 1024 * 1024,
        maxTextFieldBytes: Int = 1024 * 1024,
        maxHeaderBytesPerPart: Int = 8 * 1024
    ) {
        precondition(maxParts > 0, "MultipartLimits.maxParts must be positive, got \(maxParts)")
        precondition(maxPartBytes >= 0, "MultipartLimits.maxPartBytes must not be negative")
        precondition(maxTextFieldBytes >= 0, "MultipartLimits.maxTextFieldBytes must not be negative")
        precondition(maxHeaderBytesPerPart > 0, "MultipartLimits.maxHeaderBytesPerPart must be positive")
        self.maxParts = maxParts
        self.maxPartBytes = maxPartBytes
        self.maxTextFieldBytes = maxTextFieldBytes
        self.maxHeaderBytesPerPart = maxHeaderBytesPerPart
    }

    public static let `default` = MultipartLimits()
}

/// One uploaded file from a `multipart/form-data` body.
public struct MultipartFile: Sendable {
    /// The form field's name, from `Content-Disposition: form-data; name="…"`.
    public let fieldName: String
    /// The client's file name reduced to its last path component, without control characters,
    /// at most 255 UTF-8 bytes. Empty when the client sent no usable name (for example `..`).
    /// It is still client input: store files under a name the application generates.
    public let filename: String
    /// The part's `Content-Type` as sent, or `text/plain` when the part has none
    /// (the default of RFC 7578, section 4.4).
    public let contentType: String
    public let bytes: [UInt8]

    public init(fieldName: String, filename: String, contentType: String, bytes: [UInt8]) {
        self.fieldName = fieldName
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }

    public var size: Int { bytes.count }
}

/// The decoded content of a `multipart/form-data` body: text fields and files, each in the
/// order they were sent.
public struct MultipartForm: Sendable {
    /// Parts without a filename, decoded as UTF-8.
    public var fields: FormParameters
    /// Parts with a filename. A file input left empty, which browsers send as `filename=""`
    /// with no content, is left out.
    public var files: [MultipartFile]

    public init(fields: FormParameters = FormParameters(), files: [MultipartFile] = []) {
        self.fields = fields
        self.files = files
    }

    /// Returns the first file sent for the field `fieldName`.
    public func file(forField fieldName: String) -> MultipartFile? {
        files.first { $0.fieldName == fieldName }
    }

    /// Returns every file sent for the field `fieldName`, as from `<input type="file" multiple>`.
    public func files(forField fieldName: String) -> [MultipartFile] {
        files.filter { $0.fieldName == fieldName }
    }
}

extension Request {
    /// Decodes the body as `multipart/form-data` (RFC 7578) with the boundary from the
    /// `Content-Type` header, following RFC 2046, section 5.1.1, for delimiters.
    ///
    /// - Throws: `HTTPError` with one of these statuses:
    ///   - 415 when `Content-Type` is missing or another type, or a text field declares a
    ///     charset other than UTF-8.
    ///   - 400 when the boundary is missing or invalid, or the body is not well-formed: no
    ///     delimiter, no closing delimiter, bad part headers, no `Content-Disposition` or
    ///     field name, or a text field that is not UTF-8.
    ///   - 413 when a limit in `limits` is exceeded.
    public func multipartForm(limits: MultipartLimits = .default) throws -> MultipartForm {
        let boundary = try multipartBoundary()
        var parser = MultipartParser(body: body, boundary: boundary, limits: limits)
        return try parser.parse()
    }

    /// Reads and checks the boundary parameter of a `multipart/form-data` Content-Type.
    private func multipartBoundary() throws -> [UInt8] {
        let expected = "multipart/form-data"
        guard let header = headers["Content-Type"] else {
            throw HTTPError(
                .unsupportedMediaType,
                "The request has no Content-Type header. Send the form with Content-Type: \(expected).")
        }
        guard let mediaType = MediaType(parsing: header) else {
            throw HTTPError(
                .badRequest,
                "The Content-Type header \(quotedForMessage(header)) is malformed. "
                    + "Send Content-Type: \(expected); boundary=… .")
        }
        guard mediaType.hasEssence(expected) else {
            throw HTTPError(
                .unsupportedMediaType,
                "The body has Content-Type \(mediaType.essence), but this endpoint expects \(expected).")
        }
        guard let boundary = mediaType.parameter("boundary") else {
            throw HTTPError(
                .badRequest,
                "The multipart/form-data Content-Type has no boundary parameter. "
                    + "Add boundary=… naming the delimiter used in the body.")
        }
        if let problem = boundaryProblem(boundary) {
            throw HTTPError(
                .badRequest,
                "The multipart boundary \(quotedForMessage(boundary)) is invalid: \(problem). "
                    + "Use 1 to 70 letters, digits or '()+_,-./:=? characters.")
        }
        return Array(boundary.utf8)
    }
}

/// Checks RFC 2046, section 5.1.1: `boundary := 0*69<bchars> bcharsnospace`, where bchars are
/// letters, digits, `'()+_,-./:=?` and space. Returns what is wrong, or nil when it is valid.
private func boundaryProblem(_ boundary: String) -> String? {
    let bytes = Array(boundary.utf8)
    guard !bytes.isEmpty else { return "it is empty" }
    guard bytes.count <= 70 else { return "it has \(bytes.count) characters, more than 70" }
    guard bytes.last != UInt8(ascii: " ") else { return "it ends with a space" }

    let allowedPunctuation = Array("'()+_,-./:=? ".utf8)
    for byte in bytes {
        let isLetterOrDigit = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        if !isLetterOrDigit && !allowedPunctuation.contains(byte) {
            return "it contains the character \(quotedForMessage(String(decoding: [byte], as: UTF8.self)))"
        }
    }
    return nil
}

/// Splits a `multipart/form-data` body at its delimiters and decodes each part.
///
/// The body is searched for `CRLF "--" boundary` with `BytePattern`, so parsing is linear in
/// the body size. A match is a delimiter only when transport padding and CRLF follow it, or
/// `--` for the closing delimiter. Any other match is part content, because a sender's
/// content may contain the boundary followed by other bytes.
private struct MultipartParser {
    let body: [UInt8]
    let boundary: [UInt8]
    let limits: MultipartLimits

    private let dashBoundary: [UInt8]
    private let delimiter: BytePattern
    private var form = MultipartForm()
    private var partCount = 0
    private var textFieldBytes = 0

    init(body: [UInt8], boundary: [UInt8], limits: MultipartLimits) {
        self.body = body
        self.boundary = boundary
        self.limits = limits
        self.dashBoundary = Array("--".utf8) + boundary
        self.delimiter = BytePattern(Array("\r\n--".utf8) + boundary)
    }

    /// The kind of delimiter line, told apart by the bytes after its boundary.
    private enum DelimiterKind {
        /// Another part starts at the given index.
        case part(contentStart: Int)
        /// The closing delimiter, after which only the ignored epilogue follows.
        case close
    }

    mutating func parse() throws -> MultipartForm {
        guard var current = firstDelimiter() else {
            throw HTTPError(
                .badRequest,
                "The multipart body has no delimiter line \(boundaryForMessage) ending in CRLF. "
                    + "Send the body with the boundary from its Content-Type and CRLF line endings.")
        }

        while case .part(let contentStart) = current {
            guard let (contentEnd, next) = nextDelimiter(from: contentStart) else {
                throw HTTPError(
                    .badRequest,
                    "The multipart body ends without the closing delimiter \(boundaryForMessage)--. "
                        + "The upload may have been cut off, so send it again.")
            }

            partCount += 1
            guard partCount <= limits.maxParts else {
                throw HTTPError(
                    .contentTooLarge,
                    "The form has more than \(limits.maxParts) parts. Send fewer fields or files.")
            }
            try decodePart(contentStart..<contentEnd)
            current = next
        }
        return form
    }

    private var boundaryForMessage: String {
        "\"--\(String(decoding: boundary, as: UTF8.self))\""
    }

    /// Finds the first delimiter line. It may start the body without a CRLF before it, and
    /// anything before it is preamble that RFC 2046 says to ignore.
    private func firstDelimiter() -> DelimiterKind? {
        if body.hasBytes(dashBoundary, at: 0), let kind = delimiterKind(afterBoundaryAt: dashBoundary.count) {
            return kind
        }
        return nextDelimiter(from: 0)?.kind
    }

    /// Finds the next real delimiter at or after `start`. Returns where the part content ends
    /// (the CRLF that belongs to the delimiter) and what follows the delimiter.
    private func nextDelimiter(from start: Int) -> (contentEnd: Int, kind: DelimiterKind)? {
        var searchStart = start
        while let match = delimiter.firstIndex(in: body, from: searchStart) {
            if let kind = delimiterKind(afterBoundaryAt: match + delimiter.bytes.count) {
                return (match, kind)
            }
            searchStart = match + 1
        }
        return nil
    }

    /// Classifies the bytes after `--boundary`: `--` then the end of the line or body closes
    /// the form, and transport padding (spaces and tabs) then CRLF starts a part. Anything else
    /// means the match was content, not a delimiter.
    private func delimiterKind(afterBoundaryAt index: Int) -> DelimiterKind? {
        var position = index
        let isClose = body.hasBytes(Array("--".utf8), at: position)
        if isClose { position += 2 }

        while position < body.count && (body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t")) {
            position += 1
        }

        let lineEnds = body.hasBytes(Array("\r\n".utf8), at: position)
        if isClose {
            return lineEnds || position == body.count ? .close : nil
        }
        return lineEnds ? .part(contentStart: position + 2) : nil
    }

    // MARK: - Parts

    private mutating func decodePart(_ range: Range<Int>) throws {
        let (headerRange, contentStart) = try splitHeaders(in: range)
        let headers = try MultipartPartHeaders(bytes: Array(body[headerRange]), partNumber: partCount)
        let content = contentStart..<range.upperBound

        guard content.count <= limits.maxPartBytes else {
            throw HTTPError(
                .contentTooLarge,
                "Part \(partCount) (field \(quotedForMessage(headers.fieldName))) has \(content.count) bytes, "
                    + "more than the limit of \(limits.maxPartBytes) bytes. Send a smaller file or value.")
        }

        if let filename = headers.filename {
            // A file input with no file chosen arrives as `filename=""` and no content.
            if filename.isEmpty && content.isEmpty { return }
            form.files.append(MultipartFile(
                fieldName: headers.fieldName,
                filename: sanitizedFilename(filename),
                contentType: headers.contentType ?? "text/plain",
                bytes: Array(body[content])))
            return
        }

        textFieldBytes += content.count
        guard textFieldBytes <= limits.maxTextFieldBytes else {
            throw HTTPError(
                .contentTooLarge,
                "The text fields of the form have more than \(limits.maxTextFieldBytes) bytes in total "
                    + "(exceeded at field \(quotedForMessage(headers.fieldName))). Send shorter values.")
        }
        guard let value = String(validating: body[content], as: UTF8.self) else {
            throw HTTPError(
                .badRequest,
                "The value of field \(quotedForMessage(headers.fieldName)) is not valid UTF-8. "
                    + "Send text fields as UTF-8.")
        }
        form.fields.append(headers.fieldName, value)
    }

    /// Splits a part into its header block and the index where its content starts. A part
    /// that starts with CRLF has no headers.
    private func splitHeaders(in range: Range<Int>) throws -> (headers: Range<Int>, contentStart: Int) {
        if body.hasBytes(Array("\r\n".utf8), at: range.lowerBound) && range.count >= 2 {
            return (range.lowerBound..<range.lowerBound, range.lowerBound + 2)
        }

        let searchEnd = min(range.upperBound, range.lowerBound + limits.maxHeaderBytesPerPart + 4)
        if let end = headerTerminator.firstIndex(in: body, from: range.lowerBound, to: searchEnd) {
            return (range.lowerBound..<end, end + 4)
        }
        if range.count > limits.maxHeaderBytesPerPart + 4 {
            throw HTTPError(
                .contentTooLarge,
                "The headers of part \(partCount) are longer than \(limits.maxHeaderBytesPerPart) bytes. "
                    + "Send shorter part headers.")
        }
        throw HTTPError(
            .badRequest,
            "Part \(partCount) has no empty line after its headers. "
                + "End each part's headers with CRLF CRLF before the content.")
    }

    private let headerTerminator = BytePattern(Array("\r\n\r\n".utf8))
}
