/// Fills `{name}` placeholders in a translated text, the form that translation files use.
public enum Placeholders {
    /// Returns `text` with every `{name}` that names an argument replaced by the argument's
    /// text (see `plainText(of:)`), in one pass from left to right.
    ///
    /// A placeholder without an argument stays as written, so that the gap shows on the
    /// page. An argument's text is never read for placeholders itself, so a shopper's
    /// name that contains `{count}` is shown as it is. A brace without a matching close
    /// is ordinary text.
    public static func fill(_ text: String, with arguments: [String: TemplateValue]) -> String {
        guard !arguments.isEmpty else { return text }
        let utf8 = text.utf8
        guard var open = utf8.firstIndex(of: UInt8(ascii: "{")) else { return text }

        var result = ""
        result.reserveCapacity(utf8.count + 16)
        var copied = utf8.startIndex
        while true {
            let nameStart = utf8.index(after: open)
            guard let close = utf8[nameStart...].firstIndex(of: UInt8(ascii: "}")) else { break }
            // A second `{` before the close starts the placeholder, as in "{ {name}".
            if let nested = utf8[nameStart..<close].lastIndex(of: UInt8(ascii: "{")) {
                open = nested
                continue
            }
            if let value = arguments[String(text[nameStart..<close])] {
                result += text[copied..<open]
                result += plainText(of: value)
                copied = utf8.index(after: close)
            }
            guard let next = utf8[utf8.index(after: close)...].firstIndex(of: UInt8(ascii: "{")) else { break }
            open = next
        }
        result += text[copied...]
        return result
    }

    /// Returns the text that a value fills a placeholder with: a string or trusted HTML as it is,
    /// a number in decimal, a boolean as `true` or `false`, and nothing for null, arrays
    /// and dictionaries.
    public static func plainText(of value: TemplateValue) -> String {
        switch value {
        case .string(let text), .trustedHTML(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null, .array, .fields: return ""
        }
    }
}
