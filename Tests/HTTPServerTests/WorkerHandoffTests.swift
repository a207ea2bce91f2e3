import Glibc
import HTTPServer
import Synchronization
import Testing

/// A worker that wrote a whole keep-alive response returns the connection to its event loop
/// without a message, and the loop takes it back on the next input, on its timer or at
/// shutdown. These tests drive each of those paths through a real server.
@Suite struct WorkerHandoffTests {
    @Test func sequentialRequestsOnOneConnection() throws {
        try withServer(configure: { $0.eventLoopCount = 1; $0.workerCount = 2 }) { server in
            let client = try TestClient(port: server.port)
            for index in 0..<200 {
                try client.send("GET /\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(echoField(response, "path") == "/\(index)")
            }
        }
    }

    @Test func pipelinedRequestsAfterReturnedConnection() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(echoField(try client.readResponse(), "path") == "/first")

            try client.send(
                "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n")

            #expect(echoField(try client.readResponse(), "path") == "/a")
            #expect(echoField(try client.readResponse(), "path") == "/b")
            #expect(echoField(try client.readResponse(), "path") == "/c")
        }
    }

    @Test func slowReaderGetsLargeBodyThenNextResponse() throws {
        // 4 MB is far more than the socket buffers take, so the worker leaves the rest of
        // the body to the loop, which must then read the next request on that connection.
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
        let handler: Handler = { request in
            request.path == "/large" ? Response(status: .ok, body: .bytes(large)) : .text("small")
        }
        try withServer(handler: handler) { server in
            let client = try TestClient(port: server.port)
            client.setReceiveBufferSize(16 * 1024)
            try client.send("GET /large HTTP/1.1\r\nHost: a\r\n\r\n")
            // The client sleeps before it reads, so the server's send buffer fills first.
            usleep(100_000)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body.count == large.count)
            #expect(response.body.allSatisfy { $0 == UInt8(ascii: "x") })

            try client.send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().text == "small")
        }
    }

    @Test func manyClientsKeepAliveAllServed() throws {
        try withServer(configure: { $0.workerCount = 3 }) { server in
            let failures = Atomic<Int>(0)
            let finished = (0..<8).map { clientIndex in
                runInBackground {
                    do {
                        let client = try TestClient(port: server.port)
                        for index in 0..<100 {
                            try client.send("GET /\(clientIndex)/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                            let response = try client.readResponse()
                            if echoField(response, "path") != "/\(clientIndex)/\(index)" {
                                failures.add(1, ordering: .relaxed)
                            }
                        }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }
            #expect(waitFor({ finished.allSatisfy(\.isSet) }, timeout: .seconds(30)))
            #expect(failures.load(ordering: .relaxed) == 0)
        }
    }

    @Test func accessLogLinePerReturnedResponse() throws {
        let capture = LogCapture()
        try withServer(logger: capture.logger) { server in
            let client = try TestClient(port: server.port)
            for index in 0..<5 {
                try client.send("GET /logged/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            for index in 0..<5 {
                #expect(capture.waitForLine(containing: ["event=request", "path=/logged/\(index)"]) != nil)
            }
        }
    }

    @Test func shutdownClosesReturnedIdleConnection() throws {
        // The idle timeout is far longer than the test, so only the shutdown can close
        // the connection whose worker returned it.
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoopCount = 1
        configuration.workerCount = 2
        configuration.idleTimeout = .seconds(600)
        configuration.shutdownDeadline = .seconds(60)
        let server = HTTPServer(configuration: configuration, logger: .disabled, handler: echoHandler)
        try server.start()

        let client = try TestClient(port: server.port, timeout: .seconds(30))
        try client.send("GET /before-shutdown HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().status == 200)

        let stopped = runInBackground { server.shutdown() }
        #expect(client.isClosedByServer())
        #expect(waitFor({ stopped.isSet }, timeout: .seconds(30)))
        #expect(!server.isRunning)
        #expect(server.openConnectionCount == 0)
    }

    @Test func shutdownUnderSteadyLoad() throws {
        // Requests keep arriving while the shutdown starts, so some are parsed in the same
        // loop pass as the shutdown message and not yet submitted to the pool.
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoopCount = 2
        configuration.workerCount = 3
        configuration.shutdownDeadline = .seconds(10)
        let server = HTTPServer(configuration: configuration, logger: .disabled, handler: echoHandler)
        try server.start()
        let port = server.port

        let responses = Atomic<Int>(0)
        let clients = (0..<8).map { _ in
            runInBackground {
                guard let client = try? TestClient(port: port, timeout: .seconds(10)) else { return }
                // Each client stops at its first failure, which the shutdown causes.
                for index in 0..<5_000 {
                    guard (try? client.send("GET /\(index) HTTP/1.1\r\nHost: a\r\n\r\n")) != nil,
                          let response = try? client.readResponse(), response.status == 200 else { return }
                    responses.add(1, ordering: .relaxed)
                    if response.header("Connection") == "close" { return }
                }
            }
        }
        #expect(waitFor({ responses.load(ordering: .relaxed) >= 400 }, timeout: .seconds(30)))

        let stopped = runInBackground { server.shutdown() }
        #expect(waitFor({ stopped.isSet }, timeout: .seconds(30)))
        #expect(!server.isRunning)
        #expect(waitFor({ clients.allSatisfy(\.isSet) }, timeout: .seconds(30)))
        #expect(server.openConnectionCount == 0)
    }

    @Test func idleTimeoutClosesReturnedConnection() throws {
        try withServer(configure: { $0.idleTimeout = .milliseconds(200) }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 200)

            #expect(client.isClosedByServer())
            #expect(waitFor { server.openConnectionCount == 0 })
        }
    }
}
