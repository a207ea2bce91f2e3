import CSystem
import Glibc

/// A region of an open file that is sent after the buffered bytes.
struct FileRegion: Sendable {
    let descriptor: Int32
    var offset: Int
    var remaining: Int
}

/// The outcome of writing as much as a non-blocking socket would take.
enum WriteProgress: Equatable {
    /// Everything was written.
    case done
    /// The send buffer is full; write again when the socket is writable.
    case wouldBlock
    /// The connection failed, or the file ended before the promised length.
    case failed(reason: String)
}

/// The part of a response still to be written: buffered bytes (status line, headers, body),
/// then optionally a file region. The worker that produced it writes as much as the socket
/// takes and hands the remainder to the connection's event loop.
struct OutboundMessage: Sendable {
    private var buffers: [[UInt8]]
    private var bufferIndex = 0
    private var bufferOffset = 0
    private(set) var file: FileRegion?
    /// Whether the connection closes once the message is written.
    var closeAfter: Bool
    /// The access-log fields, logged when the last byte is written.
    var record: AccessRecord?

    /// The largest piece sent with one `sendfile` call, so a fast client on a big file does
    /// not hold the thread in one call for long.
    private static let sendfilePiece = 1 << 20

    init(buffers: [[UInt8]], file: FileRegion? = nil, closeAfter: Bool, record: AccessRecord?) {
        self.buffers = buffers.filter { !$0.isEmpty }
        self.file = file
        self.closeAfter = closeAfter
        self.record = record
    }

    var isComplete: Bool {
        bufferIndex == buffers.count && (file?.remaining ?? 0) == 0
    }

    /// Writes until everything is sent or the socket would block. Retries on EINTR.
    mutating func write(to socket: Int32) -> WriteProgress {
        while bufferIndex < buffers.count {
            let written = sendBuffers(socket)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
                return .failed(reason: describeErrno(code))
            }
            advance(by: written)
        }

        while var region = file, region.remaining > 0 {
            var offset = off_t(region.offset)
            let sent = sendfile(socket, region.descriptor, &offset, min(region.remaining, Self.sendfilePiece))
            if sent < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
                return .failed(reason: describeErrno(code))
            }
            if sent == 0 {
                // The file shrank after its length was promised in Content-Length; the only
                // honest end is to close the connection mid-body.
                return .failed(reason: "the file ended \(region.remaining) bytes before the length sent in Content-Length")
            }
            region.offset += sent
            region.remaining -= sent
            file = region
        }
        return .done
    }

    /// Closes the file, if any. Called once, when the message is done or abandoned.
    mutating func releaseFile() {
        if let region = file {
            close(region.descriptor)
            file = nil
        }
    }

    /// Sends the next one or two buffers with one `sendmsg`, which takes `MSG_NOSIGNAL`
    /// (unlike `writev`) so a closed peer gives EPIPE and never SIGPIPE.
    private func sendBuffers(_ socket: Int32) -> Int {
        let first = buffers[bufferIndex]
        return first.withUnsafeBytes { firstBytes in
            var vectors = (
                iovec(iov_base: UnsafeMutableRawPointer(mutating: firstBytes.baseAddress! + bufferOffset),
                      iov_len: firstBytes.count - bufferOffset),
                iovec()
            )
            let sendOne = { (vectorPointer: UnsafeMutablePointer<iovec>, count: Int) -> Int in
                var header = msghdr()
                header.msg_iov = vectorPointer
                header.msg_iovlen = count
                return sendmsg(socket, &header, Int32(MSG_NOSIGNAL))
            }
            guard bufferIndex + 1 < buffers.count else {
                return withUnsafeMutablePointer(to: &vectors.0) { sendOne($0, 1) }
            }
            return buffers[bufferIndex + 1].withUnsafeBytes { secondBytes in
                vectors.1 = iovec(iov_base: UnsafeMutableRawPointer(mutating: secondBytes.baseAddress!),
                                  iov_len: secondBytes.count)
                return withUnsafeMutableBytes(of: &vectors) { raw in
                    sendOne(raw.baseAddress!.assumingMemoryBound(to: iovec.self), 2)
                }
            }
        }
    }

    private mutating func advance(by written: Int) {
        var remaining = written
        while remaining > 0 && bufferIndex < buffers.count {
            let available = buffers[bufferIndex].count - bufferOffset
            if remaining >= available {
                remaining -= available
                bufferIndex += 1
                bufferOffset = 0
            } else {
                bufferOffset += remaining
                remaining = 0
            }
        }
        if bufferIndex == buffers.count {
            // Free the sent bytes early; a large body need not live until the file is sent.
            buffers = []
            bufferIndex = 0
        }
    }
}

/// The fields of one access-log line, collected while the request is handled.
struct AccessRecord: Sendable {
    let requestID: String
    let method: String
    let path: String
    let remoteAddress: String
    let startNanoseconds: UInt64
    var status: Int
    var bodyBytes: Int
}
