import Foundation

/// The sink for tenancy's log events: one line per event with `key=value` fields.
///
/// The app passes its own sink so that tenancy's lines join the request log. Values are
/// quoted when they contain spaces, quotes or control characters, so every line stays one
/// line. Callers never pass passwords, tokens or e-mail addresses.
public struct TenancyLogger: Sendable {
    /// One logged event: its name and its fields in order.
    public struct Event: Sendable {
        public let name: String
        public let fields: [Field]
    }

    /// One `key=value` field of an event.
    public struct Field: Sendable {
        public let key: String
        public let value: String
    }

    public typealias Sink = @Sendable (Event) -> Void

    private let sink: Sink

    /// Sends each event to `sink`, which the app points at its own logger so that
    /// tenancy's events get the same timestamp and level fields as every other line.
    public init(_ sink: @escaping Sink) {
        self.sink = sink
    }

    /// Writes each event as one `event=… key=value` line to standard error.
    public static let standardError = TenancyLogger { event in
        FileHandle.standardError.write(Data((formatLine(event) + "\n").utf8))
    }

    /// Drops every line, for tests and tools that report through their return values.
    public static let silent = TenancyLogger { _ in }

    /// Logs `event` with `fields` in the order given, for example
    /// `event=store_pool.limit requested=256 max_open_stores=256`.
    public func log(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        sink(Event(name: event, fields: fields.map { Field(key: $0.key, value: $0.value) }))
    }

    /// Formats an event as `event=NAME key=value …`, quoting values that contain spaces,
    /// quotes or control characters so every line stays one line.
    public static func formatLine(_ event: Event) -> String {
        var line = "event=" + event.name
        for field in event.fields {
            line += " " + field.key + "=" + formatValue(field.value)
        }
        return line
    }

    private static func formatValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar.value < 0x20 || scalar.value == 0x7F
        }
        return needsQuotes ? value.quotedForMessage(maximumLength: 200) : value
    }
}
