import CSystem
import Glibc
import Synchronization

/// A parsed request on its way to a worker, with what the worker needs to respond on the
/// connection's socket.
///
/// Ownership rule: while a job exists, it owns the connection's socket descriptor. The event
/// loop does not read, write or close it until the job hands it back, through `post` or
/// through `handoff` without a post. If the loop has exited (a forced shutdown), the job
/// closes the descriptor itself. This keeps a worker from ever writing to a descriptor
/// number the loop has closed and the kernel reused.
struct WorkItem: Sendable {
    let request: Request
    /// Held strongly, unlike the loops' references: a worker can outlive the loops after a
    /// forced shutdown and must still reach the logger and the connection count.
    let core: ServerCore
    let loop: EventLoop
    let token: ConnectionToken
    let socket: Int32
    let handoff: WorkerHandoff
    /// Whether the request allows the connection to stay open.
    let keepAlive: Bool
    let startNanoseconds: UInt64
}

/// Per-thread state of a worker.
struct WorkerState {
    var dateCache = DateCache()
}

/// The state shared by the event loops, the workers and the `HTTPServer` front object.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let logger: Logger
    let handler: Handler
    let listenSocket: Int32
    let parserLimits: RequestParser.Limits

    /// Open client connections across all loops, checked against `maxConnections` at accept.
    let connectionCount = Atomic<Int>(0)
    /// Set once a graceful shutdown starts, after which responses carry `Connection: close`.
    let isDraining = Atomic<Bool>(false)
    private let nextLoopIndex = Atomic<Int>(0)
    /// The loops that still have the listening socket in their epoll set. The last one to
    /// remove it closes it, so no loop can call `accept` on a closed, reused descriptor.
    private let loopsWatchingListener: Atomic<Int>
    let rejectedConnectionLog = LogRateLimiter(interval: .seconds(1))
    let acceptFailureLog = LogRateLimiter(interval: .seconds(1))
    let queueFullLog = LogRateLimiter(interval: .seconds(1))

    // Written once by `makeLoops` before any thread starts, then only read.
    nonisolated(unsafe) private var loopsSnapshot: [EventLoop] = []
    let pool: WorkerPool<WorkItem, WorkerState>

    /// Signalled when a loop exits.
    let lifecycle = ConditionLock()
    // Guarded by `lifecycle`.
    nonisolated(unsafe) private var runningLoopCount = 0

    init(configuration: ServerConfiguration, logger: Logger, handler: @escaping Handler, listenSocket: Int32) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        self.listenSocket = listenSocket
        self.parserLimits = RequestParser.Limits(
            maxRequestLineLength: configuration.maxRequestLineLength,
            maxHeaderSize: configuration.maxHeaderSize,
            maxHeaderCount: configuration.maxHeaderCount,
            maxBodySize: configuration.maxBodySize)
        self.loopsWatchingListener = Atomic(configuration.eventLoopCount)
        self.pool = WorkerPool(
            name: "http-worker",
            threadCount: configuration.workerCount,
            queueLimit: configuration.workerQueueLimit,
            makeState: { WorkerState() },
            process: { item, state in ResponseWriter.respond(to: item, state: &state) },
            cancel: { item in ResponseWriter.abandon(item) })
    }

    /// Creates the loops. Called once, before any thread starts, which is what makes the
    /// unsynchronised `loopsSnapshot` safe to read from the loop threads afterwards.
    func makeLoops() throws(ServerError) {
        var loops: [EventLoop] = []
        for index in 0..<configuration.eventLoopCount {
            loops.append(try EventLoop(index: index, core: self))
        }
        loopsSnapshot = loops
        lifecycle.withLock { runningLoopCount = loops.count }
    }

    var loops: [EventLoop] { loopsSnapshot }

    /// Picks the loop for a new connection in turn, so connections spread evenly whichever
    /// loop accepted them.
    func nextLoop() -> EventLoop {
        let index = nextLoopIndex.wrappingAdd(1, ordering: .relaxed).oldValue
        return loopsSnapshot[index % loopsSnapshot.count]
    }

    /// Called by each loop once it removed the listening socket from its epoll set.
    func loopStoppedWatchingListener() {
        if loopsWatchingListener.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            close(listenSocket)
        }
    }

    /// Called by each loop as its thread ends.
    func loopDidExit() {
        lifecycle.withLock {
            runningLoopCount -= 1
            lifecycle.broadcast()
        }
    }

    /// Waits until every loop exited or the monotonic clock reaches `deadline`. Returns
    /// whether they all exited.
    func waitForLoops(untilNanoseconds deadline: UInt64) -> Bool {
        lifecycle.withLock {
            while runningLoopCount > 0 {
                if !lifecycle.wait(untilNanoseconds: deadline) && runningLoopCount > 0 {
                    return false
                }
            }
            return true
        }
    }

    /// Writes the access-log line for a finished response.
    func logAccess(_ record: AccessRecord, error: String? = nil) {
        guard logger.isEnabled(.info) else { return }
        let elapsed = MonotonicClock.nanoseconds() &- record.startNanoseconds
        let duration = Self.formatMilliseconds(elapsed)
        if let error {
            logger.info("request", [
                "request_id": record.requestID, "method": record.method, "path": record.path,
                "status": record.status, "bytes": record.bodyBytes, "duration_ms": duration,
                "remote": record.remoteAddress, "error": error,
            ])
        } else {
            logger.info("request", [
                "request_id": record.requestID, "method": record.method, "path": record.path,
                "status": record.status, "bytes": record.bodyBytes, "duration_ms": duration,
                "remote": record.remoteAddress,
            ])
        }
    }

    /// Formats nanoseconds as milliseconds with three decimals, without Foundation.
    static func formatMilliseconds(_ nanoseconds: UInt64) -> String {
        let microseconds = nanoseconds / 1000
        let fraction = microseconds % 1000
        let padding = fraction < 10 ? "00" : (fraction < 100 ? "0" : "")
        return "\(microseconds / 1000).\(padding)\(fraction)"
    }
}
