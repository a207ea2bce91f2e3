import CSystem
import Glibc
import Synchronization

/// An HTTP/1.1 server: epoll event loops for the sockets, a bounded pool of worker threads
/// for the handler.
///
/// ```swift
/// let server = HTTPServer(configuration: configuration, logger: logger) { request in
///     .text("Hello")
/// }
/// try server.start()
/// server.installSignalHandlers()
/// server.waitUntilStopped()
/// ```
///
/// A server runs once: after `shutdown()` create a new one to serve again.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    public let logger: Logger
    private let handler: Handler

    private enum Phase {
        case created
        case running(ServerCore)
        case stopping(ServerCore)
        case stopped
    }

    private struct State {
        var phase = Phase.created
        var boundPort = 0
        var signalWatcher: SignalWatcher?
    }

    private let state = Mutex(State())
    /// Signalled when the server reaches `stopped`.
    private let stoppedCondition = ConditionLock()
    // Guarded by `stoppedCondition`.
    nonisolated(unsafe) private var hasStopped = false

    public init(configuration: ServerConfiguration, logger: Logger, handler: @escaping Handler) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    /// The bound port: the configured one, or the one the kernel picked for port 0. Zero
    /// before `start()`.
    public var port: Int {
        state.withLock { $0.boundPort }
    }

    /// The number of open client connections, for health checks and metrics. Connections
    /// that are closing still count until their socket is closed.
    public var openConnectionCount: Int {
        let core: ServerCore? = state.withLock { state in
            switch state.phase {
            case .running(let core), .stopping(let core): core
            case .created, .stopped: nil
            }
        }
        return core?.connectionCount.load(ordering: .relaxed) ?? 0
    }

    /// Whether `start()` succeeded and shutdown has not begun.
    public var isRunning: Bool {
        state.withLock { if case .running = $0.phase { true } else { false } }
    }

    /// Binds the listening socket, starts the event loops and workers, and returns.
    ///
    /// Also ignores SIGPIPE for the process (writes to a closed socket then fail with EPIPE)
    /// and raises the soft open-file limit to the hard limit.
    public func start() throws(ServerError) {
        try configuration.validate()
        let alreadyStarted = state.withLock { state in
            if case .created = state.phase { return false }
            return true
        }
        guard !alreadyStarted else { throw .alreadyStarted }

        _ = csystem_ignore_sigpipe()
        let fileLimit = Socket.raiseOpenFileLimit()
        if fileLimit > 0 && fileLimit < configuration.maxConnections + 64 {
            logger.warning("open_file_limit_low", [
                "limit": fileLimit, "max_connections": configuration.maxConnections,
                "action": "raise the hard limit (ulimit -Hn) or lower maxConnections; accepts fail past the limit",
            ])
        }

        let (socket, boundPort) = try Socket.listen(host: configuration.host, port: configuration.port)
        let core = ServerCore(configuration: configuration, logger: logger, handler: handler, listenSocket: socket)
        do {
            try core.makeLoops()
        } catch {
            close(socket)
            throw error
        }

        let raced = state.withLock { state -> Bool in
            guard case .created = state.phase else { return true }
            state.phase = .running(core)
            state.boundPort = boundPort
            return false
        }
        guard !raced else {
            close(socket)
            throw .alreadyStarted
        }

        core.pool.start()
        for loop in core.loops {
            // The closure holds the core, so the loops' unowned references stay valid for
            // as long as any loop thread runs.
            startThread(name: "http-loop-\(loop.index)") { [core] in
                withExtendedLifetime(core) { loop.run() }
            }
        }
        logger.info("server_started", [
            "host": configuration.host, "port": boundPort, "event_loops": configuration.eventLoopCount,
            "workers": configuration.workerCount, "queue_limit": configuration.workerQueueLimit,
            "max_connections": configuration.maxConnections,
        ])
    }

    /// Stops gracefully and returns when stopped: stops accepting, closes idle connections,
    /// lets in-flight requests finish (their responses carry `Connection: close`), and after
    /// `shutdownDeadline` closes whatever remains. Handlers still running at the deadline
    /// keep their worker threads until they return, but their responses are discarded.
    ///
    /// Safe to call more than once and from any thread except a handler's, which would wait
    /// for itself until the deadline.
    public func shutdown() {
        let core: ServerCore? = state.withLock { state in
            switch state.phase {
            case .running(let core):
                state.phase = .stopping(core)
                return core
            case .created:
                state.phase = .stopped
                return nil
            case .stopping, .stopped:
                return nil
            }
        }
        guard let core else {
            if case .stopped = state.withLock({ $0.phase }) { markStopped() }
            waitUntilStopped()
            return
        }

        logger.info("server_stopping", ["deadline_s": configuration.shutdownDeadline.milliseconds / 1000])
        let deadline = MonotonicClock.nanoseconds() &+ configuration.shutdownDeadline.nanoseconds
        core.isDraining.store(true, ordering: .relaxed)
        for loop in core.loops {
            _ = loop.post(.beginShutdown)
        }

        var forced = false
        if !core.waitForLoops(untilNanoseconds: deadline) {
            forced = true
            logger.warning("shutdown_deadline_reached", [
                "open_connections": core.connectionCount.load(ordering: .relaxed),
                "action": "closing the remaining connections",
            ])
            for loop in core.loops {
                _ = loop.post(.forceClose)
            }
            // Loops exit right after a forced close; the extra second only covers a loop
            // that is busy with a large batch of events.
            _ = core.waitForLoops(untilNanoseconds: MonotonicClock.nanoseconds() &+ 1_000_000_000)
        }

        core.pool.stop(cancelQueued: forced)
        if !forced {
            core.pool.waitForThreadsToExit(untilNanoseconds: deadline)
        }
        state.withLock { $0.phase = .stopped }
        logger.info("server_stopped", ["forced": forced])
        markStopped()
    }

    /// Blocks until the server has stopped, by `shutdown()` or by a signal.
    public func waitUntilStopped() {
        stoppedCondition.withLock {
            while !hasStopped {
                stoppedCondition.wait()
            }
        }
    }

    /// Makes SIGINT and SIGTERM start a graceful `shutdown()`; a second signal during the
    /// shutdown closes the remaining connections at once. The handlers are process-wide: the
    /// server that installed them last receives the signals. They are restored to the
    /// default action once this server has stopped.
    public func installSignalHandlers() throws(ServerError) {
        let watcher = try SignalWatcher(
            onFirstSignal: { [self] in
                logger.info("shutdown_signal_received")
                shutdown()
            },
            onRepeatedSignal: { [self] in
                logger.warning("shutdown_signal_repeated", ["action": "closing remaining connections now"])
                forceCloseNow()
            })
        let previous = state.withLock { state in
            let previous = state.signalWatcher
            state.signalWatcher = watcher
            return previous
        }
        previous?.stop()
        watcher.start()
    }

    private func forceCloseNow() {
        let core: ServerCore? = state.withLock { state in
            if case .stopping(let core) = state.phase { return core }
            return nil
        }
        for loop in core?.loops ?? [] {
            _ = loop.post(.forceClose)
        }
    }

    private func markStopped() {
        let watcher = state.withLock { state in
            let watcher = state.signalWatcher
            state.signalWatcher = nil
            return watcher
        }
        watcher?.stop()
        stoppedCondition.withLock {
            hasStopped = true
            stoppedCondition.broadcast()
        }
    }
}
