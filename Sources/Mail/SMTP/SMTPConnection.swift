#if canImport(Glibc)
import Glibc
#endif

/// One connection to an SMTP server: buffered line reads, writes, replies and the switch
/// to TLS. Every wait is bounded by the configured timeouts.
///
/// Not thread-safe: one `send` uses it on one thread and closes it before returning.
final class SMTPConnection {
    /// RFC 5321, section 4.5.3.1.5, limits a reply line to 512 octets. Lines up to this
    /// size are accepted anyway, because some servers send longer EHLO lines.
    static let maximumLineLength = 8192
    /// More lines than this in one reply means the server is not speaking SMTP.
    static let maximumReplyLines = 200

    let server: String
    private let descriptor: Int32
    private let readTimeout: Duration
    private var tls: TLSSession?
    private var buffer: [UInt8] = []
    private var isClosed = false

    init(host: String, port: Int, connectTimeout: Duration, readTimeout: Duration, server: String) throws(MailTransportError) {
        self.server = server
        self.readTimeout = readTimeout
        descriptor = try TCPConnector.connect(host: host, port: port, timeout: connectTimeout, server: server)
    }

    deinit {
        close()
    }

    var isTLSActive: Bool { tls != nil }

    /// Whether bytes have arrived that no reply has consumed yet.
    var hasUnreadInput: Bool { !buffer.isEmpty }

    // MARK: - TLS

    /// Runs the TLS handshake on the open connection, for STARTTLS or implicit TLS.
    func startTLS(context: TLSClientContext, host: String, timeout: Duration) throws(MailTransportError) {
        let session: TLSSession
        do {
            session = try TLSSession(context: context, descriptor: descriptor, host: host)
        } catch {
            throw .tlsFailed(server: server, reason: error.reason)
        }

        let deadline = ContinuousClock.now + timeout
        while true {
            switch session.handshake() {
            case .done:
                tls = session
                return
            case .wantRead:
                try wait(for: Int16(POLLIN), until: deadline, waitingFor: "waiting for the TLS handshake", timeout: timeout)
            case .wantWrite:
                try wait(for: Int16(POLLOUT), until: deadline, waitingFor: "waiting for the TLS handshake", timeout: timeout)
            case .closed:
                throw .tlsFailed(server: server, reason: "the server closed the connection during the TLS handshake")
            case let .failed(reason):
                throw .tlsFailed(server: server, reason: reason)
            }
        }
    }

    // MARK: - Replies

    /// Reads one complete reply. `command` is the command the reply belongs to, named in
    /// errors.
    func readReply(to command: SMTPCommand) throws(MailTransportError) -> SMTPReply {
        let deadline = ContinuousClock.now + readTimeout
        let waitingFor = "waiting for the reply to \(command)"
        var parser = SMTPReplyParser()
        for _ in 0..<Self.maximumReplyLines {
            let line = try readLine(until: deadline, waitingFor: waitingFor, command: command)
            switch parser.add(line) {
            case .needMoreLines:
                continue
            case let .complete(reply):
                return reply
            case .malformed:
                throw .malformedReply(server: server, command: command, line: String(decoding: line.prefix(200), as: UTF8.self))
            }
        }
        throw .malformedReply(server: server, command: command, line: "(more than \(Self.maximumReplyLines) lines in one reply)")
    }

    /// Reads up to the next LF and returns the line without its CRLF (a bare LF is
    /// accepted too).
    private func readLine(until deadline: ContinuousClock.Instant, waitingFor: String, command: SMTPCommand) throws(MailTransportError) -> [UInt8] {
        var searchStart = 0
        while true {
            if let newline = buffer[searchStart...].firstIndex(of: 10) {
                var line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                if line.last == 13 {
                    line.removeLast()
                }
                return line
            }
            guard buffer.count <= Self.maximumLineLength else {
                throw .malformedReply(server: server, command: command, line: String(decoding: buffer.prefix(200), as: UTF8.self) + "… (a line longer than \(Self.maximumLineLength) bytes)")
            }
            searchStart = buffer.count
            try receive(until: deadline, waitingFor: waitingFor)
        }
    }

