/// A run of text or one tag, in source order.
enum ScannedPiece {
    /// Bytes to copy to the output. `offset` is where they start in the file.
    case text([UInt8], offset: Int)
    case tag(ScannedTag)
    /// A removed comment; kept only until standalone lines are found.
    case comment
}

/// The inside of one `{{ … }}`, without the braces and without `~` markers.
struct ScannedTag {
    /// Offset of the opening `{{`.
    let openOffset: Int
    let content: Range<Int>
}

/// Splits a template into text and tags.
///
/// Handles what must be settled before a tag is read: comments (`{{!-- … --}}` and
/// `{{! … }}`) are dropped, `\{{` yields a literal `{{`, and `~` just inside a tag's braces
/// removes the whitespace on that side of the tag (spaces, tabs, and line breaks).
///
/// A line that contains nothing but one block tag (`{{#…}}` or `{{/…}}`), one partial
/// tag or one comment, apart from spaces and tabs, is removed whole with its line
/// break, as Mustache does for standalone tags. Block structure therefore leaves no
/// blank lines in the output. A partial's own text keeps its line breaks but, unlike in Mustache, is not
/// indented to the tag's column.
struct TagScanner {
    private let source: SourceText
    private var bytes: [UInt8] { source.bytes }
    private var pieces: [ScannedPiece] = []
    /// Set by a tag that ends in `~}}`: the next text loses its leading whitespace.
    private var trimsNextText = false

    init(source: SourceText) {
        self.source = source
    }

    static func scan(_ source: SourceText) throws(TemplateError) -> [ScannedPiece] {
        var scanner = TagScanner(source: source)
        try scanner.run()
        scanner.removeStandaloneLines()
        return scanner.pieces.filter {
            if case .comment = $0 { return false }
            return true
        }
    }

    private mutating func run() throws(TemplateError) {
        var textStart = 0
        var position = 0

        while let open = find(UInt8(ascii: "{"), UInt8(ascii: "{"), from: position) {
            if open > textStart && bytes[open - 1] == UInt8(ascii: "\\") {
                emitText(textStart..<(open - 1))
                emitLiteralBraces(at: open - 1)
                position = open + 2
                textStart = position
                continue
            }
            emitText(textStart..<open)

            var contentStart = open + 2
            if contentStart < bytes.count && bytes[contentStart] == UInt8(ascii: "~") {
                trimTrailingWhitespace()
                contentStart += 1
            }

            let tagEnd: Int
            if contentStart < bytes.count && bytes[contentStart] == UInt8(ascii: "!") {
                tagEnd = try skipComment(open: open, bangOffset: contentStart)
            } else {
                let close = try findTagClose(open: open, from: contentStart)
                var contentEnd = close
                trimsNextText = false
                if contentEnd > contentStart && bytes[contentEnd - 1] == UInt8(ascii: "~") {
                    contentEnd -= 1
                    trimsNextText = true
                }
                pieces.append(.tag(ScannedTag(openOffset: open, content: contentStart..<contentEnd)))
                tagEnd = close + 2
            }
            position = tagEnd
            textStart = tagEnd
        }
        emitText(textStart..<bytes.count)
    }

    // MARK: - Tags and comments

