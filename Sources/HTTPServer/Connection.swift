import CSystem
import Glibc

/// The stage of a connection in its request cycle. Only one request per connection is in
/// flight at a time, so pipelined requests get their responses strictly in order: the next
/// one is parsed only after the previous response is fully written.
enum ConnectionPhase: Equatable {
    /// Reading a request head or body (or waiting for one).
    case reading
    /// A worker owns the socket and writes the response; see `WorkItem`.
    case processing
    /// The loop is writing the rest of a response.
    case writing
    /// The response is out and the write side is shut down. Input is read and discarded
    /// until the client closes, because closing with unread input makes the kernel reset the
    /// connection, which can destroy the response before the client reads it.
    case lingering
}

enum TimeoutKind {
    case idle
    case header
    case body
    case write
    case linger
    /// Armed at dispatch for as long as the idle timeout: a worker may have returned the
    /// connection without posting (see `WorkerHandoff`), and no input may follow to show it.
    case workerReturn
}

/// The loop-side state of one client connection. Kept small, because ten thousand idle
/// connections must fit in little memory. The read buffer is the loop's shared scratch
/// space, and `buffer` contains bytes only while a request is incomplete or pipelined.
final class Connection {
    let socket: Int32
    let token: ConnectionToken
    let remoteAddress: String

    var phase = ConnectionPhase.reading
    var parser: RequestParser
    /// Unparsed input: an unfinished line or the next pipelined requests.
    var buffer: [UInt8] = []
    /// Whether an EPOLLIN edge arrived that was not yet read to EAGAIN.
    var readReady = false
    /// Whether the client shut down its sending side (EPOLLRDHUP). Its requests still get
    /// responses, and then the connection closes instead of waiting idle.
    var peerHalfClosed = false
    /// Whether a byte of the next request has arrived, which switches the idle timeout to
    /// the header timeout.
    var requestStarted = false
    /// Whether no request has been read yet. The first request's header timeout counts from
    /// the accept, so a client cannot wait almost the whole timeout before its first byte
    /// and then get the whole timeout again.
    var isFirstRequest = true
    var requestStartNanoseconds: UInt64 = 0
    /// The latest moment the current body may finish (`maxBodyReadDuration`).
    var bodyDeadlineCap: UInt64 = 0
    var outbound: OutboundMessage?
    /// Ownership of the socket between the loop and a worker in the processing phase.
    let handoff = WorkerHandoff()
    var isClosed = false
    var lingeredBytes = 0
    /// Whether the last response rejected the request, whose unread remainder may still arrive.
    var wasRejected = false

    // Timer state; see `EventLoop.processExpiredTimers`.
    var timeoutKind = TimeoutKind.header
    var deadline: UInt64 = 0
    var scheduledDeadline: UInt64 = 0

    init(socket: Int32, token: ConnectionToken, remoteAddress: String, limits: RequestParser.Limits) {
        self.socket = socket
        self.token = token
        self.remoteAddress = remoteAddress
        self.parser = RequestParser(limits: limits)
    }

    /// Between requests with nothing received: safe to close at shutdown.
    var isIdle: Bool {
        phase == .reading && !requestStarted && buffer.isEmpty
    }
}

/// The maximum input discarded while lingering before the connection is closed anyway.
private let maxLingerBytes = 1 << 20
/// How long a closing connection waits for the client to close its side.
private let lingerNanoseconds: UInt64 = 2_000_000_000
/// The same during a shutdown, which should not wait on clients that never close.
let drainingLingerNanoseconds: UInt64 = 500_000_000

extension EventLoop {
    // MARK: - Events

    func handleEvent(token: ConnectionToken, flags: UInt32) {
        guard let connection = lookUp(token) else { return }

        if flags & (csystem_epollin() | csystem_epollrdhup() | csystem_epollhup() | csystem_epollerr()) != 0 {
            connection.readReady = true
        }
        if flags & csystem_epollrdhup() != 0 {
            connection.peerHalfClosed = true
        }
        let failed = flags & (csystem_epollhup() | csystem_epollerr()) != 0
        if connection.phase == .writing && (flags & csystem_epollout() != 0 || failed) {
            continueWriting(connection)
        }
        guard !connection.isClosed, connection.readReady else { return }

        switch connection.phase {
        case .reading:
            readRequests(connection)
        case .lingering:
            drainLingering(connection)
        case .processing:
            // Input waits in the kernel until the response is out; this is what keeps
            // pipelined responses in order and a flood of requests bounded. The worker may
            // have returned the connection already, or must now post when it finishes,
            // because this edge was the last one until the loop reads.
            reclaimFromWorker(connection)
        case .writing:
            break
        }
    }

