import Glibc
import HTTPServer
import Synchronization
import Testing

/// Runs `body` on a new thread and returns a flag that turns true when it returns.
func runInBackground(_ body: @escaping @Sendable () -> Void) -> Atomic<Bool>.Reference {
    let done = Atomic<Bool>.Reference()
    let thread = Thread { body(); done.value.store(true, ordering: .releasing) }
    thread.start()
    return done
}

extension Atomic where Value == Bool {
    /// A heap-allocated flag that threads can share.
    final class Reference: Sendable {
        let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
    }
}

/// A minimal thread wrapper on pthreads, so the tests need no Foundation.
final class Thread: @unchecked Sendable {
    // @unchecked Sendable: `body` is immutable and only run by the started thread.
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }

    func start() {
        var thread = pthread_t()
        let retained = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { argument in
            let thread = Unmanaged<Thread>.fromOpaque(argument!).takeRetainedValue()
            thread.body()
            return nil
        }, retained)
        pthread_detach(thread)
    }
}

func waitFor(_ condition: () -> Bool, timeout: Duration = .seconds(5)) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

func canConnect(port: Int) -> Bool {
    (try? TestClient(port: port)) != nil
}

@Suite struct ServerShutdownTests {
    func makeServer(
        deadline: Duration = .seconds(5), handler: @escaping Handler
    ) throws -> HTTPServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoopCount = 2
        configuration.workerCount = 2
        configuration.shutdownDeadline = deadline
        let server = HTTPServer(configuration: configuration, logger: .disabled, handler: handler)
        try server.start()
        return server
    }

    @Test func shutdownFinishesInFlightRequest() throws {
        let gate = Gate()
        let server = try makeServer { request in
            if request.path == "/slow" { gate.pass() }
            return .text("finished \(request.path)")
        }
        let port = server.port

        let idle = try TestClient(port: port)
        try idle.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try idle.readResponse().status == 200)

        let busy = try TestClient(port: port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(gate.waitForEntered(1))

        let stopped = runInBackground { server.shutdown() }
        // New connections are refused and idle ones are closed while the request runs.
        #expect(waitFor { !canConnect(port: port) })
        #expect(idle.isClosedByServer())
        #expect(!stopped.isSet)

        gate.open()
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "finished /slow")
        #expect(response.header("Connection") == "close")
        #expect(busy.isClosedByServer())
        #expect(waitFor { stopped.isSet })
        #expect(!server.isRunning)
    }

    @Test func shutdownLetsPartialRequestFinish() throws {
        let server = try makeServer { request in .text("got \(request.body.count)") }
        let client = try TestClient(port: server.port)
        try client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc")
        usleep(50_000)

        let stopped = runInBackground { server.shutdown() }
        usleep(100_000)
        try client.send("def")
        let response = try client.readResponse()
        #expect(response.text == "got 6")
        #expect(response.header("Connection") == "close")
        #expect(waitFor { stopped.isSet })
    }

    @Test func shutdownDeadlineClosesStuckRequest() throws {
        let gate = Gate()
        let server = try makeServer(deadline: .milliseconds(300)) { _ in
            gate.pass(timeout: .seconds(3))
            return .text("too late")
        }
        let client = try TestClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(gate.waitForEntered(1))

        let start = ContinuousClock.now
        server.shutdown()
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(250), "shutdown took \(elapsed)")
        #expect(elapsed < .seconds(2), "shutdown took \(elapsed)")
        #expect(client.isClosedByServer())
        gate.open()
    }

    @Test func waitUntilStoppedReturnsAfterShutdown() throws {
        let server = try makeServer { _ in .text("") }
        let waiter = runInBackground { server.waitUntilStopped() }
        usleep(50_000)
        #expect(!waiter.isSet)
        server.shutdown()
        #expect(waitFor { waiter.isSet })
        // A second call returns at once.
        server.shutdown()
    }

    @Test func sigtermStartsGracefulShutdown() throws {
        let server = try makeServer { _ in .text("") }
        try server.installSignalHandlers()
        let port = server.port
        kill(getpid(), SIGTERM)
        let waiter = runInBackground { server.waitUntilStopped() }
        #expect(waitFor { waiter.isSet })
        #expect(!canConnect(port: port))
    }
}
