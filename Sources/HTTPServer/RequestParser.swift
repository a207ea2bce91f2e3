import Glibc

/// The request head: request line and header section, checked against RFC 9112.
struct RequestHead {
    var method = HTTPMethod.get
    /// The target exactly as sent.
    var target = ""
    var requestTarget = RequestTarget(rawPath: "/", path: "/", rawQuery: nil, authority: nil)
    var version = HTTPVersion.http1_1
    var headers = HTTPHeaders()
    /// Whether the connection stays open after the response, from the version and the
    /// Connection field (RFC 9112, section 9.3).
    var keepAlive = true
    /// Whether an HTTP/1.1 client sent `Expect: 100-continue` (RFC 9110, section 10.1.1).
    var expectsContinue = false
    var framing = BodyFraming.none
}

/// The way the request body is delimited (RFC 9112, section 6.3).
enum BodyFraming: Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// An incremental HTTP/1.x request parser that works on raw bytes.
///
/// The caller passes whatever bytes it has. `parse` consumes complete lines and body bytes
/// and stops at the first event. Bytes it did not consume (an unfinished line) must be passed
/// again, first, with the bytes that arrive next. The parser remembers how much of an
/// unfinished line it already scanned, so a client that sends a byte at a time costs linear,
/// not quadratic, work. Limits are checked while a line is still incomplete, so an endless
/// line is rejected as soon as it passes the limit.
///
/// Every rejection throws a `RequestParseError` with the status to send and the RFC 9112
/// section that requires it.
struct RequestParser {
    struct Limits {
        var maxRequestLineLength: Int
        var maxHeaderSize: Int
        var maxHeaderCount: Int
        var maxBodySize: Int

        /// The maximum length of a chunk-size line, extensions included. RFC 9112 sets no
        /// limit, and this one stops a client from streaming extensions forever.
        var maxChunkLineLength = 4096
    }

    enum Event: Equatable {
        /// Every byte that could be used was consumed; pass the rest again with more data.
        case needMoreData
        /// `head` is complete. Call `parse` again for the body.
        case headComplete
        /// `head` and `body` hold a whole request. Call `reset()` before the next one.
        case messageComplete
    }

    private enum State {
        case requestLine
        case headerLine
        case fixedBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLine
        case complete
    }

    let limits: Limits
    private(set) var head = RequestHead()
    private(set) var body: [UInt8] = []

    private var state = State.requestLine
    /// Bytes at the start of the unconsumed input already searched for LF without success.
    private var scannedLength = 0
    private var headerSectionSize = 0
    private var trailerSectionSize = 0
    private var sawHeaderField = false
    private var skippedEmptyLines = 0

    // Facts collected while reading header fields, checked when the head is complete.
    private var hostCount = 0
    private var contentLength: Int?
    private var transferCodings: [Substring] = []
    private var sawTransferEncoding = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectations: [Substring] = []

    init(limits: Limits) {
        self.limits = limits
    }

    /// Whether the head is complete and body bytes are still expected.
    var isReadingBody: Bool {
        switch state {
        case .fixedBody, .chunkSizeLine, .chunkData, .chunkDataEnd, .trailerLine: true
        default: false
        }
    }

    /// Prepares for the next request on the same connection, keeping the limits.
    mutating func reset() {
        self = RequestParser(limits: limits)
    }

    /// Hands over the body of a completed request, leaving the parser's copy empty.
    mutating func takeBody() -> [UInt8] {
        let taken = body
        body = []
        return taken
    }

