import Foundation

/// The sink for tenancy's log events: one line per event with `key=value` fields.
///
/// The app passes its own sink so that tenancy's lines join the request log. Values are
/// quoted when they contain spaces, quotes or control characters, so every line stays one
/// line. Callers never pass passwords, tokens or e-mail addresses.
public struct TenancyLogger: Sendable {
    private let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Writes each line to standard error.
    public static let standardError = TenancyLogger { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Drops every line, for tests and tools that report through their return values.
    public static let silent = TenancyLogger { _ in }

    /// Logs `event` with `fields` in the order given, for example
    /// `event=store_pool.limit requested=256 max_open_stores=256`.
    public func log(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        var line = "event=" + event
        for (key, value) in fields {
            line += " " + key + "=" + Self.formatValue(value)
        }
        write(line)
    }

    private static func formatValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar.value < 0x20 || scalar.value == 0x7F
        }
        return needsQuotes ? value.quotedForMessage(maximumLength: 200) : value
    }
}
