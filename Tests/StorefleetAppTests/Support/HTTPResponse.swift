import Foundation

/// One response as it came off the socket, with the body already de-chunked.
struct HTTPResponse {
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// Returns the first value of a header field, whose name is compared without regard to case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Returns every value of a header field that may repeat, such as `Set-Cookie`.
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var location: String? { header("Location") }

    /// The body decoded as UTF-8.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as UTF-8 with the character references the template engine writes turned
    /// back into characters, so that checks can compare plain text.
    var pageText: String { HTML.unescape(text) }

    /// Returns the value of the hidden `csrf_token` field of the first form on the page.
    func csrfToken() throws -> String {
        guard let token = HTML.inputValue(named: "csrf_token", in: text), !token.isEmpty else {
            throw TestFailure("no csrf_token field with a value on a \(status) page: \(text.prefix(300))")
        }
        return token
    }

    /// A one-line summary for failure messages.
    var summary: String {
        "\(status) \(reason) location=\(location ?? "-") body=\(text.prefix(200))"
    }
}

/// A test step that could not be carried out, with what was seen instead.
struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Reading values out of the pages the app renders.
enum HTML {
    /// Replaces the character references that `Templates` writes (`&amp; &lt; &gt; &quot;
    /// &#39;`) and the few the views contain literally.
    static func unescape(_ text: String) -> String {
        var result = text
        let references = [
            ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"),
            ("&larr;", "←"), ("&rarr;", "→"), ("&hellip;", "…"), ("&copy;", "©"),
            ("&amp;", "&"),
        ]
        for (reference, character) in references {
            result = result.replacingOccurrences(of: reference, with: character)
        }
        return result
    }

    /// Returns the `value` attribute of the first `<input>` whose `name` is `name`, unescaped.
    static func inputValue(named name: String, in page: String) -> String? {
        for tag in tags("input", in: page) where attribute("name", of: tag) == name {
            return attribute("value", of: tag).map(unescape)
        }
        return nil
    }

    /// Returns the text between `<textarea name="…">` and its end tag, unescaped.
    static func textareaValue(named name: String, in page: String) -> String? {
        // Attributes may follow the name, such as aria-invalid on a field with errors.
        guard let attribute = page.range(of: "name=\"\(name)\"") else { return nil }
        guard let start = page.range(of: ">", range: attribute.upperBound..<page.endIndex) else { return nil }
        guard let end = page.range(of: "</textarea>", range: start.upperBound..<page.endIndex) else { return nil }
        return unescape(String(page[start.upperBound..<end.lowerBound]))
    }

    /// Returns every start tag `<name …>` in the page, as written.
    static func tags(_ name: String, in page: String) -> [Substring] {
        var found: [Substring] = []
        var searchStart = page.startIndex
        while let open = page.range(of: "<" + name, range: searchStart..<page.endIndex),
              let close = page.range(of: ">", range: open.upperBound..<page.endIndex) {
            found.append(page[open.lowerBound..<close.upperBound])
            searchStart = close.upperBound
        }
        return found
    }

    /// Returns the double-quoted value of `attribute` in one start tag, as written.
    static func attribute(_ attribute: String, of tag: Substring) -> String? {
        guard let start = tag.range(of: " \(attribute)=\"") else { return nil }
        guard let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(tag[start.upperBound..<end])
    }

    /// Returns the `href` of every `<a>` on the page, in order.
    static func links(in page: String) -> [String] {
        tags("a", in: page).compactMap { attribute("href", of: $0) }.map(unescape)
    }

    /// Returns the `action` of every `<form>` on the page, in order.
    static func formActions(in page: String) -> [String] {
        tags("form", in: page).compactMap { attribute("action", of: $0) }.map(unescape)
    }

    /// Returns the email of the "Signed in as …" line beside the logout button (a `<span>`
    /// with the class `who`), or nil on a page without it.
    static func signedInEmail(in page: String) -> String? {
        let prefix = "Signed in as "
        for tag in tags("span", in: page) where attribute("class", of: tag)?.split(separator: " ").contains("who") == true {
            guard let end = page.range(of: "</span>", range: tag.endIndex..<page.endIndex) else { return nil }
            let text = page[tag.endIndex..<end.lowerBound]
            guard text.hasPrefix(prefix) else { continue }
            return unescape(String(text.dropFirst(prefix.count)))
        }
        return nil
    }

    /// Returns the `value` of the `<input>` whose `id` is `id`, unescaped. The staff page's
    /// invitation link is such a field: it has an id for its label and no name.
    static func inputValue(id: String, in page: String) -> String? {
        for tag in tags("input", in: page) where attribute("id", of: tag) == id {
            return attribute("value", of: tag).map(unescape)
        }
        return nil
    }

    /// Returns the messages that the `field-errors` partial writes beside one field: the
    /// `<span class="error">` elements inside the `<div>` or `<fieldset>` that contains the
    /// input named `field`.
    static func fieldErrors(_ field: String, in page: String) -> [String] {
        guard let input = page.range(of: "name=\"\(field)\"") else { return [] }
        let before = page[..<input.lowerBound]
        let division = before.range(of: "<div class=\"field", options: .backwards)?.lowerBound
        let fieldset = before.range(of: "<fieldset class=\"field", options: .backwards)?.lowerBound
        // A fieldset contains nested divisions (the radio group), so it ends at its own end tag.
        let isFieldset = fieldset != nil && (division == nil || fieldset! > division!)
        let containerStart = (isFieldset ? fieldset : division) ?? input.lowerBound
        let after = page[input.upperBound...]
        let containerEnd = after.range(of: isFieldset ? "</fieldset>" : "</div>")?.lowerBound ?? page.endIndex
        let container = page[containerStart..<containerEnd]

        var messages: [String] = []
        var rest = container[...]
        while let open = rest.range(of: "<span class=\"error\">"),
              let close = rest.range(of: "</span>", range: open.upperBound..<rest.endIndex) {
            messages.append(unescape(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return messages
    }
}
