import Glibc

/// Everything an `HTTPServer` can be tuned with. The defaults suit production; tests shrink
/// the timeouts.
public struct ServerConfiguration: Sendable {
    /// The address to listen on: an IPv4 or IPv6 literal such as `127.0.0.1`, `0.0.0.0`,
    /// `::1` or `::`. Host names are not resolved.
    public var host: String = "127.0.0.1"
    /// The TCP port; 0 lets the kernel pick a free one, which `HTTPServer.port` then reports.
    public var port: Int = 8080

    /// The number of epoll event loops, each on its own thread. The default is one per core.
    public var eventLoopCount: Int = ServerConfiguration.processorCount
    /// The number of threads that run handlers. Handlers sometimes block (a WAL checkpoint's
    /// `fsync`, a wait for a store's lock, password hashing), so there are more threads than
    /// cores: while one waits, another keeps its core busy. More than that only lengthens
    /// the CPU run queue: measured on 2 cores against nginx (docs/benchmarks.md), 8 workers
    /// gave a p99 of 12–17 ms and 4 workers 3.8–4.7 ms, at the same CPU per request and the
    /// same checkout throughput. Two per core, at least four.
    public var workerCount: Int = max(4, 2 * ServerConfiguration.processorCount)
    /// The number of parsed requests that may wait for a free worker. Past it the server
    /// responds with `503` and `Retry-After: 1` without running the handler. At a thousand
    /// requests a second the default is about a second of queued work.
    public var workerQueueLimit: Int = 1024

    /// The largest request body accepted, in bytes, after chunked decoding; larger ones get
    /// `413`.
    public var maxBodySize: Int = 10 * 1024 * 1024
    /// The maximum request-line length, in bytes without CRLF; longer ones get `414`.
    public var maxRequestLineLength: Int = 8 * 1024
    /// The largest header section, in bytes including CRLFs; larger ones get `431`.
    public var maxHeaderSize: Int = 32 * 1024
    /// The maximum number of header fields in one request; more get `431`.
    public var maxHeaderCount: Int = 100

    /// The maximum number of open client connections. Past it new connections get a short `503` and are
    /// closed at once.
    public var maxConnections: Int = 16_384

    /// How long a client has to send a complete header section, counted from the
    /// connection's accept or from the first byte of a later request. Progress does not
    /// extend it, so a client sending a byte at a time cannot hold a connection.
    public var headerReadTimeout: Duration = .seconds(10)
    /// How long the server waits for the next piece of a request body. Each piece restarts
    /// it; `maxBodyReadDuration` caps the whole body.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// The maximum time a whole request body may take, however steadily it arrives.
    public var maxBodyReadDuration: Duration = .seconds(300)
    /// How long a keep-alive connection may sit between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a response write may make no progress because the client does not read.
    public var writeTimeout: Duration = .seconds(30)
    /// How long a graceful shutdown waits for in-flight requests before it closes every
    /// remaining connection.
    public var shutdownDeadline: Duration = .seconds(10)

    public init() {}

    /// The number of cores this process may run on, as `sysconf(_SC_NPROCESSORS_ONLN)` reports.
    public static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Checks every field and throws a `ServerError.invalidConfiguration` naming the first
    /// bad one.
    public func validate() throws(ServerError) {
        func require(_ condition: Bool, _ field: String, _ problem: String) throws(ServerError) {
            if !condition {
                throw ServerError.invalidConfiguration(field: field, message: problem)
            }
        }

        try require((0...65_535).contains(port), "port", "\(port) is outside 0...65535")
        try require(eventLoopCount >= 1, "eventLoopCount", "\(eventLoopCount) must be at least 1")
        try require(workerCount >= 1, "workerCount", "\(workerCount) must be at least 1")
        try require(workerQueueLimit >= 0, "workerQueueLimit", "\(workerQueueLimit) must not be negative")
        try require(maxBodySize >= 0, "maxBodySize", "\(maxBodySize) must not be negative")
        try require(maxRequestLineLength >= 16, "maxRequestLineLength", "\(maxRequestLineLength) must be at least 16 bytes")
        try require(maxHeaderSize >= 64, "maxHeaderSize", "\(maxHeaderSize) must be at least 64 bytes")
        try require(maxHeaderCount >= 1, "maxHeaderCount", "\(maxHeaderCount) must be at least 1")
        try require(maxConnections >= 1, "maxConnections", "\(maxConnections) must be at least 1")

        let timeouts: [(String, Duration)] = [
            ("headerReadTimeout", headerReadTimeout), ("bodyReadTimeout", bodyReadTimeout),
            ("maxBodyReadDuration", maxBodyReadDuration), ("idleTimeout", idleTimeout),
            ("writeTimeout", writeTimeout),
        ]
        for (name, value) in timeouts {
            try require(value > .zero, name, "\(value) must be positive")
        }
        try require(shutdownDeadline >= .zero, "shutdownDeadline", "\(shutdownDeadline) must not be negative")
    }
}

/// An error that stops an `HTTPServer` from starting.
public enum ServerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A configuration field has a value the server cannot use.
    case invalidConfiguration(field: String, message: String)
    /// The host is not an IP address literal.
    case invalidHost(String)
    /// A system call failed while setting up, with the call's name and errno.
    case systemCallFailed(call: String, errno: Int32, detail: String)
    /// `start()` was called on a server that is running or has stopped.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let message):
            "invalid server configuration: \(field) \(message); fix the value and start again"
        case .invalidHost(let host):
            "invalid listen host \"\(host)\": use an IPv4 or IPv6 literal such as 127.0.0.1 or ::1"
        case .systemCallFailed(let call, let code, let detail):
            "\(call) failed for \(detail): \(describeErrno(code))"
        case .alreadyStarted:
            "the server was already started; create a new HTTPServer to serve again"
        }
    }
}