    // MARK: - Reading

    /// Reads until the socket is drained, the connection hands a request to a worker, or
    /// it closes.
    func readRequests(_ connection: Connection) {
        while connection.phase == .reading && !connection.isClosed {
            let count = recv(connection.socket, scratch.baseAddress, scratch.count, 0)
            if count > 0 {
                consume(connection, UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                if count < scratch.count && !connection.peerHalfClosed {
                    // A short read means the socket was empty at that moment; any later byte
                    // raises a new edge. After a half-close no edge follows, so reading goes
                    // on until recv reports the end of the stream.
                    connection.readReady = false
                    return
                }
                continue
            }
            if count == 0 {
                connection.readReady = false
                // The client closed its side. A request cut short by the end of the stream
                // can never complete, so the connection closes without a response.
                closeNow(connection)
                return
            }
            let code = errno
            if code == EINTR { continue }
            connection.readReady = false
            if code != EAGAIN && code != EWOULDBLOCK {
                closeNow(connection)
            }
            return
        }
    }

    private func consume(_ connection: Connection, _ input: UnsafeRawBufferPointer) {
        let now = MonotonicClock.nanoseconds()
        if !connection.requestStarted {
            connection.requestStarted = true
            connection.requestStartNanoseconds = now
            if !connection.isFirstRequest {
                arm(connection, .header, deadline: now &+ core.configuration.headerReadTimeout.nanoseconds)
            }
        }

        if connection.buffer.isEmpty {
            let consumed = parseAvailable(connection, input)
            if consumed < input.count && !connection.isClosed {
                connection.buffer = Array(UnsafeRawBufferPointer(rebasing: input[consumed...]))
            }
        } else {
            var pending = connection.buffer
            connection.buffer = []
            pending.append(contentsOf: input)
            let consumed = pending.withUnsafeBytes { parseAvailable(connection, $0) }
            if consumed < pending.count && !connection.isClosed {
                // Reusing the array when nothing was consumed keeps a client that sends one
                // byte at a time from costing a copy of the whole unfinished line per byte.
                connection.buffer = consumed == 0 ? pending : Array(pending[consumed...])
            }
        }

        if connection.phase == .reading && connection.parser.isReadingBody {
            // Progress restarts the body timeout, within the overall cap.
            let deadline = min(now &+ core.configuration.bodyReadTimeout.nanoseconds, connection.bodyDeadlineCap)
            arm(connection, .body, deadline: deadline)
        }
    }

    /// Parses as far as the input goes and returns how many bytes were used. Stops after one
    /// complete request; the rest stays for after its response.
    private func parseAvailable(_ connection: Connection, _ input: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while connection.phase == .reading && !connection.isClosed {
            do {
                let (consumed, event) = try connection.parser.parse(UnsafeRawBufferPointer(rebasing: input[offset...]))
                offset += consumed
                switch event {
                case .needMoreData:
                    return offset
                case .headComplete:
                    headCompleted(connection, bodyBytesReceived: offset < input.count)
                case .messageComplete:
                    dispatch(connection)
                    return offset
                }
            } catch {
                reject(connection, error)
                return input.count
            }
        }
        return offset
    }

    private func headCompleted(_ connection: Connection, bodyBytesReceived: Bool) {
        guard connection.parser.isReadingBody else { return }
        let now = MonotonicClock.nanoseconds()
        connection.bodyDeadlineCap = now &+ core.configuration.maxBodyReadDuration.nanoseconds
        arm(connection, .body, deadline: min(now &+ core.configuration.bodyReadTimeout.nanoseconds,
                                             connection.bodyDeadlineCap))

        // RFC 9110, section 10.1.1: the server may skip 100 Continue when body bytes already
        // arrived. It is sent only here, once the head passed every check, so a request
        // that will be rejected (413, 417) never invites its body.
        guard connection.parser.head.expectsContinue, !bodyBytesReceived else { return }
        let sent = ResponseEncoder.continueResponse.withUnsafeBytes {
            send(connection.socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        if sent != ResponseEncoder.continueResponse.count {
            // This happens only when the client has not read earlier responses and the send
            // buffer is full. Closing is safer than interleaving a partial interim response
            // with the final one.
            core.logger.debug("continue_not_sent", ["remote": connection.remoteAddress])
            closeNow(connection)
        }
    }

    /// Queues a complete request for the worker pool; `flushDispatches` hands it over.
    private func dispatch(_ connection: Connection) {
        let head = connection.parser.head
        let body = connection.parser.takeBody()
        connection.parser.reset()

        let request = Request(
            method: head.method, target: head.target, path: head.requestTarget.path,
            rawPath: head.requestTarget.rawPath, query: head.requestTarget.query, version: head.version,
            headers: head.headers, body: body, remoteAddress: connection.remoteAddress,
            requestID: requestIDs.next())

        connection.phase = .processing
        connection.requestStarted = false
        connection.isFirstRequest = false
        arm(connection, .workerReturn, deadline: MonotonicClock.nanoseconds() &+ core.configuration.idleTimeout.nanoseconds)

        let item = WorkItem(
            request: request, core: core, loop: self, token: connection.token, socket: connection.socket,
            handoff: connection.handoff, keepAlive: head.keepAlive,
            startNanoseconds: connection.requestStartNanoseconds)
        pendingDispatches.append(item)
    }

    /// Submits the requests parsed in this pass; those the full queue refused get 503.
    func flushDispatches() {
        guard !pendingDispatches.isEmpty else { return }
        for item in pendingDispatches {
            guard let connection = lookUp(item.token) else { continue }
            // Buffered or unread input raises no new edge, so the loop must hear when the
            // response is out to read it. A draining loop must hear too, to close.
            let noticeNeeded = !connection.buffer.isEmpty || connection.readReady || connection.peerHalfClosed || isDraining
            connection.handoff.startWork(noticeNeeded: noticeNeeded)
        }
        let refused = core.pool.submit(contentsOf: pendingDispatches)
        pendingDispatches.removeAll(keepingCapacity: true)
        for item in refused {
            guard let connection = lookUp(item.token), connection.phase == .processing else { continue }
            connection.handoff.resetToLoop()
            connection.phase = .reading
            respondQueueFull(connection, request: item.request, keepAlive: item.keepAlive)
        }
    }

    private func respondQueueFull(_ connection: Connection, request: Request, keepAlive: Bool) {
        let keepAlive = keepAlive && !isDraining
        let message = "The server is busy; retry in a second."
        let bytes = ResponseEncoder.encodeErrorResponse(
            status: .serviceUnavailable, message: message,
            extraHeaders: ["Retry-After": "1"], keepAlive: keepAlive, version: request.version,
            date: dateCache.current())
        let record = AccessRecord(
            requestID: request.requestID, method: request.method.rawValue, path: request.rawPath,
            remoteAddress: connection.remoteAddress, startNanoseconds: connection.requestStartNanoseconds,
            status: 503, bodyBytes: message.utf8.count + 1)
        if let suppressed = core.queueFullLog.admit() {
            core.logger.warning("worker_queue_full", [
                "request_id": request.requestID, "queue_limit": core.configuration.workerQueueLimit,
                "workers": core.configuration.workerCount, "suppressed": suppressed,
                "action": "responded 503; raise workerCount or workerQueueLimit if this persists",
            ])
        }
        startWriting(connection, OutboundMessage(buffers: [bytes], closeAfter: !keepAlive, record: record))
    }

    /// Sends the error response for a request the parser rejected, then closes.
    private func reject(_ connection: Connection, _ error: any Error) {
        let parseError = (error as? RequestParseError) ?? .badRequest("The request could not be parsed.")
        let head = connection.parser.head
        let body = Array((parseError.message + "\n").utf8)
        let bytes = ResponseEncoder.encodeErrorResponse(
            status: parseError.status, message: parseError.message, keepAlive: false,
            date: dateCache.current())
        let record = AccessRecord(
            requestID: requestIDs.next(), method: head.target.isEmpty ? "-" : head.method.rawValue,
            path: head.target.isEmpty ? "-" : head.requestTarget.rawPath,
            remoteAddress: connection.remoteAddress,
            startNanoseconds: connection.requestStartNanoseconds, status: parseError.status.code,
            bodyBytes: body.count)
        connection.buffer = []
        connection.parser.reset()
        connection.wasRejected = true
        startWriting(connection, OutboundMessage(buffers: [bytes], closeAfter: true, record: record))
    }

    // MARK: - Writing

    func startWriting(_ connection: Connection, _ outbound: OutboundMessage) {
        connection.phase = .writing
        connection.outbound = outbound
        arm(connection, .write, deadline: MonotonicClock.nanoseconds() &+ core.configuration.writeTimeout.nanoseconds)
        continueWriting(connection)
    }

    func continueWriting(_ connection: Connection) {
        guard connection.phase == .writing, var outbound = connection.outbound else { return }
        connection.outbound = nil

        switch outbound.write(to: connection.socket) {
        case .done:
            outbound.releaseFile()
            if let record = outbound.record { core.logAccess(record) }
            finishResponse(connection, keepAlive: !outbound.closeAfter)
        case .wouldBlock:
            connection.outbound = outbound
            // Each writable edge means the client read something, so the timeout restarts.
            arm(connection, .write, deadline: MonotonicClock.nanoseconds() &+ core.configuration.writeTimeout.nanoseconds)
        case .failed(let reason):
            outbound.releaseFile()
            if let record = outbound.record { core.logAccess(record, error: reason) }
            closeNow(connection)
        }
    }

    /// After a response: close, or go back to reading the next (maybe already buffered) request.
    ///
    /// - Parameter responseEnd: when the last byte was written, if earlier than now; the
    ///   idle timeout counts from it.
    func finishResponse(_ connection: Connection, keepAlive: Bool, responseEnd: UInt64? = nil) {
        connection.phase = .reading
        guard keepAlive && !isDraining else {
            startClosing(connection)
            return
        }

        let now = MonotonicClock.nanoseconds()
        connection.requestStarted = !connection.buffer.isEmpty
        if connection.requestStarted {
            connection.requestStartNanoseconds = now
            arm(connection, .header, deadline: now &+ core.configuration.headerReadTimeout.nanoseconds)
            let pending = connection.buffer
            connection.buffer = []
            let consumed = pending.withUnsafeBytes { parseAvailable(connection, $0) }
            if consumed < pending.count && !connection.isClosed {
                connection.buffer = Array(pending[consumed...])
            }
        } else {
            arm(connection, .idle, deadline: (responseEnd ?? now) &+ core.configuration.idleTimeout.nanoseconds)
        }

        if connection.phase == .reading && !connection.isClosed && connection.readReady {
            readRequests(connection)
        }
    }

    /// Takes a connection back when its worker returned it without posting and carries on
    /// as after a posted `responseFinished`. Otherwise requests a post from the worker.
    func reclaimFromWorker(_ connection: Connection) {
        guard connection.phase == .processing,
              let responseEnd = connection.handoff.takeBackOrRequestNotice() else { return }
        finishResponse(connection, keepAlive: true, responseEnd: min(responseEnd, MonotonicClock.nanoseconds()))
    }

    // MARK: - Closing

    /// Shuts down the write side, then closes at once or, when the client may still be
    /// sending, waits briefly for it to close; see `ConnectionPhase.lingering`.
    func startClosing(_ connection: Connection) {
        shutdown(connection.socket, Int32(SHUT_WR))
        // Input that may still arrive: unread bytes, or the rest of a rejected request's body.
        let mayReceiveMore = connection.readReady || !connection.buffer.isEmpty || connection.wasRejected
        guard mayReceiveMore else {
            closeNow(connection)
            return
        }
        connection.phase = .lingering
        connection.buffer = []
        connection.parser.reset()
        let linger = isDraining ? drainingLingerNanoseconds : lingerNanoseconds
        arm(connection, .linger, deadline: MonotonicClock.nanoseconds() &+ linger)
        if connection.readReady {
            drainLingering(connection)
        }
    }

    private func drainLingering(_ connection: Connection) {
        while !connection.isClosed {
            let count = recv(connection.socket, scratch.baseAddress, scratch.count, 0)
            if count > 0 {
                connection.lingeredBytes += count
                if connection.lingeredBytes > maxLingerBytes {
                    closeNow(connection)
                }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                connection.readReady = false
                return
            }
            closeNow(connection)
        }
    }

    func timeoutExpired(_ connection: Connection) {
        switch connection.timeoutKind {
        case .workerReturn:
            // A handler still running past this point is not timed out; its worker posts.
            guard connection.phase == .processing else { return }
            reclaimFromWorker(connection)
        case .idle, .write, .linger:
            closeNow(connection)
        case .header, .body:
            guard connection.phase == .reading else { return }
            guard connection.requestStarted else {
                // The client sent nothing, so it expects no response.
                closeNow(connection)
                return
            }
            let message = connection.timeoutKind == .header
                ? "The request head did not arrive within \(core.configuration.headerReadTimeout)."
                : "The request body did not arrive in time."
            reject(connection, RequestParseError(.requestTimeout, message))
        }
    }
}
