import Foundation
import Glibc

/// A small HTTP/1.1 client over a raw loopback socket, standing in for a browser.
///
/// Each request opens one connection to 127.0.0.1 and sends `Connection: close`. The
/// `Host` header is whatever the test names, so store addresses such as
/// `demo.shop.test` need no DNS. Cookies are kept per host in `cookies`. Redirects are
/// never followed, so each test checks every hop.
final class HTTPClient {
    let port: Int
    var cookies = CookieJar()
    /// How long a read or write may block before the request fails.
    var timeoutSeconds = 15

    init(port: Int) {
        self.port = port
    }

    // MARK: - Requests

    func get(_ target: String, host: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try send("GET", target, host: host, headers: headers)
    }

    /// Posts an `application/x-www-form-urlencoded` body.
    func post(_ target: String, host: String, form: [(String, String)], headers: [(String, String)] = []) throws -> HTTPResponse {
        let body = Array(URLEncoding.form(form).utf8)
        return try send(
            "POST", target, host: host,
            headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
            body: body
        )
    }

    /// Posts a `multipart/form-data` body.
    func post(_ target: String, host: String, multipart: MultipartBody) throws -> HTTPResponse {
        try send(
            "POST", target, host: host,
            headers: [("Content-Type", multipart.contentType)],
            body: multipart.bytes
        )
    }

    /// Sends one request with the jar's cookies for `host` and stores the cookies of the
    /// response. A nil `host` sends no `Host` field at all.
    func send(
        _ method: String,
        _ target: String,
        host: String?,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        version: String = "HTTP/1.1"
    ) throws -> HTTPResponse {
        var head = "\(method) \(target) \(version)\r\n"
        if let host {
            head += "Host: \(host)\r\n"
        }
        let path = String(target.prefix { $0 != "?" })
        if let host, !headers.contains(where: { $0.0.lowercased() == "cookie" }),
           let cookie = cookies.header(forHost: host, path: path) {
            head += "Cookie: \(cookie)\r\n"
        }
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || method == "POST" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"

        let response = try exchange(Array(head.utf8) + body, isHead: method == "HEAD")
        if let host {
            cookies.store(response, from: host)
        }
        return response
    }

    /// Sends bytes exactly as given and reads one response, for requests that a well-behaved
    /// client would not build.
    func sendRaw(_ bytes: [UInt8]) throws -> HTTPResponse {
        try exchange(bytes, isHead: false)
    }

    // MARK: - Wire

    private func exchange(_ request: [UInt8], isHead: Bool) throws -> HTTPResponse {
        let connection = try Connection(port: port, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        try connection.write(request)
        var reader = ResponseReader(connection: connection)
        return try reader.read(isHead: isHead)
    }
}

/// One TCP connection to 127.0.0.1.
final class Connection {
    private let descriptor: Int32
    private var isClosed = false

