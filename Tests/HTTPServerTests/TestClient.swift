import Glibc
import HTTPServer
import Synchronization

/// Why a test client call failed.
struct TestClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One response as the test client read it off the wire.
struct TestResponse {
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP client that sends raw bytes and parses responses itself, so tests see
/// exactly what the server put on the wire.
final class TestClient {
    let socket: Int32
    private var isClosed = false
    private var buffer: [UInt8] = []
    private var readOffset = 0

    /// Connects to `host`:`port`. Reads give up after `timeout`.
    init(port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(5)) throws {
        let isIPv6 = host.contains(":")
        socket = Glibc.socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw TestClientError("socket failed: errno \(errno)") }

        let result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(socket)
            throw TestClientError("connect to \(host):\(port) failed: errno \(code)")
        }
        setTimeout(timeout)
    }

    deinit {
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(socket)
    }

    func setTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Shrinks the kernel receive buffer, so a large response fills the server's send
    /// buffer quickly and backpressure shows.
    func setReceiveBufferSize(_ bytes: Int32) {
        var value = bytes
        setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TestClientError("send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Closes the sending direction, as a client does after its last request.
    func shutdownWrite() {
        shutdown(socket, Int32(SHUT_WR))
    }

    /// Reads once into the buffer. Returns false at end of stream.
    private func fill() throws -> Bool {
        if readOffset > 0 && readOffset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readOffset = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw TestClientError("read timed out") }
            if errno == ECONNRESET { throw TestClientError("connection reset by the server") }
            throw TestClientError("recv failed: errno \(errno)")
        }
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer[readOffset...].firstIndex(of: 0x0A) {
                var end = index
                if end > readOffset && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[readOffset..<end], as: UTF8.self)
                readOffset = index + 1
                return line
            }
            guard try fill() else { throw TestClientError("connection closed in the middle of a line") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count - readOffset < count {
            guard try fill() else {
                throw TestClientError("connection closed after \(buffer.count - readOffset) of \(count) body bytes")
            }
        }
        let bytes = Array(buffer[readOffset..<(readOffset + count)])
        readOffset += count
        return bytes
    }

    /// Reads one response. `headRequest` stops after the header section, as for HEAD.
    /// Interim 1xx responses are returned like final ones.
    func readResponse(headRequest: Bool = false) throws -> TestResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TestClientError("malformed status line \"\(statusLine)\"")
        }
        var response = TestResponse(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: [], body: [])
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError("malformed header \"\(line)\"") }
            let value = line[line.index(after: colon)...].trimmingSpaces()
            response.headers.append((name: String(line[..<colon]), value: value))
        }

        if headRequest || (100..<200).contains(status) || status == 204 || status == 304 {
            return response
        }
        if let length = response.header("Content-Length"), let count = Int(length) {
            response.body = try readExactly(count)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunkedBody()
        } else {
            response.body = try readUntilClose()
        }
        return response
    }

    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
                throw TestClientError("malformed chunk size \"\(sizeLine)\"")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            body.append(contentsOf: try readExactly(size))
            guard try readLine().isEmpty else { throw TestClientError("chunk not followed by CRLF") }
        }
    }

    /// Reads everything until the server closes the connection.
    func readUntilClose() throws -> [UInt8] {
        while try fill() {}
        let rest = Array(buffer[readOffset...])
        readOffset = buffer.count
        return rest
    }

    /// Returns whether the server closed the connection (end of stream or reset) with no
    /// further bytes, and false when data arrives or nothing happens within the read timeout.
    func isClosedByServer() -> Bool {
        guard readOffset == buffer.count else { return false }
        do {
            return try !fill()
        } catch let error as TestClientError {
            return error.description.contains("reset")
        } catch {
            return false
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// Collects log lines in memory so a test can look for one.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(minimumLevel: .debug, output: .lines { [self] line in
            lines.withLock { $0.append(line) }
        })
    }

    var all: [String] { lines.withLock { $0 } }

    /// Waits up to two seconds for a line containing every fragment, since the access log is
    /// written after the response reaches the client.
    func waitForLine(containing fragments: [String]) -> String? {
        for _ in 0..<200 {
            if let line = all.first(where: { line in fragments.allSatisfy { line.contains($0) } }) {
                return line
            }
            usleep(10_000)
        }
        return nil
    }
}

/// Runs `body` against a real server on 127.0.0.1 with an ephemeral port, then shuts the
/// server down. Timeouts default to values short enough for tests.
func withServer(
    logger: Logger = .disabled,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    handler: @escaping Handler = echoHandler,
    _ body: (HTTPServer) throws -> Void
) throws {
    var configuration = ServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.eventLoopCount = 2
    configuration.workerCount = 4
    configuration.headerReadTimeout = .seconds(5)
    configuration.bodyReadTimeout = .seconds(5)
    configuration.idleTimeout = .seconds(5)
    configuration.writeTimeout = .seconds(5)
    configuration.shutdownDeadline = .seconds(2)
    configure(&configuration)

    let server = HTTPServer(configuration: configuration, logger: logger, handler: handler)
    try server.start()
    defer { server.shutdown() }
    try body(server)
}

/// Responds with a plain-text summary of the request, one `key: value` per line.
let echoHandler: Handler = { request in
    var lines = [
        "method: \(request.method.rawValue)",
        "target: \(request.target)",
        "path: \(request.path)",
        "raw-path: \(request.rawPath)",
        "version: \(request.version)",
        "body: \(String(decoding: request.body, as: UTF8.self))",
        "body-count: \(request.body.count)",
        "remote: \(request.remoteAddress)",
        "request-id: \(request.requestID)",
        "host: \(request.headers["Host"] ?? "-")",
    ]
    for pair in request.query {
        lines.append("query \(pair.name): \(pair.value)")
    }
    return .text(lines.joined(separator: "\n"))
}

/// Returns the value of `key: value` in an echo response.
func echoField(_ response: TestResponse, _ key: String) -> String? {
    for line in response.text.split(separator: "\n", omittingEmptySubsequences: false)
    where line.hasPrefix(key + ": ") {
        return String(line.dropFirst(key.count + 2))
    }
    return nil
}