    /// Returns the offset of the `}}` that closes the tag opened at `open`. Quoted strings
    /// may contain braces. A `{{` before the close means the tag was never closed.
    private func findTagClose(open: Int, from start: Int) throws(TemplateError) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index = try skipString(quoteOffset: index)
                continue
            }
            if index + 1 < bytes.count {
                let next = bytes[index + 1]
                if byte == UInt8(ascii: "}") && next == UInt8(ascii: "}") {
                    return index
                }
                if byte == UInt8(ascii: "{") && next == UInt8(ascii: "{") {
                    throw TemplateError(
                        source.location(at: open),
                        "unclosed tag: this `{{` has no `}}` before the next `{{`; add `}}` to close it"
                    )
                }
            }
            index += 1
        }
        throw TemplateError(
            source.location(at: open),
            "unclosed tag: this `{{` has no `}}` before the end of the file; add `}}` to close it"
        )
    }

    /// Returns the offset just past the string's closing quote.
    private func skipString(quoteOffset: Int) throws(TemplateError) -> Int {
        var index = quoteOffset + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
            case UInt8(ascii: "\""):
                return index + 1
            case UInt8(ascii: "\n"):
                index = bytes.count
            default:
                index += 1
            }
        }
        throw TemplateError(
            source.location(at: quoteOffset),
            "unclosed string: this `\"` has no closing `\"` on the same line"
        )
    }

    /// Skips `{{!-- … --}}` or `{{! … }}` and returns the offset just past it.
    private mutating func skipComment(open: Int, bangOffset: Int) throws(TemplateError) -> Int {
        let isLong = bangOffset + 2 < bytes.count
            && bytes[bangOffset + 1] == UInt8(ascii: "-")
            && bytes[bangOffset + 2] == UInt8(ascii: "-")
        var searchFrom = isLong ? bangOffset + 3 : bangOffset + 1

        while let close = find(UInt8(ascii: "}"), UInt8(ascii: "}"), from: searchFrom) {
            var bodyEnd = close
            let trims = bodyEnd > searchFrom && bytes[bodyEnd - 1] == UInt8(ascii: "~")
            if trims {
                bodyEnd -= 1
            }
            let closesLongComment = bodyEnd - 2 >= bangOffset + 3
                && bytes[bodyEnd - 1] == UInt8(ascii: "-")
                && bytes[bodyEnd - 2] == UInt8(ascii: "-")
            if !isLong || closesLongComment {
                pieces.append(.comment)
                trimsNextText = trims
                return close + 2
            }
            searchFrom = close + 1
        }

        let closing = isLong ? "--}}" : "}}"
        throw TemplateError(
            source.location(at: open),
            "unclosed comment: add `\(closing)` to end the comment opened here"
        )
    }

    // MARK: - Text

    private mutating func emitText(_ range: Range<Int>) {
        var start = range.lowerBound
        if trimsNextText {
            while start < range.upperBound && TagScanner.isWhitespace(bytes[start]) {
                start += 1
            }
            trimsNextText = false
        }
        guard start < range.upperBound else { return }
        pieces.append(.text(Array(bytes[start..<range.upperBound]), offset: start))
    }

    private mutating func emitLiteralBraces(at offset: Int) {
        trimsNextText = false
        pieces.append(.text([UInt8(ascii: "{"), UInt8(ascii: "{")], offset: offset))
    }

    /// Removes whitespace at the end of the text emitted so far, across as many text
    /// pieces and comments as it takes, stopping at a tag.
    private mutating func trimTrailingWhitespace() {
        var index = pieces.count - 1
        while index >= 0 {
            switch pieces[index] {
            case .comment:
                index -= 1
            case .tag:
                return
            case .text(var text, let offset):
                while let last = text.last, TagScanner.isWhitespace(last) {
                    text.removeLast()
                }
                pieces[index] = .text(text, offset: offset)
                if !text.isEmpty {
                    return
                }
                index -= 1
            }
        }
    }

    // MARK: - Standalone lines

    /// Cuts the surrounding whitespace and one line break around every block tag,
    /// partial tag or comment that is alone on its line. Whether a line is standalone is decided on
    /// the text as scanned, before any cut, so consecutive standalone lines all go.
    private mutating func removeStandaloneLines() {
        var cutStart: [Int: Int] = [:]
        var cutEnd: [Int: Int] = [:]
        let lastIndex = pieces.count - 1

        for index in pieces.indices where isStructural(pieces[index]) {
            var before: (index: Int, cut: Int)?
            if index > 0 {
                guard case .text(let text, _) = pieces[index - 1] else { continue }
                let lineBreak = text.lastIndex(of: UInt8(ascii: "\n"))
                let lineStart = lineBreak.map { $0 + 1 } ?? 0
                guard lineBreak != nil || index - 1 == 0,
                      text[lineStart...].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { continue }
                before = (index - 1, lineStart)
            }

            var after: (index: Int, cut: Int)?
            if index < lastIndex {
                guard case .text(let text, _) = pieces[index + 1] else { continue }
                let lineBreak = text.firstIndex(of: UInt8(ascii: "\n"))
                let lineEnd = lineBreak ?? text.count
                guard lineBreak != nil || index + 1 == lastIndex,
                      text[..<lineEnd].allSatisfy(TagScanner.isWhitespace) else { continue }
                after = (index + 1, lineBreak.map { $0 + 1 } ?? text.count)
            }

            if let before {
                cutEnd[before.index] = before.cut
            }
            if let after {
                cutStart[after.index] = after.cut
            }
        }

        for (index, piece) in pieces.enumerated() {
            guard case .text(let text, let offset) = piece, cutStart[index] != nil || cutEnd[index] != nil else { continue }
            let start = cutStart[index] ?? 0
            let end = max(start, cutEnd[index] ?? text.count)
            pieces[index] = .text(Array(text[start..<end]), offset: offset + start)
        }
    }

    private func isStructural(_ piece: ScannedPiece) -> Bool {
        switch piece {
        case .comment:
            return true
        case .tag(let tag):
            var index = tag.content.lowerBound
            while index < tag.content.upperBound && TagScanner.isWhitespace(bytes[index]) {
                index += 1
            }
            guard index < tag.content.upperBound else { return false }
            return bytes[index] == UInt8(ascii: "#") || bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: ">")
        case .text:
            return false
        }
    }

    private func find(_ first: UInt8, _ second: UInt8, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == first && bytes[index + 1] == second {
                return index
            }
            index += 1
        }
        return nil
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