    /// Consumes bytes until the next event. Returns how many bytes of `input` were used.
    mutating func parse(_ input: UnsafeRawBufferPointer) throws(RequestParseError) -> (consumed: Int, event: Event) {
        var offset = 0
        while true {
            let remaining = UnsafeRawBufferPointer(rebasing: input[offset...])
            switch state {
            case .requestLine, .headerLine, .chunkSizeLine, .chunkDataEnd, .trailerLine:
                guard let line = try nextLine(in: remaining) else {
                    return (offset, .needMoreData)
                }
                offset += line.consumed
                if let event = try handleLine(UnsafeRawBufferPointer(rebasing: remaining[..<line.contentLength])) {
                    return (offset, event)
                }

            case .fixedBody(let bodyRemaining):
                guard bodyRemaining > 0 else {
                    state = .complete
                    return (offset, .messageComplete)
                }
                guard !remaining.isEmpty else { return (offset, .needMoreData) }
                let taken = min(bodyRemaining, remaining.count)
                // TODO: bodies are buffered whole (`Request.body` is an array), so many clients
                // uploading at the limit at once can use maxConnections × maxBodySize of memory;
                // a server-wide cap on buffered body bytes would bound that.
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: remaining[..<taken]))
                offset += taken
                state = .fixedBody(remaining: bodyRemaining - taken)

            case .chunkData(let chunkRemaining):
                guard !remaining.isEmpty else { return (offset, .needMoreData) }
                let taken = min(chunkRemaining, remaining.count)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: remaining[..<taken]))
                offset += taken
                state = taken == chunkRemaining ? .chunkDataEnd : .chunkData(remaining: chunkRemaining - taken)

            case .complete:
                return (offset, .messageComplete)
            }
        }
    }

    // MARK: - Lines

    /// Finds the next CRLF-terminated line. Returns nil, after checking the length limit of
    /// the current state, when the line is not complete yet.
    private mutating func nextLine(
        in input: UnsafeRawBufferPointer
    ) throws(RequestParseError) -> (contentLength: Int, consumed: Int)? {
        let searchStart = min(scannedLength, input.count)
        let found = input.count > searchStart
            ? memchr(input.baseAddress! + searchStart, 0x0A, input.count - searchStart)
            : nil
        guard let found else {
            scannedLength = input.count
            try checkLineLength(input.count, complete: false)
            return nil
        }

        scannedLength = 0
        let lineFeed = UnsafeRawPointer(found) - input.baseAddress!
        // RFC 9112, section 2.2: a line ends in CRLF. A bare LF may be accepted, but this
        // parser rejects it so that every hop reads the same message boundaries.
        guard lineFeed > 0, input[lineFeed - 1] == 0x0D else {
            throw .badRequest("A line ends in a bare LF without CR (RFC 9112, section 2.2).")
        }
        try checkLineLength(lineFeed - 1, complete: true)
        return (lineFeed - 1, lineFeed + 1)
    }

    private mutating func checkLineLength(_ length: Int, complete: Bool) throws(RequestParseError) {
        switch state {
        case .requestLine:
            // RFC 9112, section 3: a server that receives a request-target longer than it
            // wishes to parse must respond with 414. An unfinished line may still end in the
            // CR of its CRLF, so it may be one byte longer.
            if length > limits.maxRequestLineLength + (complete ? 0 : 1) {
                throw RequestParseError(.uriTooLong, "The request line is longer than \(limits.maxRequestLineLength) bytes.")
            }
        case .headerLine:
            // RFC 6585, section 5: 431 for a header section too large to process.
            if headerSectionSize + length + (complete ? 2 : 0) > limits.maxHeaderSize {
                throw RequestParseError(
                    .requestHeaderFieldsTooLarge, "The header section is larger than \(limits.maxHeaderSize) bytes.")
            }
        case .trailerLine:
            if trailerSectionSize + length + (complete ? 2 : 0) > limits.maxHeaderSize {
                throw RequestParseError(
                    .requestHeaderFieldsTooLarge, "The trailer section is larger than \(limits.maxHeaderSize) bytes.")
            }
        case .chunkSizeLine:
            if length > limits.maxChunkLineLength + (complete ? 0 : 1) {
                throw .badRequest("A chunk-size line is longer than \(limits.maxChunkLineLength) bytes.")
            }
        case .chunkDataEnd:
            if length > (complete ? 0 : 1) {
                throw .badRequest("Chunk data is not followed by CRLF (RFC 9112, section 7.1).")
            }
        case .fixedBody, .chunkData, .complete:
            break
        }
    }

    private mutating func handleLine(_ line: UnsafeRawBufferPointer) throws(RequestParseError) -> Event? {
        switch state {
        case .requestLine:
            // RFC 9112, section 2.2: a server should ignore at least one empty line before the
            // request line. A few are skipped; an endless stream of them is not.
            if line.isEmpty {
                skippedEmptyLines += 1
                guard skippedEmptyLines <= 4 else {
                    throw .badRequest("More than 4 empty lines precede the request line (RFC 9112, section 2.2).")
                }
                return nil
            }
            try parseRequestLine(line)
            state = .headerLine
            return nil

        case .headerLine:
            headerSectionSize += line.count + 2
            if line.isEmpty {
                try finishHead()
                return .headComplete
            }
            try parseHeaderLine(line)
            return nil

        case .chunkSizeLine:
            try parseChunkSizeLine(line)
            return nil

        case .chunkDataEnd:
            guard line.isEmpty else {
                throw .badRequest("Chunk data is not followed by CRLF (RFC 9112, section 7.1).")
            }
            state = .chunkSizeLine
            return nil

        case .trailerLine:
            trailerSectionSize += line.count + 2
            if line.isEmpty {
                state = .complete
                return .messageComplete
            }
            // RFC 9112, section 7.1.2: trailer fields may be discarded. They are checked like
            // header fields and then dropped, so none can slip into the request's headers.
            _ = try splitFieldLine(line)
            return nil

        case .fixedBody, .chunkData, .complete:
            preconditionFailure("handleLine called in a body state")
        }
    }

    // MARK: - Request line

    /// `request-line = method SP request-target SP HTTP-version` (RFC 9112, section 3).
    private mutating func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(RequestParseError) {
        guard let firstSpace = line.firstIndex(of: UInt8(ascii: " ")) else {
            throw .badRequest("The request line is not \"METHOD target HTTP/1.1\" (RFC 9112, section 3).")
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: line[..<firstSpace])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPSyntax.isTokenByte) else {
            throw .badRequest("The method is not a token (RFC 9112, section 3.1).")
        }

        let afterMethod = UnsafeRawBufferPointer(rebasing: line[(firstSpace + 1)...])
        guard let secondSpace = afterMethod.firstIndex(of: UInt8(ascii: " ")) else {
            throw .badRequest("The request line has no HTTP version (RFC 9112, section 3).")
        }
        let targetBytes = UnsafeRawBufferPointer(rebasing: afterMethod[..<secondSpace])
        let versionBytes = UnsafeRawBufferPointer(rebasing: afterMethod[(secondSpace + 1)...])

        for byte in targetBytes where !HTTPSyntax.isTargetByte(byte) {
            if byte == 0x0D {
                throw .badRequest("The request line contains a bare CR (RFC 9112, section 2.2).")
            }
            throw .badRequest(
                "The request target contains a space, control character, '#' or non-ASCII byte; percent-encode it (RFC 9112, section 3.2).")
        }
        guard !targetBytes.isEmpty else {
            throw .badRequest("The request target is empty or separated by more than one space (RFC 9112, section 3).")
        }

        head.version = try parseVersion(versionBytes)
        head.method = Self.method(methodBytes)
        head.target = targetBytes.asciiString()

        if head.method.rawValue == "CONNECT" {
            throw RequestParseError(.notImplemented, "CONNECT is not supported by this server (RFC 9110, section 9.3.6).")
        }
        head.requestTarget = try RequestTarget.parse(targetBytes, method: head.method)
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112, section 2.3), case-sensitive.
    private func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(RequestParseError) -> HTTPVersion {
        guard bytes.count == 8,
              UnsafeRawBufferPointer(rebasing: bytes[..<5]).elementsEqual("HTTP/".utf8),
              HTTPSyntax.isDigit(bytes[5]), bytes[6] == UInt8(ascii: "."), HTTPSyntax.isDigit(bytes[7])
        else {
            if bytes.contains(0x0D) {
                throw .badRequest("The request line contains a bare CR (RFC 9112, section 2.2).")
            }
            throw .badRequest("The HTTP version is not of the form HTTP/1.1 (RFC 9112, section 2.3).")
        }
        let major = Int(bytes[5] - UInt8(ascii: "0"))
        let minor = Int(bytes[7] - UInt8(ascii: "0"))
        guard major == 1 else {
            throw RequestParseError(
                .httpVersionNotSupported, "HTTP/\(major).\(minor) is not supported; use HTTP/1.1 (RFC 9110, section 15.6.6).")
        }
        // RFC 9110, section 2.5: a higher minor version is processed as the highest one
        // implemented within the same major version.
        return minor == 0 ? .http1_0 : .http1_1
    }

    /// Returns a shared constant for the common methods, so they cost no allocation.
    private static func method(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        switch bytes.count {
        case 3:
            if bytes.elementsEqual("GET".utf8) { return .get }
            if bytes.elementsEqual("PUT".utf8) { return .put }
        case 4:
            if bytes.elementsEqual("POST".utf8) { return .post }
            if bytes.elementsEqual("HEAD".utf8) { return .head }
        default:
            break
        }
        return HTTPMethod(rawValue: bytes.asciiString())
    }

    // MARK: - Header fields

    /// Splits `field-name ":" OWS field-value OWS` (RFC 9112, section 5), checking both parts.
    private func splitFieldLine(
        _ line: UnsafeRawBufferPointer
    ) throws(RequestParseError) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // RFC 9112, section 5.2: obs-fold (a line starting with whitespace) is rejected with
        // 400; section 2.2 also allows rejecting whitespace right after the request line.
        if HTTPSyntax.isWhitespace(line[0]) {
            if sawHeaderField {
                throw .badRequest("A header line starts with whitespace (obs-fold), which is not allowed (RFC 9112, section 5.2).")
            }
            throw .badRequest("Whitespace follows the request line (RFC 9112, section 2.2).")
        }

        var colon = 0
        while colon < line.count && line[colon] != UInt8(ascii: ":") {
            let byte = line[colon]
            guard HTTPSyntax.isTokenByte(byte) else {
                if HTTPSyntax.isWhitespace(byte) {
                    throw .badRequest("A header field name is followed by whitespace before the colon (RFC 9112, section 5.1).")
                }
                if byte == 0x0D {
                    throw .badRequest("A header line contains a bare CR (RFC 9112, section 2.2).")
                }
                throw .badRequest("A header field name contains a character that is not allowed in a token (RFC 9110, section 5.1).")
            }
            colon += 1
        }
        guard colon < line.count else {
            throw .badRequest("A header line has no colon (RFC 9112, section 5).")
        }
        guard colon > 0 else {
            throw .badRequest("A header line has an empty field name (RFC 9112, section 5).")
        }

        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd && HTTPSyntax.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && HTTPSyntax.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
        for byte in value where !HTTPSyntax.isFieldValueByte(byte) {
            let name = UnsafeRawBufferPointer(rebasing: line[..<colon]).asciiString()
            if byte == 0x0D {
                throw .badRequest("The header field \(name) contains a bare CR (RFC 9112, section 2.2).")
            }
            throw .badRequest("The header field \(name) contains a control character (RFC 9110, section 5.5).")
        }
        return (UnsafeRawBufferPointer(rebasing: line[..<colon]), value)
    }

    private mutating func parseHeaderLine(_ line: UnsafeRawBufferPointer) throws(RequestParseError) {
        let (nameBytes, valueBytes) = try splitFieldLine(line)
        sawHeaderField = true

        guard head.headers.count < limits.maxHeaderCount else {
            throw RequestParseError(
                .requestHeaderFieldsTooLarge, "The request has more than \(limits.maxHeaderCount) header fields.")
        }
        let name = nameBytes.asciiString()
        let value = valueBytes.decodedFieldText()
        head.headers.add(name, value)
        try noteFramingField(nameBytes, value)
    }

    /// Records the fields that decide framing and connection handling, rejecting what the
    /// RFC says must be rejected on sight.
    private mutating func noteFramingField(_ name: UnsafeRawBufferPointer, _ value: String) throws(RequestParseError) {
        switch name.count {
        case 4 where HTTPSyntax.equalsIgnoringCase(name, "host"):
            hostCount += 1
            // RFC 9112, section 3.2: more than one Host field, or an invalid one, gets 400.
            guard hostCount == 1 else {
                throw .badRequest("The request has more than one Host header field (RFC 9112, section 3.2).")
            }
            guard HTTPSyntax.isValidHost(value) else {
                throw .badRequest("The Host header field \"\(value)\" is not a valid host[:port] (RFC 9112, section 3.2).")
            }

        case 14 where HTTPSyntax.equalsIgnoringCase(name, "content-length"):
            try noteContentLength(value)

        case 17 where HTTPSyntax.equalsIgnoringCase(name, "transfer-encoding"):
            sawTransferEncoding = true
            transferCodings.append(contentsOf: HTTPSyntax.listElements(value))

        case 10 where HTTPSyntax.equalsIgnoringCase(name, "connection"):
            for option in HTTPSyntax.listElements(value) {
                let lowercased = option.lowercased()
                if lowercased == "close" {
                    connectionClose = true
                } else if lowercased == "keep-alive" {
                    connectionKeepAlive = true
                }
            }

        case 6 where HTTPSyntax.equalsIgnoringCase(name, "expect"):
            expectations.append(contentsOf: HTTPSyntax.listElements(value))

        default:
            break
        }
    }

    /// `Content-Length = 1*DIGIT` (RFC 9110, section 8.6). A list of identical values, or the
    /// same value in several fields, is accepted as that value. Any difference is an error
    /// (RFC 9112, section 6.3, rule 5).
    private mutating func noteContentLength(_ value: String) throws(RequestParseError) {
        for element in value.split(separator: ",", omittingEmptySubsequences: false) {
            let digits = element.utf8
                .drop(while: HTTPSyntax.isWhitespace)
                .prefix(while: { !HTTPSyntax.isWhitespace($0) })
            let trailing = element.utf8.drop(while: HTTPSyntax.isWhitespace).dropFirst(digits.count)
            guard !digits.isEmpty, digits.allSatisfy(HTTPSyntax.isDigit),
                  trailing.allSatisfy(HTTPSyntax.isWhitespace)
            else {
                throw .badRequest("The Content-Length value \"\(value)\" is not a decimal number (RFC 9110, section 8.6).")
            }

            // A value too large for Int is larger than any body limit; Int.max stands for it.
            var number = 0
            for digit in digits {
                let (times10, overflowA) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                if overflowA || overflowB {
                    number = Int.max
                    break
                }
                number = sum
            }
            if let earlier = contentLength, earlier != number {
                throw .badRequest("The request has two different Content-Length values (RFC 9112, section 6.3).")
            }
            contentLength = number
        }
    }

    // MARK: - End of head

    private mutating func finishHead() throws(RequestParseError) {
        if head.version == .http1_1 && hostCount == 0 {
            throw .badRequest("An HTTP/1.1 request must have a Host header field (RFC 9112, section 3.2).")
        }
        if let authority = head.requestTarget.authority {
            // RFC 9112, section 3.2.2: the absolute-form's authority replaces the Host field.
            head.headers.set("Host", authority)
        }

        head.framing = try determineFraming()
        try checkExpectations()

        // RFC 9112, section 9.3: HTTP/1.1 persists unless "close" is sent; HTTP/1.0 persists
        // only with "keep-alive".
        if head.version == .http1_1 {
            head.keepAlive = !connectionClose
        } else {
            head.keepAlive = connectionKeepAlive && !connectionClose
        }

        switch head.framing {
        case .none:
            state = .fixedBody(remaining: 0)
        case .contentLength(let length):
            // Reserve what is declared only up to a modest size, because a client that
            // declares a large body but sends nothing must not cost that much memory.
            body.reserveCapacity(min(length, 64 * 1024))
            state = .fixedBody(remaining: length)
        case .chunked:
            state = .chunkSizeLine
        }
    }

    private func determineFraming() throws(RequestParseError) -> BodyFraming {
        if sawTransferEncoding {
            // RFC 9112, section 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
            guard head.version == .http1_1 else {
                throw .badRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request (RFC 9112, section 6.1).")
            }
            // RFC 9112, sections 6.1 and 6.3: both fields at once may be request smuggling.
            guard contentLength == nil else {
                throw .badRequest("The request has both Content-Length and Transfer-Encoding (RFC 9112, section 6.1).")
            }
            guard let last = transferCodings.last else {
                throw .badRequest("The Transfer-Encoding field is empty (RFC 9112, section 6.1).")
            }
            // RFC 9112, section 6.3, rule 4: without chunked as the final coding the body
            // length cannot be determined, which is a 400.
            guard last.lowercased() == "chunked" else {
                throw .badRequest("The final transfer coding is \"\(last)\", not chunked (RFC 9112, section 6.3).")
            }
            for coding in transferCodings.dropLast() {
                if coding.lowercased() == "chunked" {
                    throw .badRequest("The chunked transfer coding is applied more than once (RFC 9112, section 7).")
                }
                // RFC 9112, section 6.1: a transfer coding the server does not understand
                // should get 501. Only chunked is implemented here.
                throw RequestParseError(
                    .notImplemented, "The transfer coding \"\(coding)\" is not supported; send the body with chunked only (RFC 9112, section 6.1).")
            }
            return .chunked
        }

        if let contentLength {
            // RFC 9110, section 15.5.14: 413 for content larger than the server will process,
            // checked here before any body byte is read.
            guard contentLength <= limits.maxBodySize else {
                throw RequestParseError(
                    .contentTooLarge, "The request body is larger than the limit of \(limits.maxBodySize) bytes.")
            }
            return contentLength == 0 ? .none : .contentLength(contentLength)
        }
        // RFC 9112, section 6.3, rule 7: a request without either field has no body.
        return .none
    }

    /// RFC 9110, section 10.1.1: "100-continue" is the only expectation; any other gets 417,
    /// and an HTTP/1.0 request's expectation is ignored.
    private mutating func checkExpectations() throws(RequestParseError) {
        guard head.version == .http1_1 else { return }
        for expectation in expectations {
            guard expectation.lowercased() == "100-continue" else {
                throw RequestParseError(
                    .expectationFailed, "The expectation \"\(expectation)\" is not supported; only 100-continue is.")
            }
            head.expectsContinue = true
        }
    }

    // MARK: - Chunked body

    /// `chunk-size [ chunk-ext ] CRLF` (RFC 9112, section 7.1). Extensions are checked for
    /// stray bytes and ignored.
    private mutating func parseChunkSizeLine(_ line: UnsafeRawBufferPointer) throws(RequestParseError) {
        var size = 0
        var index = 0
        while index < line.count, let digit = HTTPSyntax.hexValue(line[index]) {
            // Reject before shifting: a size this large cannot fit, whatever the limit.
            guard size <= (Int.max >> 4) else {
                throw .badRequest("A chunk size overflows (RFC 9112, section 7.1).")
            }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else {
            throw .badRequest("A chunk size is not a hexadecimal number (RFC 9112, section 7.1).")
        }
        try checkChunkExtensions(UnsafeRawBufferPointer(rebasing: line[index...]))

        if size == 0 {
            state = .trailerLine
            return
        }
        // Checked before the chunk's data is read.
        guard size <= limits.maxBodySize - body.count else {
            throw RequestParseError(
                .contentTooLarge, "The request body is larger than the limit of \(limits.maxBodySize) bytes.")
        }
        state = .chunkData(remaining: size)
    }

    /// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`: after the
    /// size only whitespace may come before the first ";", and no control characters at all.
    private func checkChunkExtensions(_ rest: UnsafeRawBufferPointer) throws(RequestParseError) {
        var index = 0
        while index < rest.count && HTTPSyntax.isWhitespace(rest[index]) { index += 1 }
        guard index < rest.count else { return }
        guard rest[index] == UInt8(ascii: ";") else {
            throw .badRequest("A chunk size is not a hexadecimal number (RFC 9112, section 7.1).")
        }
        for byte in rest where !HTTPSyntax.isFieldValueByte(byte) {
            throw .badRequest("A chunk extension contains a control character (RFC 9112, section 7.1.1).")
        }
    }
}
