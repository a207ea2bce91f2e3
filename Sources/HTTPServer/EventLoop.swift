import CSystem
import Glibc
import Synchronization

/// Identifies a connection within its loop: generation in the high 32 bits, slot index in the
/// low 32 bits. The generation changes each time a slot is reused, so a stale token (a late
/// epoll event, an old timer, a worker's message) never reaches the connection that took
/// the slot afterwards.
typealias ConnectionToken = UInt64

/// A request from another thread to an event loop.
enum LoopMessage: Sendable {
    /// Take over a connection another loop accepted.
    case adopt(socket: Int32, remoteAddress: String)
    /// A worker wrote the whole response; the loop owns the socket again.
    case responseFinished(ConnectionToken, keepAlive: Bool)
    /// A worker filled the send buffer; the loop writes the rest.
    case responsePending(ConnectionToken, OutboundMessage)
    /// Writing the response failed; the loop closes the connection.
    case responseFailed(ConnectionToken)
    /// Stop accepting, close idle connections, let the others finish.
    case beginShutdown
    /// Close everything now and exit.
    case forceClose
}

/// One epoll event loop on its own thread.
///
/// The loop owns a share of the server's connections: it reads and parses requests, hands
/// complete ones to the worker pool, writes what workers could not, and enforces timeouts.
/// It sleeps in `epoll_wait` with a timeout equal to the nearest deadline, and other threads
/// wake it through an eventfd, never a polling timer.
final class EventLoop: @unchecked Sendable {
    // @unchecked Sendable: every `var` below is touched only on the loop's own thread. Other
    // threads reach the loop through `post`, which goes through the `inbox` Mutex, and read
    // only immutable properties.

    let index: Int
    unowned let core: ServerCore
    private let epollDescriptor: Int32
    private let wakeDescriptor: Int32

    private let inbox = LoopInbox()

    // epoll_event.data values for the two descriptors that are not connections. Connection
    // tokens never reach them because generations stay below UInt32.max.
    private static let wakeToken: UInt64 = .max
    private static let listenToken: UInt64 = .max - 1
    private static let maxEvents: Int32 = 256

    var connections: [Connection?] = []
    private var freeSlots: [Int] = []
    private var nextGeneration: UInt32 = 1
    var liveConnections = 0
    var timers = DeadlineHeap()
    let scratch: UnsafeMutableRawBufferPointer
    private let events: UnsafeMutablePointer<epoll_event>
    var dateCache = DateCache()
    /// Requests parsed during this pass of the loop, handed to the pool together at its end
    /// so that one lock acquisition and a few wake-ups serve many requests.
    var pendingDispatches: [WorkItem] = []
    var requestIDs = RequestIDGenerator()

    var isDraining = false
    private var isWatchingListener = false
    private var hasReleasedListener = false
    private var acceptResumeNanoseconds: UInt64 = 0
    private var shouldExit = false

    /// The size of the read buffer shared by all of the loop's connections.
    static let scratchSize = 64 * 1024

    init(index: Int, core: ServerCore) throws(ServerError) {
        self.index = index
        self.core = core

        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else {
            throw .systemCallFailed(call: "epoll_create1", errno: errno, detail: "event loop \(index)")
        }
        let wake = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wake >= 0 else {
            let code = errno
            close(epoll)
            throw .systemCallFailed(call: "eventfd", errno: code, detail: "event loop \(index)")
        }
        epollDescriptor = epoll
        wakeDescriptor = wake
        scratch = .allocate(byteCount: Self.scratchSize, alignment: 16)
        events = .allocate(capacity: Int(Self.maxEvents))

        guard register(wake, events: csystem_epollin(), data: Self.wakeToken) else {
            throw .systemCallFailed(call: "epoll_ctl", errno: errno, detail: "the wake eventfd of loop \(index)")
        }
        // EPOLLEXCLUSIVE: a new connection wakes one waiting loop, not all of them.
        guard register(core.listenSocket, events: csystem_epollin() | csystem_epollexclusive(), data: Self.listenToken) else {
            throw .systemCallFailed(call: "epoll_ctl", errno: errno, detail: "the listening socket in loop \(index)")
        }
        isWatchingListener = true
    }

    deinit {
        // Closed only here: a worker may still write to the eventfd until the last reference
        // to the loop is gone, and a reused descriptor number must never receive that write.
        close(wakeDescriptor)
        close(epollDescriptor)
        scratch.deallocate()
        events.deallocate()
    }

