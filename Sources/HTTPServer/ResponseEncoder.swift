/// The framing of a response body on the wire (RFC 9112, section 6).
enum ResponseFraming: Equatable {
    /// No body and no Content-Length: 1xx and 204 (RFC 9110, section 8.6) and 304, whose
    /// Content-Length would have to describe a body that is not sent.
    case noBody
    /// `Content-Length: n`. A HEAD response carries the length without the body.
    case contentLength(Int)
    /// `Transfer-Encoding: chunked`, for a streamed body to an HTTP/1.1 client.
    case chunked
    /// Neither field; the body ends when the connection closes (HTTP/1.0 streams).
    case closeDelimited
}

/// Writes status lines and header sections.
enum ResponseEncoder {
    /// The server writes these fields itself; a handler's copies are dropped so the framing
    /// can never disagree with the body actually sent.
    private static let serverOwnedFields: [String] = ["content-length", "transfer-encoding", "connection", "date"]

    /// The HTTP/1.1 `100 Continue` interim response (RFC 9110, section 15.2.1).
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Returns the bytes of the status line and header section, ending with the empty line.
    ///
    /// - Parameters:
    ///   - keepAlive: whether the connection stays open; when false `Connection: close` is
    ///     sent, and for an HTTP/1.0 client that stays open `Connection: keep-alive`.
    static func encodeHead(
        status: HTTPStatus,
        headers: HTTPHeaders,
        framing: ResponseFraming,
        version: HTTPVersion,
        keepAlive: Bool,
        date: [UInt8]
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + headers.count * 48)

        // RFC 9110, section 6.2: a server sends the highest minor version it conforms to,
        // HTTP/1.1, also to an HTTP/1.0 client.
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: status.reasonPhrase.utf8)
        bytes.append(contentsOf: "\r\n".utf8)

        for field in headers where !isServerOwned(field.name) {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }

        bytes.append(contentsOf: "Date: ".utf8)
        bytes.append(contentsOf: date)
        bytes.append(contentsOf: "\r\n".utf8)

        switch framing {
        case .noBody, .closeDelimited:
            break
        case .contentLength(let length):
            bytes.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(length, to: &bytes)
            bytes.append(contentsOf: "\r\n".utf8)
        case .chunked:
            bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        }

        if !keepAlive {
            bytes.append(contentsOf: "Connection: close\r\n".utf8)
        } else if version == .http1_0 {
            bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        return bytes
    }

    /// Returns a message describing the first handler field that would corrupt the header
    /// section, or nil when every field is safe to send. A name must be a token, and a value
    /// must not contain CR, LF or NUL, which RFC 9110, section 5.5, calls dangerous.
    static func invalidFieldDescription(in headers: HTTPHeaders) -> String? {
        for field in headers {
            if field.name.isEmpty || !field.name.utf8.allSatisfy(HTTPSyntax.isTokenByte) {
                return "response header name \"\(field.name)\" is not a token"
            }
            if field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
                return "response header \(field.name) contains CR, LF or NUL"
            }
        }
        return nil
    }

    /// Returns whether the handler's headers request that the connection close after this response.
    static func requestsClose(_ headers: HTTPHeaders) -> Bool {
        headers.values(for: "Connection").contains { value in
            HTTPSyntax.listElements(value).contains { $0.lowercased() == "close" }
        }
    }

    /// Returns whether a status has no body by definition (RFC 9110, sections 15.2, 15.3.5 and 15.4.5).
    static func statusForbidsBody(_ status: HTTPStatus) -> Bool {
        (100..<200).contains(status.code) || status.code == 204 || status.code == 304
    }

    /// Returns a complete plain-text response for errors the server sends itself.
    static func encodeErrorResponse(
        status: HTTPStatus,
        message: String,
        extraHeaders: HTTPHeaders = HTTPHeaders(),
        keepAlive: Bool,
        version: HTTPVersion = .http1_1,
        date: [UInt8]
    ) -> [UInt8] {
        var headers = extraHeaders
        headers.set("Content-Type", "text/plain; charset=utf-8")
        let body = Array((message + "\n").utf8)
        var bytes = encodeHead(
            status: status, headers: headers, framing: .contentLength(body.count),
            version: version, keepAlive: keepAlive, date: date)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Returns the chunk-size line for a chunk of `count` bytes: hexadecimal digits and CRLF.
    static func chunkSizeLine(_ count: Int) -> [UInt8] {
        let hexDigits: StaticString = "0123456789abcdef"
        var digits: [UInt8] = []
        var remaining = count
        repeat {
            digits.append(hexDigits.utf8Start[remaining & 0xF])
            remaining >>= 4
        } while remaining > 0
        digits.reverse()
        digits.append(contentsOf: "\r\n".utf8)
        return digits
    }

    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value > 0 else {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) {
                bytes.append(buffer[index])
            }
        }
    }

    private static func isServerOwned(_ name: String) -> Bool {
        // Cheap length filter before the case-insensitive comparison.
        let length = name.utf8.count
        guard length == 4 || length == 10 || length == 14 || length == 17 else { return false }
        return serverOwnedFields.contains { name.equalsIgnoringASCIICase($0) }
    }
}
