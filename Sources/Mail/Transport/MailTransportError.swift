/// Why a transport could not deliver a message, or could not be created.
///
/// `isPermanent` separates the two outcomes a sender must handle differently. A
/// permanent error recurs for this message however often it is retried, as for a
/// recipient the server does not know or a message larger than the server accepts. A
/// temporary one may pass later, as for a busy server, a network fault or a setting an
/// operator can correct.
public enum MailTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A transport setting is unusable. Thrown when the transport is created.
    case invalidConfiguration(setting: String, value: String, reason: String)

    /// No TCP connection could be made to `server` (`host:port`): the name did not
    /// resolve, or every address refused or was unreachable.
    case connectionFailed(server: String, reason: String)

    /// `server` did not respond in time. `waitingFor` names the step.
    case timedOut(server: String, waitingFor: String, seconds: Double)

    /// `server` closed the connection, or the network reset it, during `waitingFor`.
    case connectionClosed(server: String, waitingFor: String)

    /// `server` replied to `command` with a code other than the one that lets the
    /// dialogue continue.
    case replyRejected(server: String, command: SMTPCommand, reply: SMTPReply)

    /// `server` sent a line that is not an SMTP reply (RFC 5321, section 4.2).
    case malformedReply(server: String, command: SMTPCommand, line: String)

    /// The configuration requires STARTTLS and `server` does not offer it.
    case startTLSNotOffered(server: String)

    /// The configuration has credentials and `server` does not offer AUTH PLAIN.
    /// `offeredMechanisms` lists what it offers, empty when it offers no AUTH at all.
    case authenticationNotOffered(server: String, offeredMechanisms: [String])

    /// The TLS handshake with `server` failed or the connection broke at the TLS layer,
    /// for example because its certificate is not valid for the host name.
    case tlsFailed(server: String, reason: String)

    /// The message is larger than the limit `server` announces with the SIZE extension
    /// (RFC 1870).
    case messageTooLarge(server: String, size: Int, limit: Int)

    /// The file transport could not write `path`.
    case fileWriteFailed(path: String, reason: String)

    /// Whether retrying this message cannot help.
    ///
    /// Permanent: a 5xx reply to a command about the message itself (MAIL FROM, RCPT TO,
    /// DATA and its content, RFC 5321, section 4.2.1) and a message over the server's
    /// size limit. Temporary: everything else, including 4xx replies, timeouts, refused
    /// connections and TLS failures. A 5xx reply to the greeting, EHLO, STARTTLS or AUTH
    /// also counts as temporary: it concerns the session (a wrong password, a server that
    /// refuses this client), and once an operator corrects that, queued messages go out.
    public var isPermanent: Bool {
        switch self {
        case let .replyRejected(_, command, reply):
            return reply.isPermanentFailure && command.concernsMessage
        case .messageTooLarge:
            return true
        case .invalidConfiguration, .connectionFailed, .timedOut, .connectionClosed, .malformedReply,
             .startTLSNotOffered, .authenticationNotOffered, .tlsFailed, .fileWriteFailed:
            return false
        }
    }

    public var description: String {
        switch self {
        case let .invalidConfiguration(setting, value, reason):
            return "Invalid mail transport setting \(setting) \(MailMessageError.quoted(value)): \(reason)."
        case let .connectionFailed(server, reason):
            return "Could not connect to the SMTP server \(server): \(reason). Check the host and port and that the server is running; the message can be retried."
        case let .timedOut(server, waitingFor, seconds):
            return "The SMTP server \(server) did not respond within \(Self.format(seconds)) s while \(waitingFor). The message can be retried; raise the timeout if the server is slow."
        case let .connectionClosed(server, waitingFor):
            return "The SMTP server \(server) closed the connection while \(waitingFor). The message can be retried."
        case let .replyRejected(server, command, reply):
            return "The SMTP server \(server) replied to \(command) with \"\(reply)\". " + Self.advice(for: command, reply: reply)
        case let .malformedReply(server, command, line):
            return "The SMTP server \(server) sent a malformed reply to \(command): \(MailMessageError.quoted(line)). Check that the host and port belong to an SMTP server."
        case let .startTLSNotOffered(server):
            return "The SMTP server \(server) does not offer STARTTLS, which the transport's security setting requires. Enable TLS on the server or choose a server or port that offers it; the message was not sent in the clear."
        case let .authenticationNotOffered(server, offered):
            let list = offered.isEmpty ? "no AUTH at all" : "only " + offered.joined(separator: ", ")
            return "The SMTP server \(server) does not offer AUTH PLAIN (it offers \(list)) but the transport has credentials. Enable AUTH PLAIN on the server or remove the credentials."
        case let .tlsFailed(server, reason):
            return "TLS with the SMTP server \(server) failed: \(reason). The server's certificate must be valid for the host name and signed by a trusted CA; for a private CA, set the CA file."
        case let .messageTooLarge(server, size, limit):
            return "The message is \(size) bytes, more than the \(limit) bytes that the SMTP server \(server) accepts. Make the message smaller; retrying will not help."
        case let .fileWriteFailed(path, reason):
            return "Could not write the mail file \(path): \(reason). Check that the folder is writable and the disk has space; the message can be retried."
        }
    }

    private static func advice(for command: SMTPCommand, reply: SMTPReply) -> String {
        if reply.isTransientFailure {
            return "This is a temporary failure; retry the message later."
        }
        if !reply.isPermanentFailure {
            return "The dialogue cannot continue after this reply; check that the server follows SMTP, and retry later."
        }
        if command.concernsMessage {
            return "The server rejected the message permanently; check the addresses and the content, because retrying will not help."
        }
        if case .auth = command {
            return "Check the SMTP user name and password; queued messages can be retried after that."
        }
        return "Check the transport's settings (host name for HELO, TLS, credentials); queued messages can be retried after that."
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
