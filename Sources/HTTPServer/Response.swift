/// Receives the pieces of a streamed response body. `write` blocks the worker thread while
/// the client is slow to read, so a large body never has to sit in memory whole, and throws
/// once the connection is gone so the producer can stop.
public protocol BodyWriter {
    func write(_ bytes: [UInt8]) throws
}

/// What a response sends after its headers.
public enum ResponseBody: Sendable {
    /// Bytes already in memory, sent with `Content-Length`.
    case bytes([UInt8])
    /// A file region read from disk in pieces and sent with `Content-Length`.
    case file(path: String, offset: Int, length: Int)
    /// Bytes produced while sending, with chunked transfer coding on HTTP/1.1 and
    /// close-delimited on HTTP/1.0. The closure runs on a worker thread.
    case stream(@Sendable (any BodyWriter) throws -> Void)

    public static let empty = ResponseBody.bytes([])
}

/// One HTTP response. The server adds `Date`, `Content-Length` or `Transfer-Encoding`, and
/// `Connection` when it writes the response.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a UTF-8 text body and the given content type.
    public init(status: HTTPStatus = .ok, contentType: String, text: String) {
        self.status = status
        self.headers = ["Content-Type": contentType]
        self.body = .bytes(Array(text.utf8))
    }

    public static func html(_ html: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "text/html; charset=utf-8", text: html)
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", text: text)
    }

    /// A redirect; `303 See Other` is the answer to a successful form POST.
    public static func redirect(to location: String, status: HTTPStatus = .seeOther) -> Response {
        Response(status: status, headers: ["Location": location])
    }
}

/// An error a handler throws to answer with a given status and a message a person can act on.
/// Any other error thrown by a handler becomes a `500` whose body reveals nothing internal.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPStatus
    public let message: String
    public var headers: HTTPHeaders

    public init(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status): \(message)" }
}

/// A request handler. It runs on a worker thread and may block (SQLite, password hashing).
public typealias Handler = @Sendable (Request) throws -> Response
