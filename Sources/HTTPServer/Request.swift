/// The HTTP method of a request. Any token is accepted; the common ones have constants.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")

    /// Safe methods (RFC 9110, section 9.2.1) do not change state, so CSRF checks skip them.
    public var isSafe: Bool {
        self == .get || self == .head || self == .options || rawValue == "TRACE"
    }
}

/// The protocol version from the request line.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// Name-value pairs from a query string or a form, in their original order.
///
/// A name may occur more than once (`tag=a&tag=b`); the subscript returns the first value.
public struct FormParameters: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Pair = (name: String, value: String)

    public private(set) var pairs: [Pair]

    public init(_ pairs: [Pair] = []) {
        self.pairs = pairs
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.pairs = elements.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public func values(for name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public var isEmpty: Bool { pairs.isEmpty }

    public mutating func append(_ name: String, _ value: String) {
        pairs.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[Pair]> {
        pairs.makeIterator()
    }
}

/// One parsed HTTP request, handed to a handler on a worker thread.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent, for example `/products?page=2`.
    public var target: String
    /// The percent-decoded path of the target, without the query.
    public var path: String
    /// The path as sent, still percent-encoded, for code that must tell `%2F` from `/`.
    public var rawPath: String
    /// The decoded query parameters.
    public var query: FormParameters
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body after any chunked transfer coding has been removed.
    public var body: [UInt8]
    /// The peer's address as text, `127.0.0.1` or `::1`.
    public var remoteAddress: String
    /// A short id that the access log and error pages share, so a report can be traced.
    public var requestID: String

    public init(
        method: HTTPMethod,
        target: String,
        path: String,
        rawPath: String,
        query: FormParameters,
        version: HTTPVersion,
        headers: HTTPHeaders,
        body: [UInt8],
        remoteAddress: String,
        requestID: String
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.rawPath = rawPath
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }
}
