import Glibc
import HTTPServer
import Synchronization
import Testing

@Suite struct ServerTests {
    @Test func getReturnsHandlerResponse() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /hello?a=1&b=two+words HTTP/1.1\r\nHost: example.test\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.reason == "OK")
            #expect(echoField(response, "path") == "/hello")
            #expect(echoField(response, "query a") == "1")
            #expect(echoField(response, "query b") == "two words")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        }
    }

    @Test func requestFieldsAreFilled() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("PUT /caf%C3%A9/a%2Fb?x=%26 HTTP/1.1\r\nHost: shop.test:8080\r\nContent-Length: 4\r\n\r\nbody")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(echoField(response, "method") == "PUT")
            #expect(echoField(response, "target") == "/caf%C3%A9/a%2Fb?x=%26")
            #expect(echoField(response, "path") == "/café/a/b")
            #expect(echoField(response, "raw-path") == "/caf%C3%A9/a%2Fb")
            #expect(echoField(response, "query x") == "&")
            #expect(echoField(response, "version") == "HTTP/1.1")
            #expect(echoField(response, "body") == "body")
            #expect(echoField(response, "remote") == "127.0.0.1")
            #expect(echoField(response, "host") == "shop.test:8080")
            let requestID = try #require(echoField(response, "request-id"))
            #expect(requestID.count == 12)
            #expect(requestID.allSatisfy { $0.isHexDigit })
        }
    }

    @Test func requestIDsDiffer() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            var ids = Set<String>()
            for _ in 0..<20 {
                try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                ids.insert(try #require(echoField(try client.readResponse(), "request-id")))
            }
            #expect(ids.count == 20)
        }
    }

    @Test func ipv6LoopbackListenerServes() throws {
        try withServer(configure: { $0.host = "::1" }) { server in
            let client = try TestClient(port: server.port, host: "::1")
            try client.send("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(echoField(response, "remote") == "::1")
        }
    }

    // MARK: - Keep-alive

    @Test func http11KeepsConnectionOpen() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            for index in 0..<3 {
                try client.send("GET /\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(echoField(response, "path") == "/\(index)")
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test func connectionCloseClosesAfterResponse() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func http10ClosesByDefault() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(echoField(response, "version") == "HTTP/1.0")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func http10KeepAliveIsHonoured() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            for _ in 0..<2 {
                try client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.header("Connection") == "keep-alive")
            }
        }
    }

    @Test func handlerConnectionCloseClosesConnection() throws {
        try withServer(handler: { _ in
            Response(status: .ok, headers: ["Connection": "close"], body: .bytes(Array("bye".utf8)))
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "bye")
            #expect(response.headerValues("Connection") == ["close"])
            #expect(client.isClosedByServer())
        }
    }

    @Test func halfClosedClientStillGetsResponse() throws {
        try withServer(configure: { $0.idleTimeout = .seconds(10) }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
            client.shutdownWrite()
            #expect(echoField(try client.readResponse(), "path") == "/a")
            #expect(echoField(try client.readResponse(), "path") == "/b")
            let start = ContinuousClock.now
            #expect(client.isClosedByServer())
            #expect(ContinuousClock.now - start < .seconds(2))
        }
    }

    // MARK: - Pipelining

    @Test func pipelinedRequestsAnsweredInOrder() throws {
        // The first request is the slowest, so responses in completion order would show.
        let handler: Handler = { request in
            let delays = ["/1": 150_000, "/2": 50_000, "/3": 0]
            usleep(UInt32(delays[request.path] ?? 0))
            return .text("answer \(request.path)")
        }
        try withServer(handler: handler) { server in
            let client = try TestClient(port: server.port)
            try client.send(
                "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().text == "answer /1")
            #expect(try client.readResponse().text == "answer /2")
            #expect(try client.readResponse().text == "answer /3")
        }
    }

    @Test func pipelinedPostsWithBodiesStayApart() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send(
                "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nonePOST /b HTTP/1.1\r\nHost: a\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(echoField(try client.readResponse(), "body") == "one")
            #expect(echoField(try client.readResponse(), "body") == "two")
            let last = try client.readResponse()
            #expect(echoField(last, "path") == "/c")
            #expect(client.isClosedByServer())
        }
    }

    // MARK: - Bodies

    @Test func chunkedRequestBodyIsDecoded() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            try client.send("6;ext=1\r\nhello \r\n")
            usleep(20_000)
            try client.send("5\r\nworld\r\n0\r\nX-Checksum: abc\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(echoField(response, "body") == "hello world")
        }
    }

    @Test func largeBodyArrivingSlowlyIsAssembled() throws {
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let handler: Handler = { request in
            .text("\(request.body.count) \(request.body == body)")
        }
        try withServer(handler: handler) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n")
            for start in stride(from: 0, to: body.count, by: 100_000) {
                try client.send(Array(body[start..<min(start + 100_000, body.count)]))
                usleep(5_000)
            }
            #expect(try client.readResponse().text == "300000 true")
        }
    }

    @Test func expectContinueGetsInterimResponse() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            #expect(interim.reason == "Continue")
            try client.send("hello")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(echoField(response, "body") == "hello")
        }
    }

    @Test func expectContinueSkippedWhenBodyAlreadySent() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(echoField(response, "body") == "hello")
        }
    }

    @Test func expectContinueWithTooLargeBodyGets413() throws {
        try withServer(configure: { $0.maxBodySize = 100 }) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func unknownExpectationGets417() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 417)
            #expect(response.text.contains("200-ok"))
        }
    }

    // MARK: - Response framing

    @Test func headHasGetHeadersWithoutBody() throws {
        try withServer(handler: { _ in .html("<p>twelve b</p>") }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let get = try client.readResponse()
            try client.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
            let head = try client.readResponse(headRequest: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == get.header("Content-Length"))
            #expect(head.header("Content-Type") == get.header("Content-Type"))
            // A body after the HEAD response would be read as the next status line here.
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().text == "<p>twelve b</p>")
        }
    }

    @Test func dateAndContentLengthOnEveryResponse() throws {
        let handler: Handler = { request in
            switch request.path {
            case "/missing": return .text("nothing here", status: .notFound)
            case "/empty": return Response(status: .ok)
            default: return .text("ok")
            }
        }
        try withServer(handler: handler) { server in
            for target in ["/", "/missing", "/empty"] {
                let client = try TestClient(port: server.port)
                try client.send("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.header("Content-Length") == String(response.body.count), "target \(target)")
                let date = try #require(response.header("Date"), "target \(target)")
                #expect(date.hasSuffix(" GMT"), "Date \(date)")
                #expect(date.count == 29, "Date \(date)")
            }
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\n\r\n")
            let error = try client.readResponse()
            #expect(error.status == 400)
            #expect(error.header("Date") != nil)
            #expect(error.header("Content-Length") == String(error.body.count))
        }
    }

    @Test func noContentHasNoContentLength() throws {
        try withServer(handler: { _ in Response(status: .noContent, body: .bytes(Array("dropped".utf8))) }) { server in
            let client = try TestClient(port: server.port)
            try client.send("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 204)
            #expect(response.header("Content-Length") == nil)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 204)
        }
    }

    @Test func handlerFramingHeadersAreReplaced() throws {
        let handler: Handler = { _ in
            Response(status: .ok, headers: ["Content-Length": "999", "Transfer-Encoding": "chunked", "X-Kept": "yes"],
                     body: .bytes(Array("four".utf8)))
        }
        try withServer(handler: handler) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.headerValues("Content-Length") == ["4"])
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.header("X-Kept") == "yes")
            #expect(response.text == "four")
        }
    }

    // MARK: - Handler errors

    @Test func httpErrorBecomesItsResponse() throws {
        let handler: Handler = { _ in
            throw HTTPError(.unauthorized, "Sign in to see your orders.", headers: ["WWW-Authenticate": "Basic"])
        }
        try withServer(handler: handler) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /orders HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 401)
            #expect(response.text == "Sign in to see your orders.")
            #expect(response.header("WWW-Authenticate") == "Basic")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            // The connection stays usable after a handled error.
            try client.send("GET /orders HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 401)
        }
    }

    struct DatabaseLocked: Error {}

    @Test func otherErrorBecomes500WithRequestID() throws {
        let capture = LogCapture()
        try withServer(logger: capture.logger, handler: { _ in throw DatabaseLocked() }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /checkout HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 500)
            #expect(response.text.hasPrefix("Internal Server Error (request id "))
            #expect(!response.text.contains("DatabaseLocked"))
            let requestID = String(response.text.dropFirst("Internal Server Error (request id ".count).prefix(12))
            let line = capture.waitForLine(containing: ["level=error", "event=handler_error", "request_id=\(requestID)"])
            #expect(line?.contains("DatabaseLocked") == true)
        }
    }

    @Test func unsafeResponseHeaderBecomes500() throws {
        let handler: Handler = { _ in
            Response(status: .ok, headers: ["X-Injected": "a\r\nSet-Cookie: evil=1"], body: .empty)
        }
        try withServer(handler: handler) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 500)
            #expect(response.header("Set-Cookie") == nil)
        }
    }

    // MARK: - Logging

    @Test func accessLogLineIsWritten() throws {
        let capture = LogCapture()
        try withServer(logger: capture.logger, handler: { _ in .text("12345") }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /products/7?secret=token HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            let line = try #require(capture.waitForLine(containing: ["event=request", "path=/products/7"]))
            #expect(line.contains("level=info"))
            #expect(line.contains("method=GET"))
            #expect(line.contains("status=200"))
            #expect(line.contains("bytes=5"))
            #expect(line.contains("duration_ms="))
            #expect(line.contains("remote=127.0.0.1"))
            #expect(line.contains("request_id="))
            // The query can carry tokens, so it is never logged.
            #expect(!line.contains("secret"))
        }
    }

    @Test func rejectedRequestIsLogged() throws {
        let capture = LogCapture()
        try withServer(logger: capture.logger) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(try client.readResponse().status == 400)
            #expect(capture.waitForLine(containing: ["event=request", "status=400", "method=GET", "path=/"]) != nil)
        }
    }

    // MARK: - Concurrency

    @Test func concurrentClientsAreAllServedCorrectly() throws {
        try withServer { server in
            let port = server.port
            let failures = Mutex<[String]>([])
            let finished = Atomic<Int>(0)
            let clientCount = 16
            for clientIndex in 0..<clientCount {
                Thread {
                    defer { finished.add(1, ordering: .relaxed) }
                    do {
                        let client = try TestClient(port: port)
                        for round in 0..<40 {
                            // Every fourth round pipelines three requests in one write.
                            let count = round % 4 == 0 ? 3 : 1
                            var batch = ""
                            for part in 0..<count {
                                batch += "POST /c\(clientIndex)/r\(round)/p\(part) HTTP/1.1\r\nHost: a\r\n"
                                    + "Content-Length: 4\r\n\r\n\(clientIndex % 10)\(round % 10)\(part)x"
                            }
                            try client.send(batch)
                            for part in 0..<count {
                                let response = try client.readResponse()
                                let path = "/c\(clientIndex)/r\(round)/p\(part)"
                                if echoField(response, "path") != path || echoField(response, "body")
                                    != "\(clientIndex % 10)\(round % 10)\(part)x" {
                                    failures.withLock { $0.append("client \(clientIndex): wrong response for \(path)") }
                                }
                            }
                        }
                    } catch {
                        failures.withLock { $0.append("client \(clientIndex): \(error)") }
                    }
                }.start()
            }
            #expect(waitFor({ finished.load(ordering: .relaxed) == clientCount }, timeout: .seconds(20)))
            #expect(failures.withLock { $0 } == [])
        }
    }

    @Test func connectionCountReturnsToZero() throws {
        try withServer { server in
            for index in 0..<30 {
                let client = try TestClient(port: server.port)
                switch index % 3 {
                case 0:
                    try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                    _ = try client.readResponse()
                case 1:
                    try client.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                    _ = try client.readResponse()
                default:
                    try client.send("GET / HTTP/1.0\r\n\r\n")
                    _ = try client.readResponse()
                }
                client.close()
            }
            #expect(waitFor { server.openConnectionCount == 0 })
        }
    }

    // MARK: - Start-up

    @Test func invalidHostIsRejectedAtStart() {
        var configuration = ServerConfiguration()
        configuration.host = "localhost"
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, logger: .disabled) { _ in .text("") }
        #expect(throws: ServerError.invalidHost("localhost")) { try server.start() }
    }

    @Test func invalidConfigurationNamesField() {
        var configuration = ServerConfiguration()
        configuration.workerCount = 0
        let server = HTTPServer(configuration: configuration, logger: .disabled) { _ in .text("") }
        do {
            try server.start()
            Issue.record("start succeeded with workerCount 0")
        } catch {
            #expect(error.description.contains("workerCount"))
        }
    }

    @Test func portInUseFailsWithBindError() throws {
        try withServer { server in
            var configuration = ServerConfiguration()
            configuration.port = server.port
            let second = HTTPServer(configuration: configuration, logger: .disabled) { _ in .text("") }
            do {
                try second.start()
                Issue.record("a second server bound the same port")
            } catch {
                #expect(String(describing: error).contains("bind failed"))
                #expect(String(describing: error).contains("port \(server.port)"))
            }
        }
    }

    @Test func startTwiceIsRejected() throws {
        try withServer { server in
            #expect(throws: ServerError.alreadyStarted) { try server.start() }
        }
    }
}
