import CSystem
import Glibc

/// An error from writing a streamed response body.
public enum BodyWriteError: Error, Sendable, CustomStringConvertible {
    /// The client closed the connection or it failed; stop producing the body.
    case connectionClosed(reason: String)
    /// The client read nothing for the server's write timeout.
    case timedOut(after: Duration)

    public var description: String {
        switch self {
        case .connectionClosed(let reason):
            "the client connection closed while the response body was being written: \(reason)"
        case .timedOut(let after):
            "the client read nothing for \(after) while the response body was being written"
        }
    }
}

/// Writes a streamed body straight to the socket from the worker thread that produces it.
///
/// Small pieces are gathered into one chunk of up to `flushThreshold` bytes before a
/// `sendmsg`, so a producer that writes a few bytes at a time does not cost a system call
/// each. When the socket's send buffer is full, `write` waits in `poll(2)` for the client to
/// read, up to the write timeout, so memory stays bounded however large the body is.
final class StreamBodyWriter: BodyWriter {
    private let socket: Int32
    private let chunked: Bool
    private let writeTimeout: Duration
    private var pending: [UInt8]
    private(set) var bodyBytes = 0
    /// Whether any byte, head included, may have reached the socket.
    private(set) var sentAnything = false
    private var failure: BodyWriteError?

    private static let flushThreshold = 16 * 1024

    /// - Parameter head: the status line and headers, sent with the first piece of body.
    init(socket: Int32, head: [UInt8], chunked: Bool, writeTimeout: Duration) {
        self.socket = socket
        self.chunked = chunked
        self.writeTimeout = writeTimeout
        self.pending = head
        pending.reserveCapacity(head.count + Self.flushThreshold + 32)
    }

    func write(_ bytes: [UInt8]) throws {
        if let failure { throw failure }
        // An empty chunk would end a chunked body (RFC 9112, section 7.1), so it is skipped.
        guard !bytes.isEmpty else { return }

        bodyBytes += bytes.count
        if pending.count + bytes.count > Self.flushThreshold {
            try flush()
        }
        if bytes.count >= Self.flushThreshold {
            // A large piece goes out as its own chunk without being copied into `pending`.
            try send(framed(bytes.count), bytes, chunked ? Self.crlf : [])
            return
        }
        if chunked {
            pending.append(contentsOf: ResponseEncoder.chunkSizeLine(bytes.count))
            pending.append(contentsOf: bytes)
            pending.append(contentsOf: Self.crlf)
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    /// Sends what is buffered plus, for a chunked body, the last chunk with an empty trailer
    /// section (RFC 9112, section 7.1).
    func finish() throws {
        if let failure { throw failure }
        if chunked {
            pending.append(contentsOf: "0\r\n\r\n".utf8)
        }
        try flush()
    }

    /// Sends what is buffered, including the head when nothing was sent yet.
    func flush() throws {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        try send(bytes, [], [])
    }

    private static let crlf: [UInt8] = [0x0D, 0x0A]

    private func framed(_ count: Int) -> [UInt8] {
        chunked ? ResponseEncoder.chunkSizeLine(count) : []
    }

    private func send(_ first: [UInt8], _ second: [UInt8], _ third: [UInt8]) throws {
        if !pending.isEmpty {
            let buffered = pending
            pending.removeAll(keepingCapacity: true)
            try send(buffered, [], [])
        }
        sentAnything = true
        var message = OutboundMessage(buffers: [first, second, third], closeAfter: false, record: nil)
        let deadline = MonotonicClock.nanoseconds() &+ writeTimeout.nanoseconds
        while true {
            switch message.write(to: socket) {
            case .done:
                return
            case .failed(let reason):
                failure = .connectionClosed(reason: reason)
                throw failure!
            case .wouldBlock:
                try waitUntilWritable(deadline: deadline)
            }
        }
    }

    private func waitUntilWritable(deadline: UInt64) throws {
        while true {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else {
                failure = .timedOut(after: writeTimeout)
                throw failure!
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 {
                failure = .connectionClosed(reason: describeErrno(errno))
                throw failure!
            }
            if ready == 0 { continue }
            // POLLERR or POLLHUP: the next write reports the exact error.
            return
        }
    }
}
