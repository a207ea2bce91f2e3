/// One SMTP reply (RFC 5321, section 4.2): a three-digit code and one or more lines of
/// text. A multi-line reply has been joined from its `250-…` continuation lines.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, 200 to 599.
    public let code: Int
    /// The text of each line without the code and separator, possibly empty.
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx and 3xx: the command was accepted.
    public var isPositive: Bool { code >= 200 && code < 400 }
    /// 4xx: "transient negative completion", the same command may succeed later.
    public var isTransientFailure: Bool { code >= 400 && code < 500 }
    /// 5xx: "permanent negative completion", the same command will fail again.
    public var isPermanentFailure: Bool { code >= 500 && code < 600 }

    /// The code followed by the lines joined with spaces, for error messages.
    public var description: String {
        ([String(code)] + lines.filter { !$0.isEmpty }).joined(separator: " ")
    }
}

/// An SMTP command, named in errors. The credentials of AUTH are never part of it.
public enum SMTPCommand: Sendable, Equatable, CustomStringConvertible {
    /// Not a command: the server's greeting after the connection opens.
    case greeting
    case ehlo
    case helo
    case startTLS
    case auth(mechanism: String)
    case mailFrom(String)
    case rcptTo(String)
    case data
    /// Not a command: the message content and the final `.` line after DATA.
    case messageContent
    case quit

    /// Whether the command is about this message rather than the session, so that a 5xx
    /// reply to it rejects the message for good.
    public var concernsMessage: Bool {
        switch self {
        case .mailFrom, .rcptTo, .data, .messageContent:
            return true
        case .greeting, .ehlo, .helo, .startTLS, .auth, .quit:
            return false
        }
    }

    public var description: String {
        switch self {
        case .greeting: return "the connection (greeting)"
        case .ehlo: return "EHLO"
        case .helo: return "HELO"
        case .startTLS: return "STARTTLS"
        case let .auth(mechanism): return "AUTH \(mechanism)"
        case let .mailFrom(address): return "MAIL FROM:<\(address)>"
        case let .rcptTo(address): return "RCPT TO:<\(address)>"
        case .data: return "DATA"
        case .messageContent: return "the message content (end of DATA)"
        case .quit: return "QUIT"
        }
    }
}

/// Assembles reply lines into replies (RFC 5321, section 4.2.1). Every line starts with
/// the same three-digit code. A hyphen after the code means more lines follow, and a
/// space or the end of the line marks the last line.
struct SMTPReplyParser {
    private var code: Int?
    private var lines: [String] = []

    enum Outcome {
        case needMoreLines
        case complete(SMTPReply)
        case malformed
    }

    /// Adds one line without its CRLF.
    mutating func add(_ line: [UInt8]) -> Outcome {
        guard line.count >= 3, line[0...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .malformed
        }
        let lineCode = Int(line[0] - 48) * 100 + Int(line[1] - 48) * 10 + Int(line[2] - 48)
        guard lineCode >= 200, lineCode <= 599, code == nil || code == lineCode else {
            return .malformed
        }
        code = lineCode

        let separator: UInt8? = line.count > 3 ? line[3] : nil
        guard separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            return .malformed
        }
        let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""
        lines.append(text)

        if separator == UInt8(ascii: "-") {
            return .needMoreLines
        }
        return .complete(SMTPReply(code: lineCode, lines: lines))
    }
}