    /// Appends at least one byte from the connection to `buffer`.
    private func receive(until deadline: ContinuousClock.Instant, waitingFor: String) throws(MailTransportError) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let step: TLSSession.Step
            if let tls {
                step = chunk.withUnsafeMutableBytes { tls.read(into: $0) }
            } else {
                step = chunk.withUnsafeMutableBytes { plainRead(into: $0) }
            }
            switch step {
            case let .done(count):
                buffer += chunk[..<count]
                return
            case .wantRead:
                try wait(for: Int16(POLLIN), until: deadline, waitingFor: waitingFor, timeout: readTimeout)
            case .wantWrite:
                try wait(for: Int16(POLLOUT), until: deadline, waitingFor: waitingFor, timeout: readTimeout)
            case .closed:
                throw .connectionClosed(server: server, waitingFor: waitingFor)
            case let .failed(reason):
                throw tls == nil
                    ? .connectionFailed(server: server, reason: "reading failed while \(waitingFor): \(reason)")
                    : .tlsFailed(server: server, reason: "reading failed while \(waitingFor): \(reason)")
            }
        }
    }

    // MARK: - Writing

    /// Writes a command line; `line` is without its CRLF.
    func send(command line: String, for command: SMTPCommand) throws(MailTransportError) {
        try write(Array((line + "\r\n").utf8), waitingFor: "sending \(command)")
    }

    /// Writes all of `bytes`. `readTimeout` bounds each wait for the socket to accept more.
    func write(_ bytes: [UInt8], waitingFor: String) throws(MailTransportError) {
        var offset = 0
        var deadline = ContinuousClock.now + readTimeout
        while offset < bytes.count {
            let step: TLSSession.Step = bytes.withUnsafeBytes { all in
                let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                if let tls {
                    return tls.write(rest)
                }
                return plainWrite(rest)
            }
            switch step {
            case let .done(count):
                offset += count
                deadline = ContinuousClock.now + readTimeout
            case .wantRead:
                try wait(for: Int16(POLLIN), until: deadline, waitingFor: waitingFor, timeout: readTimeout)
            case .wantWrite:
                try wait(for: Int16(POLLOUT), until: deadline, waitingFor: waitingFor, timeout: readTimeout)
            case .closed:
                throw .connectionClosed(server: server, waitingFor: waitingFor)
            case let .failed(reason):
                throw tls == nil
                    ? .connectionFailed(server: server, reason: "writing failed while \(waitingFor): \(reason)")
                    : .tlsFailed(server: server, reason: "writing failed while \(waitingFor): \(reason)")
            }
        }
    }

    // MARK: - Plain socket

    private func plainRead(into buffer: UnsafeMutableRawBufferPointer) -> TLSSession.Step {
        let result = recv(descriptor, buffer.baseAddress, buffer.count, 0)
        if result > 0 {
            return .done(result)
        }
        if result == 0 {
            return .closed
        }
        return plainFailure(errno, wouldBlock: .wantRead)
    }

    private func plainWrite(_ bytes: UnsafeRawBufferPointer) -> TLSSession.Step {
        let result = Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if result >= 0 {
            return .done(result)
        }
        return plainFailure(errno, wouldBlock: .wantWrite)
    }

    private func plainFailure(_ code: Int32, wouldBlock: TLSSession.Step) -> TLSSession.Step {
        switch code {
        case EAGAIN, EWOULDBLOCK, EINTR:
            return wouldBlock
        case ECONNRESET, EPIPE:
            return .closed
        default:
            return .failed(String(cString: strerror(code)))
        }
    }

    private func wait(for events: Int16, until deadline: ContinuousClock.Instant, waitingFor: String, timeout: Duration) throws(MailTransportError) {
        switch SocketWait.wait(descriptor, for: events, until: deadline) {
        case .ready:
            return
        case .timedOut:
            throw .timedOut(server: server, waitingFor: waitingFor, seconds: timeout.seconds)
        case let .failed(code):
            throw .connectionFailed(server: server, reason: "poll failed while \(waitingFor): \(String(cString: strerror(code)))")
        }
    }

    // MARK: - Closing

    /// Sends TLS close_notify when TLS is active, then closes the socket. Safe to call twice.
    func close() {
        guard !isClosed else {
            return
        }
        isClosed = true
        tls?.shutdown()
        tls = nil
        Glibc.close(descriptor)
    }
}

extension Duration {
    /// The duration in seconds, for messages.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
