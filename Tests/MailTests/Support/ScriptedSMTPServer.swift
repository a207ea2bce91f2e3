import Foundation
import Glibc
import Synchronization

/// A listening socket on 127.0.0.1 with an ephemeral port, closed when released.
final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw TestSetupError("socket failed: errno \(errno)")
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw TestSetupError("bind or listen on 127.0.0.1 failed: errno \(code)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// A port on 127.0.0.1 where nothing listens: bound once, then closed.
    static func closedPort() throws -> Int {
        let listener = try LoopbackListener()
        return listener.port
    }
}

/// A hand-written SMTP server for replies that aiosmtpd never sends: a malformed line,
/// data injected after the STARTTLS reply, a 502 to EHLO. It accepts one connection on a
/// background thread and sends `greeting`. It then replies to each command line with what
/// `respond` returns, and closes the connection when that is nil. After a 354 reply it
/// reads the content up to the end-of-data line and replies with `dataReply`.
///
/// `@unchecked Sendable`: the thread reads only constants; `commands` is behind a Mutex.
final class ScriptedSMTPServer: @unchecked Sendable {
    private let listener: LoopbackListener
    private let greeting: String
    private let respond: @Sendable (String) -> String?
    private let dataReply: String
    private let log = Mutex<[String]>([])
    private let finished = DispatchSemaphore(value: 0)

    var port: Int { listener.port }

    /// The command lines received, in order, without CRLF.
    var commands: [String] { log.withLock { $0 } }

    init(greeting: String = "220 scripted.test ESMTP\r\n", dataReply: String = "250 accepted\r\n", respond: @escaping @Sendable (String) -> String?) throws {
        listener = try LoopbackListener()
        self.greeting = greeting
        self.dataReply = dataReply
        self.respond = respond
        let thread = Thread { [self] in
            self.serveOneConnection()
            self.finished.signal()
        }
        thread.start()
    }

    /// Waits until the connection has ended, at most 5 s.
    func waitUntilFinished() {
        _ = finished.wait(timeout: .now() + 5)
    }

    private func serveOneConnection() {
        // A test that fails before connecting must not leave the thread blocked in accept.
        var entry = pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 5000) > 0 else {
            return
        }
        let connection = accept(listener.descriptor, nil, nil)
        guard connection >= 0 else {
            return
        }
        defer { Glibc.close(connection) }
        // Bounds every read, so a client that stops talking cannot hold the thread.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var buffer: [UInt8] = []
        guard write(greeting, to: connection) else {
            return
        }
        while let line = readLine(from: connection, buffer: &buffer) {
            log.withLock { $0.append(line) }
            guard let reply = respond(line), write(reply, to: connection) else {
                return
            }
            if reply.hasPrefix("354") {
                guard readContent(from: connection, buffer: &buffer), write(dataReply, to: connection) else {
                    return
                }
            }
        }
    }

    private func readLine(from connection: Int32, buffer: inout [UInt8]) -> String? {
        while true {
            if let index = buffer.firstIndex(of: 10) {
                let line = buffer[..<index].filter { $0 != 13 }
                buffer.removeFirst(index + 1)
                return String(decoding: line, as: UTF8.self)
            }
            guard fill(from: connection, buffer: &buffer) else {
                return nil
            }
        }
    }

    private func readContent(from connection: Int32, buffer: inout [UInt8]) -> Bool {
        let terminator: [UInt8] = Array("\r\n.\r\n".utf8)
        while true {
            if let range = buffer.firstRange(of: terminator) {
                buffer.removeFirst(range.upperBound)
                return true
            }
            guard fill(from: connection, buffer: &buffer) else {
                return false
            }
        }
    }

    private func fill(from connection: Int32, buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = recv(connection, &chunk, chunk.count, 0)
        guard count > 0 else {
            return false
        }
        buffer += chunk[..<count]
        return true
    }

    private func write(_ text: String, to connection: Int32) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else {
                return false
            }
            offset += sent
        }
        return true
    }
}
