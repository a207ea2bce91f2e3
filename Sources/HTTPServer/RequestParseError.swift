/// A request the parser rejected: the status to send and a short message for the plain-text
/// body. The server always closes the connection after sending it, because once framing is
/// in doubt nothing that follows on the connection can be trusted (RFC 9112, section 11.2).
struct RequestParseError: Error, Equatable, CustomStringConvertible {
    let status: HTTPStatus
    let message: String

    init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> RequestParseError {
        RequestParseError(.badRequest, message)
    }

    var description: String { "\(status.code) \(message)" }
}