    /// Queues a message and wakes the loop. Returns false when the loop has exited, in which
    /// case the caller keeps ownership of anything the message carries.
    func post(_ message: LoopMessage) -> Bool {
        switch inbox.push(message) {
        case .closed:
            return false
        case .queued(let needsWake):
            if needsWake {
                var one: UInt64 = 1
                _ = write(wakeDescriptor, &one, 8)
            }
            return true
        }
    }

    // MARK: - Running

    /// Runs until a shutdown completes. Called on the loop's own thread.
    func run() {
        while !shouldExit {
            let timeout = nextTimeoutMilliseconds()
            let count = epoll_wait(epollDescriptor, events, Self.maxEvents, timeout)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                core.logger.error("event_loop_failed", ["loop": index, "error": describeErrno(code)])
                break
            }

            for position in 0..<Int(count) {
                let event = events[position]
                switch event.data.u64 {
                case Self.wakeToken:
                    processInbox()
                case Self.listenToken:
                    acceptConnections()
                default:
                    handleEvent(token: event.data.u64, flags: event.events)
                }
            }

            processExpiredTimers()
            flushDispatches()
            if acceptResumeNanoseconds != 0 && MonotonicClock.nanoseconds() >= acceptResumeNanoseconds {
                acceptResumeNanoseconds = 0
                resumeAccepting()
            }
            if isDraining && liveConnections == 0 {
                shouldExit = true
            }
        }
        finishExit()
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        var next = timers.first?.deadline ?? 0
        if acceptResumeNanoseconds != 0 && (next == 0 || acceptResumeNanoseconds < next) {
            next = acceptResumeNanoseconds
        }
        guard next != 0 else { return -1 }
        let now = MonotonicClock.nanoseconds()
        guard next > now else { return 0 }
        // Rounded up, so the loop never wakes just before a deadline and spins.
        return Int32(clamping: (next - now + 999_999) / 1_000_000)
    }

    private func processInbox() {
        var value: UInt64 = 0
        // Read before taking the messages: a post that lands after the read writes the
        // eventfd again, so its message is never left waiting for a wake-up.
        _ = read(wakeDescriptor, &value, 8)
        for message in inbox.takeAll() {
            handle(message)
        }
    }

    private func handle(_ message: LoopMessage) {
        switch message {
        case .adopt(let socket, let remoteAddress):
            adopt(socket: socket, remoteAddress: remoteAddress)
        case .responseFinished(let token, let keepAlive):
            guard let connection = lookUpProcessing(token) else { return }
            connection.handoff.resetToLoop()
            finishResponse(connection, keepAlive: keepAlive)
        case .responsePending(let token, var outbound):
            guard let connection = lookUpProcessing(token) else {
                outbound.releaseFile()
                return
            }
            connection.handoff.resetToLoop()
            startWriting(connection, outbound)
        case .responseFailed(let token):
            guard let connection = lookUpProcessing(token) else { return }
            connection.handoff.resetToLoop()
            connection.phase = .reading
            closeNow(connection)
        case .beginShutdown:
            beginDraining()
        case .forceClose:
            forceCloseAll()
        }
    }

    private func lookUpProcessing(_ token: ConnectionToken) -> Connection? {
        guard let connection = lookUp(token), connection.phase == .processing else {
            core.logger.error("event_loop_inconsistent", [
                "loop": index, "token": token, "problem": "a response arrived for a connection that is not waiting for one",
            ])
            return nil
        }
        return connection
    }

    func lookUp(_ token: ConnectionToken) -> Connection? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < connections.count, let connection = connections[slot], connection.token == token else {
            return nil
        }
        return connection
    }

    @discardableResult
    private func register(_ descriptor: Int32, events flags: UInt32, data: UInt64) -> Bool {
        var event = epoll_event()
        event.events = flags
        event.data.u64 = data
        return epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, descriptor, &event) == 0
    }

    // MARK: - Accepting

    private func acceptConnections() {
        guard isWatchingListener else { return }
        // A bounded batch, so a flood of connections cannot starve the loop's other work.
        for _ in 0..<128 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let socket = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(core.listenSocket, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if socket < 0 {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                default:
                    handleAcceptFailure(code)
                    return
                }
            }

            let open = core.connectionCount.wrappingAdd(1, ordering: .relaxed).newValue
            guard open <= core.configuration.maxConnections else {
                core.connectionCount.subtract(1, ordering: .relaxed)
                rejectOverCapacity(socket, remoteAddress: Socket.describeAddress(storage))
                continue
            }
            Socket.disableNagle(socket)
            let remoteAddress = Socket.describeAddress(storage)

            let target = core.nextLoop()
            if target === self {
                adopt(socket: socket, remoteAddress: remoteAddress)
            } else if !target.post(.adopt(socket: socket, remoteAddress: remoteAddress)) {
                close(socket)
                core.connectionCount.subtract(1, ordering: .relaxed)
            }
        }
    }

    /// Out of descriptors or memory: the listening socket stays readable, so the loop stops
    /// watching it for 100 ms instead of spinning, and logs at most once a second.
    private func handleAcceptFailure(_ code: Int32) {
        if let suppressed = core.acceptFailureLog.admit() {
            core.logger.error("accept_failed", [
                "loop": index, "error": describeErrno(code), "suppressed": suppressed,
                "action": "pausing accept for 100 ms; raise the open-file limit or lower maxConnections",
            ])
        }
        guard code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM else { return }
        if isWatchingListener {
            epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, core.listenSocket, nil)
            isWatchingListener = false
            acceptResumeNanoseconds = MonotonicClock.nanoseconds() &+ 100_000_000
        }
    }

    private func resumeAccepting() {
        guard !isDraining, !isWatchingListener else { return }
        // EPOLLEXCLUSIVE cannot be combined with EPOLL_CTL_MOD, so the socket is added anew.
        if register(core.listenSocket, events: csystem_epollin() | csystem_epollexclusive(), data: Self.listenToken) {
            isWatchingListener = true
        }
    }

    private func stopWatchingListener() {
        guard !hasReleasedListener else { return }
        hasReleasedListener = true
        if isWatchingListener {
            epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, core.listenSocket, nil)
            isWatchingListener = false
        }
        acceptResumeNanoseconds = 0
        core.loopStoppedWatchingListener()
    }

    /// Past `maxConnections`: a short 503, then close. Whatever the client already sent is
    /// read first, because closing with unread input makes the kernel send a reset that can
    /// destroy the 503 before the client reads it.
    private func rejectOverCapacity(_ socket: Int32, remoteAddress: String) {
        let response = ResponseEncoder.encodeErrorResponse(
            status: .serviceUnavailable,
            message: "The server is at its connection limit; try again shortly.",
            extraHeaders: ["Retry-After": "1"], keepAlive: false, date: dateCache.current())
        _ = recv(socket, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
        _ = response.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        close(socket)

        if let suppressed = core.rejectedConnectionLog.admit() {
            core.logger.warning("connection_rejected", [
                "reason": "max_connections", "max_connections": core.configuration.maxConnections,
                "remote": remoteAddress, "suppressed": suppressed,
            ])
        }
    }

    // MARK: - Connections

    func adopt(socket: Int32, remoteAddress: String) {
        guard !isDraining else {
            close(socket)
            core.connectionCount.subtract(1, ordering: .relaxed)
            return
        }

        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = connections.count
            connections.append(nil)
        }
        let generation = nextGeneration
        nextGeneration = nextGeneration == UInt32.max - 1 ? 1 : nextGeneration + 1
        let token = ConnectionToken(generation) << 32 | ConnectionToken(slot)

        let connection = Connection(
            socket: socket, token: token, remoteAddress: remoteAddress, limits: core.parserLimits)
        // Edge-triggered: each readiness change is reported once, so an idle connection
        // costs no wake-ups and the loop needs no epoll_ctl call per request.
        let flags = csystem_epollin() | csystem_epollout() | csystem_epollrdhup() | csystem_epollet()
        guard register(socket, events: flags, data: token) else {
            core.logger.error("connection_register_failed", ["loop": index, "error": describeErrno(errno)])
            close(socket)
            freeSlots.append(slot)
            core.connectionCount.subtract(1, ordering: .relaxed)
            return
        }
        connections[slot] = connection
        liveConnections += 1
        arm(connection, .header, deadline: MonotonicClock.nanoseconds() &+ core.configuration.headerReadTimeout.nanoseconds)
    }

    /// Closes the socket and frees the slot. Never called while a worker owns the socket.
    func closeNow(_ connection: Connection) {
        guard !connection.isClosed else { return }
        precondition(connection.phase != .processing, "a connection was closed while a worker owns its socket")
        connection.isClosed = true
        connection.outbound?.releaseFile()
        connection.outbound = nil
        connection.buffer = []
        close(connection.socket)

        let slot = Int(connection.token & 0xFFFF_FFFF)
        connections[slot] = nil
        freeSlots.append(slot)
        liveConnections -= 1
        core.connectionCount.subtract(1, ordering: .relaxed)
    }

    // MARK: - Timers

    func arm(_ connection: Connection, _ kind: TimeoutKind, deadline: UInt64) {
        connection.timeoutKind = kind
        connection.deadline = deadline
        if connection.scheduledDeadline == 0 || deadline < connection.scheduledDeadline {
            timers.push(DeadlineHeap.Entry(deadline: deadline, token: connection.token))
            connection.scheduledDeadline = deadline
        }
    }

    func disarm(_ connection: Connection) {
        connection.deadline = 0
    }

    /// Fires every deadline that has passed. An entry whose deadline differs from the one
    /// its connection scheduled is left over from an overtaken deadline, so it is dropped.
    /// An entry whose connection moved its deadline later is pushed again.
    private func processExpiredTimers() {
        guard let first = timers.first else { return }
        let now = MonotonicClock.nanoseconds()
        guard first.deadline <= now else { return }

        while let entry = timers.first, entry.deadline <= now {
            _ = timers.popFirst()
            guard let connection = lookUp(entry.token), connection.scheduledDeadline == entry.deadline else {
                continue
            }
            connection.scheduledDeadline = 0
            guard connection.deadline != 0 else { continue }
            if connection.deadline > now {
                timers.push(DeadlineHeap.Entry(deadline: connection.deadline, token: connection.token))
                connection.scheduledDeadline = connection.deadline
                continue
            }
            connection.deadline = 0
            timeoutExpired(connection)
        }
    }

    // MARK: - Shutdown

    private func beginDraining() {
        guard !isDraining else { return }
        isDraining = true
        stopWatchingListener()
        let lingerDeadline = MonotonicClock.nanoseconds() &+ drainingLingerNanoseconds
        for case let connection? in connections {
            if connection.isIdle {
                closeNow(connection)
            } else if connection.phase == .processing {
                // Closes the connection if its worker already returned it, or makes the
                // worker post so that the loop closes it after the response.
                reclaimFromWorker(connection)
            } else if connection.phase == .lingering {
                arm(connection, .linger, deadline: min(connection.deadline, lingerDeadline))
            }
        }
    }

    /// Closes every connection at the shutdown deadline. A connection whose socket a worker
    /// owns is only shut down in both directions, which makes the worker's next write fail.
    /// The worker or the exit path below then closes the descriptor.
    private func forceCloseAll() {
        if !isDraining {
            isDraining = true
            stopWatchingListener()
        }
        for case let connection? in connections {
            if connection.phase == .processing && connection.handoff.takeBackOrRequestNotice() == nil {
                shutdown(connection.socket, Int32(SHUT_RDWR))
            } else {
                connection.phase = .reading
                closeNow(connection)
            }
        }
        shouldExit = true
    }

    /// Rejects further messages, then settles the ones that arrived. Sockets handed back by
    /// workers are closed here. Sockets still owned by workers are closed by those workers
    /// when their post fails.
    private func finishExit() {
        if !isDraining {
            isDraining = true
            stopWatchingListener()
        }
        flushDispatches()
        for message in inbox.close() {
            switch message {
            case .adopt(let socket, _):
                close(socket)
                core.connectionCount.subtract(1, ordering: .relaxed)
            case .responseFinished(let token, _), .responseFailed(let token):
                closeHandedBack(token)
            case .responsePending(let token, var outbound):
                outbound.releaseFile()
                closeHandedBack(token)
            case .beginShutdown, .forceClose:
                break
            }
        }
        for case let connection? in connections {
            // A connection whose worker returned it without posting is the loop's to close.
            // The others are closed by their workers when their post fails.
            if connection.phase == .processing && connection.handoff.takeBackOrRequestNotice() == nil {
                continue
            }
            connection.phase = .reading
            closeNow(connection)
        }
        core.loopDidExit()
    }

    private func closeHandedBack(_ token: ConnectionToken) {
        guard let connection = lookUp(token) else { return }
        connection.phase = .reading
        closeNow(connection)
    }
}
