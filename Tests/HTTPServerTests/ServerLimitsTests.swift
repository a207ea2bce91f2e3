import Glibc
import HTTPServer
import Synchronization
import Testing

/// A counting semaphore for holding handlers until a test releases them.
final class Gate: Sendable {
    private let count = Mutex(0)
    let entered = Atomic<Int>(0)

    /// Blocks until `open` is called, or `timeout` passes.
    func pass(timeout: Duration = .seconds(10)) {
        entered.add(1, ordering: .relaxed)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let passed = count.withLock { count -> Bool in
                guard count > 0 else { return false }
                count -= 1
                return true
            }
            if passed { return }
            usleep(2_000)
        }
    }

    func open(_ times: Int = 1) {
        count.withLock { $0 += times }
    }

    /// Waits until `number` handlers are inside `pass`.
    func waitForEntered(_ number: Int) -> Bool {
        for _ in 0..<1000 {
            if entered.load(ordering: .relaxed) >= number { return true }
            usleep(2_000)
        }
        return false
    }
}

@Suite struct ServerLimitsTests {
    /// Hostile or malformed requests, each with the status the server must respond with.
    /// After each, the connection must be closed and a new one must be served normally.
    static let hostileRequests: [(String, Int)] = [
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Long: 1\r\n continued\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: a\n\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\rInjected: 1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: \u{00}\r\n\r\n", 400),
        ("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        ("GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
        ("GET / FTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /\r\nHost: a\r\n\r\n", 400),
        ("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /%E0%A4%A HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /%FF HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: compress, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nBad Trailer\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, fast\r\nContent-Length: 1\r\n\r\n", 417),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n", 413),
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 40_000) + "\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: a\r\n" + (0..<120).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),
    ]

    @Test func hostileRequestsAreRejected() throws {
        #expect(Self.hostileRequests.count >= 25)
        try withServer(configure: { $0.maxBodySize = 4096 }) { server in
            for (input, status) in Self.hostileRequests {
                let label = String(input.prefix(80)).debugDescription
                let client = try TestClient(port: server.port)
                try client.send(input)
                let response = try client.readResponse()
                #expect(response.status == status, "input \(label)")
                #expect(response.header("Connection") == "close", "input \(label)")
                #expect(response.header("Content-Type") == "text/plain; charset=utf-8", "input \(label)")
                #expect(!response.text.isEmpty, "input \(label)")
                #expect(client.isClosedByServer(), "input \(label)")

                let good = try TestClient(port: server.port)
                try good.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try good.readResponse().status == 200, "after input \(label)")
            }
        }
    }

    @Test func errorAfterGoodRequestOnSameConnection() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            let error = try client.readResponse()
            #expect(error.status == 400)
            #expect(error.text.contains("Content-Length"))
            #expect(client.isClosedByServer())
        }
    }

    @Test func bodyLimitChecksChunkedBodies() throws {
        try withServer(configure: { $0.maxBodySize = 10 }) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n")
            try client.send("8\r\n12345678\r\n0\r\n\r\n")
            #expect(try client.readResponse().status == 413)
        }
    }

    @Test func bodyAtLimitIsAccepted() throws {
        try withServer(configure: { $0.maxBodySize = 10 }) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789")
            #expect(echoField(try client.readResponse(), "body") == "0123456789")
        }
    }

    // MARK: - Timeouts

    @Test func slowHeaderGets408() throws {
        try withServer(configure: { $0.headerReadTimeout = .milliseconds(400) }) { server in
            let client = try TestClient(port: server.port)
            let start = ContinuousClock.now
            // A byte every 50 ms keeps the connection busy but never finishes the head.
            var gotResponse = false
            for byte in "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".utf8 {
                guard (try? client.send([byte])) != nil else { break }
                usleep(50_000)
                if ContinuousClock.now - start > .seconds(2) { break }
                var ready = pollfd(fd: client.socket, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 0) > 0 {
                    gotResponse = true
                    break
                }
            }
            #expect(gotResponse)
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(client.isClosedByServer())
        }
    }

    @Test func silentConnectionIsClosedAfterHeaderTimeout() throws {
        try withServer(configure: { $0.headerReadTimeout = .milliseconds(300) }) { server in
            let client = try TestClient(port: server.port)
            let start = ContinuousClock.now
            #expect(client.isClosedByServer())
            #expect(ContinuousClock.now - start < .seconds(2))
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        try withServer(configure: { $0.idleTimeout = .milliseconds(300) }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            let start = ContinuousClock.now
            #expect(client.isClosedByServer())
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(250), "closed after \(elapsed)")
            #expect(elapsed < .seconds(2), "closed after \(elapsed)")
        }
    }

    @Test func stalledBodyGets408() throws {
        try withServer(configure: { $0.bodyReadTimeout = .milliseconds(300) }) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(client.isClosedByServer())
        }
    }

    @Test func bodyDurationCapAppliesDespiteProgress() throws {
        try withServer(configure: {
            // The gap between bytes (50 ms) stays far below the read timeout even on a
            // loaded machine, so only the cap on the whole body can end the request.
            $0.bodyReadTimeout = .seconds(30)
            $0.maxBodyReadDuration = .milliseconds(400)
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n")
            let start = ContinuousClock.now
            var status: Int?
            for _ in 0..<200 {
                guard (try? client.send("x")) != nil else { break }
                usleep(50_000)
                var ready = pollfd(fd: client.socket, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 0) > 0 {
                    status = try client.readResponse().status
                    break
                }
            }
            #expect(status == 408)
            // Well before the 30 s read timeout could have fired.
            #expect(ContinuousClock.now - start < .seconds(20))
        }
    }

    // MARK: - Capacity

    @Test func connectionsPastLimitGet503() throws {
        let capture = LogCapture()
        try withServer(logger: capture.logger, configure: { $0.maxConnections = 2 }) { server in
            let first = try TestClient(port: server.port)
            let second = try TestClient(port: server.port)
            for client in [first, second] {
                try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }

            let third = try TestClient(port: server.port)
            let rejected = try third.readResponse()
            #expect(rejected.status == 503)
            #expect(rejected.header("Connection") == "close")
            #expect(third.isClosedByServer())
            #expect(capture.waitForLine(containing: ["event=connection_rejected", "reason=max_connections"]) != nil)

            // A slot frees up once a connection closes.
            try first.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            _ = try first.readResponse()
            #expect(first.isClosedByServer())
            first.close()
            var served = false
            for _ in 0..<50 where !served {
                let fourth = try TestClient(port: server.port)
                try? fourth.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                served = (try? fourth.readResponse().status) == 200
                if !served { usleep(20_000) }
            }
            #expect(served)
        }
    }

    @Test func fullWorkerQueueGets503WithRetryAfter() throws {
        let gate = Gate()
        let handler: Handler = { request in
            if request.path == "/block" { gate.pass() }
            return .text("done \(request.path)")
        }
        try withServer(configure: {
            $0.workerCount = 1
            $0.workerQueueLimit = 1
        }, handler: handler) { server in
            let running = try TestClient(port: server.port)
            try running.send("GET /block HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(gate.waitForEntered(1))

            let queued = try TestClient(port: server.port)
            try queued.send("GET /queued HTTP/1.1\r\nHost: a\r\n\r\n")
            usleep(50_000)

            let refused = try TestClient(port: server.port)
            try refused.send("GET /refused HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try refused.readResponse()
            #expect(response.status == 503)
            #expect(response.header("Retry-After") == "1")

            gate.open()
            #expect(try running.readResponse().text == "done /block")
            #expect(try queued.readResponse().text == "done /queued")
            // The refused connection stays open and is served once there is room.
            try refused.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try refused.readResponse().text == "done /again")
        }
    }
}
