import HTTPServer

/// Builds `Request` values the way the parser would, so form, cookie and static file code can
/// be tested without a socket.
enum RequestFixture {
    /// A request for `target`, which may carry a query. `path` is decoded from the raw path;
    /// a raw path that does not decode is kept as is, so traversal tests can still send it.
    static func make(
        method: HTTPMethod = .get,
        target: String = "/",
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = []
    ) -> Request {
        let rawPath: String
        let query: FormParameters
        if let questionMark = target.firstIndex(of: "?") {
            rawPath = String(target[..<questionMark])
            query = PercentEncoding.decodeForm(target[target.index(after: questionMark)...]) ?? FormParameters()
        } else {
            rawPath = target
            query = FormParameters()
        }
        return Request(
            method: method,
            target: target,
            path: PercentEncoding.decode(rawPath) ?? rawPath,
            rawPath: rawPath,
            query: query,
            version: .http1_1,
            headers: headers,
            body: body,
            remoteAddress: "127.0.0.1",
            requestID: "test"
        )
    }

    /// A POST with the given `Content-Type` and body text.
    static func post(contentType: String?, body: String) -> Request {
        post(contentType: contentType, body: Array(body.utf8))
    }

    static func post(contentType: String?, body: [UInt8]) -> Request {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        return make(method: .post, target: "/form", headers: headers, body: body)
    }
}
