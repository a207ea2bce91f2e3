import Glibc
import Synchronization

/// A structured logger that writes one line per event as `key=value` fields.
///
/// A line reads `ts=2025-01-31T09:15:02.417Z level=info event=request request_id=3f9c0a1b2d4e
/// status=200`. Values that contain a space, a quote, `=`, a backslash or a control character
/// are quoted, with `"`, `\` and control characters escaped, so one event is always one line
/// that a log tool can split on spaces. Keys keep only `a-z A-Z 0-9 _ . -`.
///
/// The logger is a value: `with(_:_:)` returns a copy that adds fields (a store id, a
/// request id) to every line it writes.
public struct Logger: Sendable {
    /// Severity, in increasing order.
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug
        case info
        case warning
        case error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        /// Parses `debug`, `info`, `warning` (or `warn`) and `error`, ignoring case.
        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warning", "warn": self = .warning
            case "error": self = .error
            default: return nil
            }
        }
    }

    /// Lines below this level are dropped before any formatting happens.
    public var minimumLevel: Level
    /// Whether each line starts with a `ts=` field in UTC. Tests that compare whole lines
    /// turn it off.
    public var includesTimestamp: Bool
    /// Fields added to every line after `level` and `event`.
    public private(set) var metadata: [(key: String, value: String)]
    /// The destination of finished lines.
    public let output: LogOutput

    public init(
        minimumLevel: Level = .info,
        output: LogOutput = .standardError,
        includesTimestamp: Bool = true
    ) {
        self.minimumLevel = minimumLevel
        self.output = output
        self.includesTimestamp = includesTimestamp
        self.metadata = []
    }

    /// A logger that drops every line.
    public static let disabled = Logger(minimumLevel: .error, output: .discard)

    /// Returns a copy that adds `key=value` to every line it writes.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata.append((key: key, value: value))
        return copy
    }

    /// Whether a line at `level` would be written, for callers that must do work to build
    /// the fields.
    @inlinable
    public func isEnabled(_ level: Level) -> Bool {
        level >= minimumLevel
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.debug, event, fields)
    }

    public func info(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.info, event, fields)
    }

    public func warning(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.warning, event, fields)
    }

    public func error(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.error, event, fields)
    }

    /// Writes one line: `ts`, `level`, `event`, the logger's metadata, then `fields` in order.
    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        guard isEnabled(level) else { return }
        write(level, event) { line in
            for field in fields {
                line.append(key: field.key, value: field.value.description)
            }
        }
    }

    /// Builds and writes one line: `ts`, `level`, `event`, the metadata, then what
    /// `appendFields` adds.
    private func write(_ level: Level, _ event: String, appendFields: (inout LogLine) -> Void) {
        var line = LogLine()
        if includesTimestamp {
            line.appendTimestamp()
        }
        line.append(key: "level", value: level.description)
        line.append(key: "event", value: event)
        for field in metadata {
            line.append(key: field.key, value: field.value)
        }
        appendFields(&line)
        line.finish()
        output.write(line.bytes)
    }

    /// Writes one line with fields built at run time, for callers whose field list is not
    /// known at compile time (such as another layer's log events).
    public func log(_ level: Level, _ event: String, fieldList: [(key: String, value: String)]) {
        guard isEnabled(level) else { return }
        write(level, event) { line in
            for field in fieldList {
                line.append(key: field.key, value: field.value)
            }
        }
    }
}

/// The destination of a logger's lines. Each call receives one whole line ending in `\n`.
public struct LogOutput: Sendable {
    private let writeLine: @Sendable ([UInt8]) -> Void

    public init(_ writeLine: @escaping @Sendable ([UInt8]) -> Void) {
        self.writeLine = writeLine
    }

    func write(_ line: [UInt8]) {
        writeLine(line)
    }

    /// Standard error, with one `write(2)` per line so lines from different threads do not
    /// interleave. POSIX makes a single write of up to `PIPE_BUF` bytes to a pipe atomic, and
    /// a file opened for appending receives each write at its end in one piece.
    public static let standardError = fileDescriptor(STDERR_FILENO)

    /// Writes lines to an open file descriptor that the caller keeps open.
    public static func fileDescriptor(_ descriptor: Int32) -> LogOutput {
        LogOutput { line in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        // Nowhere left to report a failing log write; the line is dropped.
                        return
                    }
                }
            }
        }
    }

    /// Hands each line, without its trailing newline, to `receive` as a `String`.
    public static func lines(_ receive: @escaping @Sendable (String) -> Void) -> LogOutput {
        LogOutput { line in
            receive(String(decoding: line.dropLast(), as: UTF8.self))
        }
    }

    /// Drops every line.
    public static let discard = LogOutput { _ in }
}

/// Builds one log line in a byte buffer.
struct LogLine {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func appendTimestamp() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)

        bytes.append(contentsOf: "ts=".utf8)
        appendDigits(Int(parts.tm_year) + 1900, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2)
        bytes.append(UInt8(ascii: "."))
        appendDigits(now.tv_nsec / 1_000_000, width: 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    mutating func append(key: String, value: String) {
        if !bytes.isEmpty {
            bytes.append(UInt8(ascii: " "))
        }
        var wroteKey = false
        for byte in key.utf8 where Self.isKeyByte(byte) {
            bytes.append(byte)
            wroteKey = true
        }
        if !wroteKey {
            bytes.append(UInt8(ascii: "_"))
        }
        bytes.append(UInt8(ascii: "="))
        appendValue(value)
    }

    mutating func finish() {
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func appendValue(_ value: String) {
        let utf8 = value.utf8
        guard !utf8.isEmpty, !utf8.contains(where: Self.needsQuoting) else {
            if utf8.isEmpty {
                bytes.append(contentsOf: "\"\"".utf8)
            } else {
                appendQuoted(utf8)
            }
            return
        }
        bytes.append(contentsOf: utf8)
    }

    private mutating func appendQuoted(_ utf8: String.UTF8View) {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case UInt8(ascii: "\n"):
                bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"):
                bytes.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"):
                bytes.append(contentsOf: "\\t".utf8)
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: "\\x".utf8)
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendDigits(_ value: Int, width: Int) {
        var digits: [UInt8] = []
        var remaining = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(remaining % 10))
            remaining /= 10
        } while remaining > 0
        for _ in digits.count..<max(width, digits.count) {
            bytes.append(UInt8(ascii: "0"))
        }
        bytes.append(contentsOf: digits.reversed())
    }

    private static func needsQuoting(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "=")
            || byte == UInt8(ascii: "\\")
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// Lets through one line per interval and counts the rest, for events that a hostile
/// client can repeat at will (rejected connections, accept failures).
final class LogRateLimiter: Sendable {
    private let intervalNanoseconds: UInt64
    private let state = Mutex<(lastLine: UInt64, suppressed: Int)>((lastLine: 0, suppressed: 0))

    init(interval: Duration) {
        self.intervalNanoseconds = interval.nanoseconds
    }

    /// Returns the number of events dropped since the last line when a line may be written
    /// now, or nil when this event should be dropped (and counted).
    func admit() -> Int? {
        let now = MonotonicClock.nanoseconds()
        return state.withLock { state in
            if state.lastLine != 0 && now &- state.lastLine < intervalNanoseconds {
                state.suppressed += 1
                return nil
            }
            let suppressed = state.suppressed
            state.lastLine = now
            state.suppressed = 0
            return suppressed
        }
    }
}
