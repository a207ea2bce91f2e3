import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens a non-blocking TCP connection with a time limit.
enum TCPConnector {
    /// Resolves `host` and tries each of its addresses in the order getaddrinfo(3) returns
    /// them until one connects. `timeout` covers all attempts together. Returns a
    /// non-blocking socket.
    ///
    /// NOTE: getaddrinfo itself has no time limit; a slow DNS server can hold the caller
    /// for the resolver's own timeouts (resolv.conf(5)) before `timeout` applies.
    static func connect(host: String, port: Int, timeout: Duration, server: String) throws(MailTransportError) -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        // A bracketed IPv6 literal, as in URLs, is accepted.
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
            throw .connectionFailed(server: server, reason: "could not resolve the host name (\(reason))")
        }
        defer { freeaddrinfo(first) }

        var failures: [String] = []
        var timedOut = false
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let address = describe(current.pointee.ai_addr)
            switch attempt(current.pointee, deadline: deadline) {
            case let .connected(descriptor):
                return descriptor
            case let .failed(reason):
                failures.append("\(address): \(reason)")
            case .timedOut:
                timedOut = true
                failures.append("\(address): timed out")
            }
            if ContinuousClock.now >= deadline {
                break
            }
        }
        if timedOut {
            throw .timedOut(server: server, waitingFor: "connecting (\(failures.joined(separator: "; ")))", seconds: timeout.seconds)
        }
        throw .connectionFailed(server: server, reason: failures.joined(separator: "; "))
    }

    private enum Attempt {
        case connected(Int32)
        case failed(String)
        case timedOut
    }

    private static func attempt(_ info: addrinfo, deadline: ContinuousClock.Instant) -> Attempt {
        let descriptor = socket(info.ai_family, info.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard descriptor >= 0 else {
            return .failed("socket() failed: \(String(cString: strerror(errno)))")
        }

        if Glibc.connect(descriptor, info.ai_addr, info.ai_addrlen) == 0 {
            return .connected(descriptor)
        }
        guard errno == EINPROGRESS else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            return .failed(reason)
        }

        // A non-blocking connect completes when the socket becomes writable; SO_ERROR then
        // holds its result (connect(2), EINPROGRESS).
        switch SocketWait.wait(descriptor, for: Int16(POLLOUT), until: deadline) {
        case .ready:
            break
        case .timedOut:
            close(descriptor)
            return .timedOut
        case let .failed(code):
            close(descriptor)
            return .failed(String(cString: strerror(code)))
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            return .failed(reason)
        }
        guard error == 0 else {
            close(descriptor)
            return .failed(String(cString: strerror(error)))
        }
        return .connected(descriptor)
    }

    /// Formats a resolved address as `127.0.0.1` or `::1`.
    private static func describe(_ address: UnsafeMutablePointer<sockaddr>?) -> String {
        guard let address else {
            return "unknown address"
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(address.pointee.sa_family)
        let converted: UnsafePointer<CChar>?
        if family == AF_INET {
            converted = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
            }
        } else if family == AF_INET6 {
            converted = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin6_addr
                return inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            }
        } else {
            converted = nil
        }
        guard converted != nil else {
            return "unknown address"
        }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// poll(2) on one descriptor with a deadline.
enum SocketWait {
    enum Outcome {
        case ready
        case timedOut
        case failed(Int32)
    }

    /// Waits until `descriptor` has one of `events`, or an error or hang-up (which the next
    /// read or write reports), or `deadline` passes.
    static func wait(_ descriptor: Int32, for events: Int16, until deadline: ContinuousClock.Instant) -> Outcome {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                return .timedOut
            }
            let (seconds, attoseconds) = remaining.components
            // Rounded up, so a wait never ends just before the deadline and spins.
            let milliseconds = min(Int64(Int32.max), seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let result = poll(&entry, 1, Int32(milliseconds))
            if result > 0 {
                return .ready
            }
            if result < 0 && errno != EINTR {
                return .failed(errno)
            }
        }
    }
}
