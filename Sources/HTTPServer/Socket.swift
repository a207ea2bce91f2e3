import CSystem
import Glibc

/// Socket set-up and address formatting for the server.
enum Socket {
    /// Creates a non-blocking listening socket bound to `host` (an IP literal) and `port`
    /// with `SO_REUSEADDR`, and returns it with the port actually bound.
    static func listen(host: String, port: Int, backlog: Int32 = 4096) throws(ServerError) -> (socket: Int32, port: Int) {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if let address = ipv4Address(host, port: port) {
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
        } else if let address = ipv6Address(host, port: port) {
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
        } else {
            throw .invalidHost(host)
        }

        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw .systemCallFailed(call: "socket", errno: errno, detail: "\(host) port \(port)")
        }

        do {
            try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            // Accepted sockets inherit TCP_NODELAY on Linux; each one sets it again anyway.
            try setOption(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY")

            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0 else {
                let code = errno
                let hint = code == EADDRINUSE ? " (another process is listening there; pick another port)" : ""
                throw ServerError.systemCallFailed(call: "bind", errno: code, detail: "\(host) port \(port)\(hint)")
            }
            guard Glibc.listen(descriptor, backlog) == 0 else {
                throw ServerError.systemCallFailed(call: "listen", errno: errno, detail: "\(host) port \(port)")
            }
            return (descriptor, try boundPort(descriptor))
        } catch let error as ServerError {
            close(descriptor)
            throw error
        } catch {
            preconditionFailure("only ServerError is thrown above")
        }
    }

    static func setOption(
        _ descriptor: Int32, _ level: Int32, _ option: Int32, _ value: Int32, _ name: String
    ) throws(ServerError) {
        var value = value
        guard setsockopt(descriptor, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .systemCallFailed(call: "setsockopt", errno: errno, detail: name)
        }
    }

    /// Sets TCP_NODELAY on an accepted socket, so a response's last segment is not held back
    /// by Nagle's algorithm while the client waits. A failure is harmless and ignored.
    static func disableNagle(_ descriptor: Int32) {
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func boundPort(_ descriptor: Int32) throws(ServerError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else {
            throw .systemCallFailed(call: "getsockname", errno: errno, detail: "the listening socket")
        }
        return port(of: storage)
    }

    static func ipv4Address(_ host: String, port: Int) -> sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        return address
    }

    static func ipv6Address(_ host: String, port: Int) -> sockaddr_in6? {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        // Brackets are accepted for convenience, as in URLs: "[::1]".
        var literal = Substring(host)
        if literal.hasPrefix("[") && literal.hasSuffix("]") {
            literal = literal.dropFirst().dropLast()
        }
        guard inet_pton(AF_INET6, String(literal), &address.sin6_addr) == 1 else { return nil }
        return address
    }

    static func port(of storage: sockaddr_storage) -> Int {
        var storage = storage
        return withUnsafeBytes(of: &storage) { raw in
            switch Int32(raw.load(as: sa_family_t.self)) {
            case AF_INET: Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
            case AF_INET6: Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
            default: 0
            }
        }
    }

    /// Formats a peer address as `127.0.0.1` or `::1`; an IPv4-mapped IPv6 address from a
    /// dual-stack listener is shown as the IPv4 address.
    static func describeAddress(_ storage: sockaddr_storage) -> String {
        var storage = storage
        return withUnsafeBytes(of: &storage) { raw -> String in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch Int32(raw.load(as: sa_family_t.self)) {
            case AF_INET:
                var address = raw.load(as: sockaddr_in.self).sin_addr
                guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return "unknown" }
            case AF_INET6:
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                let bytes = withUnsafeBytes(of: &address) { Array($0) }
                if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                    return bytes[12..<16].map(String.init).joined(separator: ".")
                }
                guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "unknown" }
            default:
                return "unknown"
            }
            let length = text.firstIndex(of: 0) ?? text.count
            return String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Raises the soft limit on open files to the hard limit, since each connection costs a
    /// descriptor. Returns the soft limit in force afterwards.
    @discardableResult
    static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                return Int(clamping: raised.rlim_cur)
            }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
