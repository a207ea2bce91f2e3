/// A parsed `Content-Type` value such as `multipart/form-data; boundary=x`
/// (RFC 9110, section 8.3.1).
///
/// Type, subtype and parameter names are case-insensitive, so they are stored in lower case.
/// Parameter values keep their case because some, like `boundary`, are case-sensitive.
public struct MediaType: Sendable, Hashable, CustomStringConvertible {
    public let type: String
    public let subtype: String
    /// Parameters keyed by their lower-cased name, with quoted strings already unquoted.
    public let parameters: [String: String]

    /// Parses `type "/" subtype *( OWS ";" OWS [ parameter ] )`. Returns nil for anything
    /// else, including a parameter given twice, because a second `boundary` or `charset`
    /// would make the meaning ambiguous.
    public init?(parsing text: String) {
        var scanner = HeaderValueScanner(text)
        scanner.skipWhitespace()
        guard let type = scanner.readToken(),
              scanner.consume(UInt8(ascii: "/")),
              let subtype = scanner.readToken(),
              let parameters = scanner.readParameters(backslashEscapesOnlyQuoteAndBackslash: false)
        else { return nil }

        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// The type and subtype without parameters, for example `text/html`.
    public var essence: String { "\(type)/\(subtype)" }

    /// Returns whether the type and subtype equal `essence`, compared case-insensitively.
    public func hasEssence(_ essence: String) -> Bool {
        self.essence.equalsIgnoringASCIICase(essence)
    }

    /// Returns the value of parameter `name`, looked up case-insensitively.
    public func parameter(_ name: String) -> String? {
        parameters[name.lowercased()]
    }

    public var description: String {
        var text = essence
        for name in parameters.keys.sorted() {
            text += "; \(name)=\(HeaderValueScanner.tokenOrQuotedString(parameters[name] ?? ""))"
        }
        return text
    }
}

/// A cursor over the bytes of one header field value, with the pieces of RFC 9110's grammar
/// (section 5.6) that `Content-Type` and `Content-Disposition` share.
struct HeaderValueScanner {
    private let bytes: [UInt8]
    private(set) var index = 0

    init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    var next: UInt8? { isAtEnd ? nil : bytes[index] }

    /// Skips optional whitespace (OWS: spaces and horizontal tabs).
    mutating func skipWhitespace() {
        while let byte = next, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            index += 1
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard next == byte else { return false }
        index += 1
        return true
    }

    /// Reads `1*tchar`, or returns nil without moving when no token starts here.
    mutating func readToken() -> String? {
        let start = index
        while let byte = next, Self.isTokenByte(byte) {
            index += 1
        }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Reads a quoted-string and returns its content with quoted-pairs resolved.
    ///
    /// With `backslashEscapesOnlyQuoteAndBackslash`, a backslash before any other byte stays
    /// literal. Browsers never escape inside `Content-Disposition` (the HTML standard has them
    /// percent-encode `"` as `%22`), and old clients send Windows paths such as
    /// `C:\Users\a.txt` unescaped, which strict quoted-pair rules would turn into `C:Usersa.txt`.
    /// Returns nil for a missing closing quote, a control byte, or content that is not UTF-8.
    mutating func readQuotedString(backslashEscapesOnlyQuoteAndBackslash: Bool) -> String? {
        let start = index
        guard consume(UInt8(ascii: "\"")) else { return nil }

        var content: [UInt8] = []
        while let byte = next {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: content, as: UTF8.self) else {
                    index = start
                    return nil
                }
                return text
            case UInt8(ascii: "\\"):
                guard let escaped = next, escaped == 0x09 || escaped >= 0x20, escaped != 0x7F else {
                    index = start
                    return nil
                }
                if backslashEscapesOnlyQuoteAndBackslash
                    && escaped != UInt8(ascii: "\"") && escaped != UInt8(ascii: "\\") {
                    content.append(byte)
                } else {
                    content.append(escaped)
                    index += 1
                }
            case 0x09, 0x20...0x7E, 0x80...0xFF:
                content.append(byte)
            default:
                index = start
                return nil
            }
        }
        index = start
        return nil
    }

    /// Reads `*( OWS ";" OWS [ parameter ] )` up to the end of the value (RFC 9110, section
    /// 5.6.6). Names are lower-cased. Returns nil for malformed input or a repeated name.
    mutating func readParameters(backslashEscapesOnlyQuoteAndBackslash: Bool) -> [String: String]? {
        var parameters: [String: String] = [:]
        while true {
            skipWhitespace()
            if isAtEnd { return parameters }
            guard consume(UInt8(ascii: ";")) else { return nil }
            skipWhitespace()
            // The grammar allows empty parameters, as in `text/plain;;charset=utf-8` or a
            // trailing semicolon.
            if isAtEnd || next == UInt8(ascii: ";") { continue }

            guard let name = readToken(), consume(UInt8(ascii: "=")) else { return nil }
            let value: String?
            if next == UInt8(ascii: "\"") {
                value = readQuotedString(
                    backslashEscapesOnlyQuoteAndBackslash: backslashEscapesOnlyQuoteAndBackslash)
            } else {
                value = readToken()
            }
            guard let value else { return nil }

            let key = name.lowercased()
            guard parameters[key] == nil else { return nil }
            parameters[key] = value
        }
    }

    /// tchar from RFC 9110, section 5.6.2.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isToken<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// Renders a parameter value as a token when it is one, otherwise as a quoted-string.
    static func tokenOrQuotedString(_ value: String) -> String {
        if isToken(value) { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("\"")
        return quoted
    }
}
