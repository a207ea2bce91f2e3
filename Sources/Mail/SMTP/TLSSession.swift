import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One TLS client session over a connected non-blocking socket.
///
/// The SSL object reads and writes through `SocketBIO` rather than OpenSSL's socket BIO.
/// OpenSSL's BIO writes with write(2), which raises SIGPIPE and ends the process when the
/// server has closed the connection, while `SocketBIO` sends with MSG_NOSIGNAL.
final class TLSSession {
    /// The outcome of one SSL call on a non-blocking socket.
    enum Step {
        case done(Int)
        /// Poll for readability or writability, then repeat the same call (SSL_get_error(3)).
        case wantRead
        case wantWrite
        /// The peer sent close_notify or closed the TCP connection.
        case closed
        case failed(String)
    }

    private let ssl: OpaquePointer

    /// Creates the session and sets the name the certificate must match: SSL_set1_host for
    /// a host name, also sent as SNI (RFC 6066, section 3), or the IP address for an IP
    /// literal, which SNI must not carry.
    init(context: TLSClientContext, descriptor: Int32, host: String) throws(TLSFailure) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else {
            throw TLSFailure("OpenSSL could not create a TLS session: \(OpenSSLErrors.drain())")
        }
        self.ssl = ssl

        guard let bio = SocketBIO.make(descriptor: descriptor) else {
            throw TLSFailure("OpenSSL could not create the socket BIO: \(OpenSSLErrors.drain())")
        }
        // The SSL object takes the one reference to a BIO passed as both rbio and wbio.
        SSL_set_bio(ssl, bio, bio)

        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") {
            name = String(name.dropFirst().dropLast())
        }
        if name.hasSuffix(".") {
            name.removeLast()
        }
        if Self.isIPAddress(name) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 else {
                throw TLSFailure("OpenSSL rejected \(name) as the address to verify: \(OpenSSLErrors.drain())")
            }
        } else {
            // A wildcard must stand for a whole label: "*.example.com", not "mail*.example.com".
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard SSL_set1_host(ssl, name) == 1 else {
                throw TLSFailure("OpenSSL rejected \(name) as the host name to verify: \(OpenSSLErrors.drain())")
            }
            // SSL_set_tlsext_host_name is a macro over SSL_ctrl.
            let sent = name.withCString { pointer in
                SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: pointer))
            }
            guard sent == 1 else {
                throw TLSFailure("OpenSSL rejected \(name) as the server name (SNI): \(OpenSSLErrors.drain())")
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    func handshake() -> Step {
        ERR_clear_error()
        let result = SSL_connect(ssl)
        if result == 1 {
            return .done(0)
        }
        let step = interpret(result)
        if case .failed = step {
            let verification = SSL_get_verify_result(ssl)
            if verification != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verification))
                return .failed("the server's certificate was rejected: \(reason)")
            }
        }
        if case .closed = step {
            return .failed("the server closed the connection during the TLS handshake")
        }
        return step
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Step {
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        return result == 1 ? .done(count) : interpret(result)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Step {
        ERR_clear_error()
        var count = 0
        let result = SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count)
        return result == 1 ? .done(count) : interpret(result)
    }

    /// Sends close_notify once without waiting for the server's, which RFC 8446, section
    /// 6.1, allows when the client will read no more.
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func interpret(_ result: Int32) -> Step {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            // An empty queue with errno 0 means the peer closed TCP without close_notify:
            // SocketBIO returns 0 to BIO_CTRL_EOF, so OpenSSL reports the close this way
            // rather than as SSL_R_UNEXPECTED_EOF_WHILE_READING. SMTP frames its own
            // replies, so a cut-off stream cannot pass for a complete reply.
            let systemError = errno
            let details = OpenSSLErrors.drain()
            if systemError == 0 || systemError == ECONNRESET || systemError == EPIPE {
                return .closed
            }
            return .failed("\(String(cString: strerror(systemError))) (\(details))")
        default:
            return .failed(OpenSSLErrors.drain())
        }
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

/// A failure to set up TLS, with the reason that `MailTransportError.tlsFailed` reports.
struct TLSFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A BIO_METHOD that reads with recv(2) and writes with send(2) and MSG_NOSIGNAL on a
/// non-blocking socket, setting OpenSSL's retry flags on EAGAIN as BIO_s_socket does.
/// The BIO does not own the socket: the connection closes it.
enum SocketBIO {
    /// `@unchecked Sendable`: the method table is filled in once, inside the `static let`
    /// initializer that Swift runs exactly once, and only read afterwards.
    private final class Method: @unchecked Sendable {
        let pointer: OpaquePointer?

        init() {
            let index = BIO_get_new_index()
            guard index != -1, let method = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "storefleet mail socket") else {
                pointer = nil
                return
            }
            _ = BIO_meth_set_write_ex(method, socketWrite)
            _ = BIO_meth_set_read_ex(method, socketRead)
            _ = BIO_meth_set_ctrl(method, socketControl)
            pointer = method
        }
    }

    private static let method = Method()

    /// Returns a BIO for `descriptor`, or nil when OpenSSL cannot allocate one.
    static func make(descriptor: Int32) -> OpaquePointer? {
        guard let method = method.pointer, let bio = BIO_new(method) else {
            return nil
        }
        // The descriptor is kept in the BIO's data pointer, offset by one so that
        // descriptor 0 is not a null pointer.
        BIO_set_data(bio, UnsafeMutableRawPointer(bitPattern: Int(descriptor) + 1))
        BIO_set_init(bio, 1)
        return bio
    }

    fileprivate static func descriptor(of bio: OpaquePointer?) -> Int32 {
        Int32(Int(bitPattern: BIO_get_data(bio)) - 1)
    }
}

private let retryFlags = Int32(BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY)

private func socketWrite(_ bio: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int, _ written: UnsafeMutablePointer<Int>?) -> Int32 {
    BIO_clear_flags(bio, retryFlags)
    let result = send(SocketBIO.descriptor(of: bio), data, length, Int32(MSG_NOSIGNAL))
    if result >= 0 {
        written?.pointee = result
        return 1
    }
    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
        BIO_set_flags(bio, Int32(BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY))
    }
    return 0
}

private func socketRead(_ bio: OpaquePointer?, _ data: UnsafeMutablePointer<CChar>?, _ length: Int, _ read: UnsafeMutablePointer<Int>?) -> Int32 {
    BIO_clear_flags(bio, retryFlags)
    let result = recv(SocketBIO.descriptor(of: bio), data, length, 0)
    if result > 0 {
        read?.pointee = result
        return 1
    }
    if result == 0 {
        // End of stream: SSL_get_error reports SSL_ERROR_SYSCALL with errno 0.
        errno = 0
        return 0
    }
    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
        BIO_set_flags(bio, Int32(BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY))
    }
    return 0
}

/// Handles the one control request the SSL layer needs: FLUSH succeeds because writes
/// are not buffered. Every other request returns 0 ("unsupported"), as BIO_ctrl(3) allows.
private func socketControl(_ bio: OpaquePointer?, _ command: Int32, _ argument: Int, _ pointer: UnsafeMutableRawPointer?) -> Int {
    command == BIO_CTRL_FLUSH ? 1 : 0
}