    init(port: Int, timeoutSeconds: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw TestFailure("socket() failed: \(String(cString: strerror(errno)))")
        }

        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw TestFailure("connecting to 127.0.0.1:\(port) failed: \(message)")
        }
    }

    deinit {
        close()
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else {
                if sent < 0 && errno == EINTR { continue }
                throw TestFailure("writing the request failed after \(offset) of \(bytes.count) bytes: \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    /// Reads what is available, up to 64 KiB; an empty result means the peer closed.
    func read() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 {
                return Array(buffer[0..<count])
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw TestFailure("timed out waiting for the response")
            }
            if errno == ECONNRESET { return [] }
            throw TestFailure("reading the response failed: \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(descriptor)
    }
}

/// Parses one HTTP/1.1 response: status line, fields, and a body framed by
/// `Transfer-Encoding: chunked`, `Content-Length` or the end of the connection
/// (RFC 9112, section 6.3).
struct ResponseReader {
    let connection: Connection
    private var buffer: [UInt8] = []
    private var atEnd = false

    init(connection: Connection) {
        self.connection = connection
    }

    mutating func read(isHead: Bool) throws -> HTTPResponse {
        let headEnd = try readUntil([13, 10, 13, 10])
        let headText = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)

        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let statusParts = statusLine.split(separator: " ", maxSplits: 2).map(String.init)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw TestFailure("malformed status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw TestFailure("malformed header line: \(line)")
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = HTTPResponse(status: status, reason: statusParts.count > 2 ? statusParts[2] : "", headers: headers, body: [])

        let hasNoBody = isHead || status == 204 || status == 304 || (100..<200).contains(status)
        if hasNoBody {
            return response
        }
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try readChunkedBody()
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw TestFailure("invalid Content-Length \(lengthText)")
            }
            try fill(atLeast: length)
            guard buffer.count >= length else {
                throw TestFailure("the connection closed after \(buffer.count) of \(length) body bytes")
            }
            response.body = Array(buffer[0..<length])
        } else {
            while !atEnd { try fillMore() }
            response.body = buffer
        }
        return response
    }

    private mutating func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil([13, 10])
            let sizeLine = String(decoding: buffer[0..<lineEnd], as: UTF8.self)
            buffer.removeFirst(lineEnd + 2)
            let sizeText = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16) else {
                throw TestFailure("invalid chunk size line: \(sizeLine)")
            }
            if size == 0 {
                // Trailer fields, if any, end with an empty line.
                while true {
                    let trailerEnd = try readUntil([13, 10])
                    buffer.removeFirst(trailerEnd + 2)
                    if trailerEnd == 0 { return body }
                }
            }
            try fill(atLeast: size + 2)
            guard buffer.count >= size + 2 else {
                throw TestFailure("the connection closed inside a chunk")
            }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }

    /// Reads until `pattern` is in the buffer and returns its offset.
    private mutating func readUntil(_ pattern: [UInt8]) throws -> Int {
        while true {
            if let offset = firstOffset(of: pattern) { return offset }
            guard !atEnd else {
                throw TestFailure("the connection closed before the response was complete: \(String(decoding: buffer.prefix(200), as: UTF8.self))")
            }
            try fillMore()
        }
    }

    private func firstOffset(of pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for start in 0...(buffer.count - pattern.count) where buffer[start] == pattern[0] {
            if Array(buffer[start..<(start + pattern.count)]) == pattern { return start }
        }
        return nil
    }

    private mutating func fill(atLeast count: Int) throws {
        while buffer.count < count && !atEnd {
            try fillMore()
        }
    }

    private mutating func fillMore() throws {
        let bytes = try connection.read()
        if bytes.isEmpty {
            atEnd = true
        } else {
            buffer.append(contentsOf: bytes)
        }
    }
}

/// Percent-encoding of form fields as browsers send them (the WHATWG URL standard's
/// `application/x-www-form-urlencoded` serializer: space becomes `+`).
enum URLEncoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._".utf8)

    static func component(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                result.append(Character(Unicode.Scalar(byte)))
            } else if byte == UInt8(ascii: " ") {
                result.append("+")
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func form(_ fields: [(String, String)]) -> String {
        fields.map { component($0.0) + "=" + component($0.1) }.joined(separator: "&")
    }
}

/// A `multipart/form-data` body (RFC 7578) built field by field.
struct MultipartBody {
    let boundary = "----storefleet-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    private var parts: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    init(fields: [(String, String)] = []) {
        for (name, value) in fields {
            add(name, value)
        }
    }

    mutating func add(_ name: String, _ value: String) {
        parts += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8)
        parts += Array(value.utf8)
        parts += Array("\r\n".utf8)
    }

    mutating func addFile(_ name: String, filename: String, contentType: String, bytes: [UInt8]) {
        parts += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        parts += bytes
        parts += Array("\r\n".utf8)
    }

    /// The whole body, ending with the closing delimiter.
    var bytes: [UInt8] {
        parts + Array("--\(boundary)--\r\n".utf8)
    }
}
