import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Settings for `SMTPTransport`: the server, how to secure the connection, credentials
/// and timeouts.
public struct SMTPConfiguration: Sendable {
    /// The protection of the connection.
    public enum Security: Sendable, Equatable {
        /// No TLS. Only for a relay on the same machine or a test server: the message and
        /// any credentials cross the network in the clear.
        case none
        /// Connect in the clear and upgrade with STARTTLS (RFC 3207), usually on port 587.
        /// A server that does not offer STARTTLS fails the send. There is no fallback to
        /// the clear, because an attacker on the path could force it by removing the offer.
        case startTLS
        /// TLS from the first byte ("implicit TLS", RFC 8314, section 3), usually on port 465.
        case implicitTLS
    }

    /// The server's host name or IP address. With TLS, the certificate must be valid for it.
    public var host: String
    /// The TCP port.
    public var port: Int
    public var security: Security
    /// The user name for AUTH PLAIN (RFC 4616), or nil to send without authenticating.
    public var username: String?
    /// The password for AUTH PLAIN. Ignored without a `username`.
    public var password: String?
    /// Allows AUTH without TLS. Only for a local test server: without TLS anyone on the
    /// path reads the password.
    public var allowInsecureAuth: Bool
    /// The client's name in EHLO and HELO (RFC 5321, section 4.1.1.1): its fully
    /// qualified host name. The default is this machine's host name.
    public var heloName: String
    /// The limit for opening the TCP connection and completing the TLS handshake.
    public var connectTimeout: Duration
    /// The limit for each reply and each write. It also covers the reply after the
    /// message content, for which RFC 5321, section 4.5.3.2.6, suggests up to 10 minutes
    /// on slow servers.
    public var readTimeout: Duration
    /// A PEM file of CA certificates to trust in addition to the system's, for a server
    /// whose certificate a private or test CA signed.
    public var caFile: String?
    /// Accepts any server certificate: expired, self-signed, or for another host.
    ///
    /// Dangerous: with this set, anyone on the network path can impersonate the server
    /// and read every message and password. Only for tests; use `caFile` for a private CA.
    public var allowInvalidCertificates: Bool

    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil,
        allowInsecureAuth: Bool = false,
        heloName: String = SMTPConfiguration.localHostName(),
        connectTimeout: Duration = .seconds(30),
        readTimeout: Duration = .seconds(30),
        caFile: String? = nil,
        allowInvalidCertificates: Bool = false
    ) {
        self.host = host
        self.port = port ?? Self.defaultPort(for: security)
        self.security = security
        self.username = username
        self.password = password
        self.allowInsecureAuth = allowInsecureAuth
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.caFile = caFile
        self.allowInvalidCertificates = allowInvalidCertificates
    }

    /// 25 without TLS, 587 for submission with STARTTLS (RFC 6409) and 465 for implicit
    /// TLS (RFC 8314).
    public static func defaultPort(for security: Security) -> Int {
        switch security {
        case .none: 25
        case .startTLS: 587
        case .implicitTLS: 465
        }
    }

    /// This machine's host name from gethostname(2), or `localhost` when it has none.
    public static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else {
            return "localhost"
        }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    /// Checks every setting, so that a wrong one stops the transport's creation rather
    /// than each send.
    func validate() throws(MailTransportError) {
        let trimmedHost = host.trimmingCharacters(in: .whitespaces)
        guard !trimmedHost.isEmpty, trimmedHost == host, !host.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "/" }) else {
            throw .invalidConfiguration(setting: "host", value: host, reason: "it must be a host name or IP address without spaces, such as smtp.example.com")
        }
        guard (1...65535).contains(port) else {
            throw .invalidConfiguration(setting: "port", value: String(port), reason: "it must be between 1 and 65535")
        }
        // The EHLO argument is a domain or an address literal (RFC 5321, section 4.1.1.1);
        // a space or line break would inject another command.
        let heloIsValid = !heloName.isEmpty && heloName.utf8.count <= 255
            && heloName.utf8.allSatisfy { $0 > 32 && $0 < 127 }
        guard heloIsValid else {
            throw .invalidConfiguration(setting: "heloName", value: heloName, reason: "it must be this machine's host name, printable ASCII without spaces")
        }
        guard connectTimeout > .zero else {
            throw .invalidConfiguration(setting: "connectTimeout", value: "\(connectTimeout)", reason: "it must be positive")
        }
        guard readTimeout > .zero else {
            throw .invalidConfiguration(setting: "readTimeout", value: "\(readTimeout)", reason: "it must be positive")
        }

        if let username {
            // AUTH PLAIN separates its fields with NUL (RFC 4616, section 2).
            guard !username.isEmpty, !username.contains("\0") else {
                throw .invalidConfiguration(setting: "username", value: username, reason: "it must be non-empty and contain no NUL character")
            }
            guard let password, !password.contains("\0") else {
                throw .invalidConfiguration(setting: "password", value: "(hidden)", reason: "it is missing or contains a NUL character; set the SMTP password")
            }
            guard security != .none || allowInsecureAuth else {
                throw .invalidConfiguration(setting: "security", value: "none", reason: "credentials are set, and sending them without TLS would expose the password; use startTLS or implicitTLS (allowInsecureAuth exists only for local test servers)")
            }
        }
    }

    /// `host:port`, with brackets around an IPv6 address, for error messages.
    var serverDescription: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
