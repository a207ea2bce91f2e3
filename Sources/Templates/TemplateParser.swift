/// Turns one template file into a tree of nodes, checking everything that can be checked
/// without the other files: tag syntax, paths, nesting of block tags, and the layout rules.
struct TemplateParser {
    private let name: String
    private let source: SourceText
    private var body: [Node] = []
    private var openBlocks: [OpenBlock] = []
    private var layout: LayoutReference?
    /// Whether the top level already has a tag or non-blank text, after which
    /// `{{#layout}}` is too late.
    private var hasTopLevelContent = false
    private var blockLocations: [String: SourceLocation] = [:]
    private var partialNames: [String] = []

    /// - Parameters:
    ///   - name: The template's name, its path under the root without `.html`.
    ///   - file: The path under the root with `.html`, for error messages.
    static func parse(name: String, file: String, bytes: [UInt8]) throws(TemplateError) -> ParsedTemplate {
        let source = try SourceText(file: file, bytes: bytes)
        var parser = TemplateParser(name: name, source: source)
        for piece in try TagScanner.scan(source) {
            switch piece {
            case .text(let text, let offset):
                try parser.addText(text, offset: offset)
            case .tag(let tag):
                try parser.addTag(tag)
            case .comment:
                break
            }
        }
        return try parser.finish()
    }

    private init(name: String, source: SourceText) {
        self.name = name
        self.source = source
    }

    // MARK: - Text

    private mutating func addText(_ text: [UInt8], offset: Int) throws(TemplateError) {
        let firstVisible = text.firstIndex { !TagScanner.isWhitespace($0) }
        if openBlocks.isEmpty, let firstVisible {
            if layout != nil {
                throw TemplateError(
                    source.location(at: offset + firstVisible),
                    "text outside `{{#block}}` in a template that uses a layout is never rendered; move it into a block"
                )
            }
            hasTopLevelContent = true
        }
        if openBlocks.isEmpty && layout != nil {
            return
        }
        append(.text(text))
    }

    private mutating func append(_ node: Node) {
        if openBlocks.isEmpty {
            body.appendMerging(node)
        } else {
            openBlocks[openBlocks.count - 1].section.appendMerging(node)
        }
    }

    // MARK: - Tags

    private mutating func addTag(_ tag: ScannedTag) throws(TemplateError) {
        var reader = TagReader(source: source, content: tag.content)
        let tagLocation = source.location(at: tag.openOffset)
        reader.skipWhitespace()

        guard let first = reader.peek else {
            throw TemplateError(tagLocation, "empty tag `{{ }}`: write a path such as `{{ product.name }}`, or remove the braces")
        }

        let isLayoutTag = reader.startsWithHashWord("layout")
        let isClosingTag = first == UInt8(ascii: "/")
        if layout != nil && openBlocks.isEmpty && !reader.startsWithHashWord("block") && !isLayoutTag && !isClosingTag {
            let written = reader.text(tag.content)
            throw TemplateError(
                tagLocation,
                "`{{\(written)}}` outside `{{#block}}` in a template that uses a layout is never rendered; move it into a block"
            )
        }
        if openBlocks.isEmpty && !isLayoutTag {
            hasTopLevelContent = true
        }

        switch first {
        case UInt8(ascii: "#"):
            reader.advance()
            try addOpeningTag(&reader, tagLocation: tagLocation)
        case UInt8(ascii: "/"):
            reader.advance()
            try addClosingTag(&reader, tagLocation: tagLocation)
        case UInt8(ascii: ">"):
            reader.advance()
            try addPartial(&reader, tagLocation: tagLocation)
        case UInt8(ascii: "{"):
            throw TemplateError(tagLocation, "triple braces are not supported: write `{{ unescaped path }}` for trusted HTML, or `{{ path }}` for escaped text")
        default:
            try addValueTag(&reader, tagLocation: tagLocation)
        }
    }

    /// `{{ path }}`, `{{ unescaped path }}` and `{{ t "key" … }}`.
    private mutating func addValueTag(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        if reader.startsWithWord("t") {
            _ = reader.readIdentifier()
            reader.skipWhitespace()
            try addTranslation(&reader, tagLocation: tagLocation)
            return
        }
        if reader.startsWithWord("unescaped") {
            _ = reader.readIdentifier()
            reader.skipWhitespace()
            if reader.isAtEnd {
                throw TemplateError(tagLocation, TemplateParser.bareKeywordMessage("unescaped"))
            }
            try addOutput(&reader, escapesHTML: false, tagLocation: tagLocation)
            return
        }
        for keyword in ["t", "unescaped", "else"] where reader.remainingText.trimmingWhitespace() == keyword {
            throw TemplateError(tagLocation, TemplateParser.bareKeywordMessage(keyword))
        }
        try addOutput(&reader, escapesHTML: true, tagLocation: tagLocation)
    }

    private static func bareKeywordMessage(_ keyword: String) -> String {
        switch keyword {
        case "t": return "`{{ t }}` needs a key: write `{{ t \"cart.checkout\" }}`"
        case "unescaped": return "`{{ unescaped }}` needs a path: write `{{ unescaped page.html }}`"
        default: return "`{{ else }}` is written `{{#else}}`"
        }
    }

    private mutating func addOutput(_ reader: inout TagReader, escapesHTML: Bool, tagLocation: SourceLocation) throws(TemplateError) {
        let start = reader.position
        let expressionLocation = reader.location
        let expression = try reader.readExpression()
        let written = reader.text(start..<reader.position).trimmingWhitespace()
        try reader.expectEnd(after: "`\(written)`")
        append(.output(OutputNode(expression: expression, escapesHTML: escapesHTML, source: written, location: expressionLocation)))
    }

    private mutating func addTranslation(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        if reader.isAtEnd {
            throw TemplateError(tagLocation, TemplateParser.bareKeywordMessage("t"))
        }
        let key = try reader.readOperand()
        switch key {
        case .literal(.string):
            break
        case .literal:
            throw TemplateError(tagLocation, "a translation key must be a quoted string or a path, as in `{{ t \"cart.checkout\" }}`")
        default:
            break
        }
        reader.skipWhitespace()
        let arguments = try reader.readNamedArguments()
        append(.translation(TranslationNode(key: key, arguments: arguments, location: tagLocation)))
    }

    private mutating func addPartial(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        reader.skipWhitespace()
        let (partialName, _) = try reader.readTemplateName(what: "partial")
        reader.skipWhitespace()

        var context: Expression?
        if !reader.isAtEnd && !reader.atNamedArgument() {
            context = try reader.readOperand()
        }
        let arguments = try reader.readNamedArguments()

        if !partialNames.contains(partialName) {
            partialNames.append(partialName)
        }
        append(.partial(PartialNode(name: partialName, target: -1, context: context, arguments: arguments, location: tagLocation)))
    }

    // MARK: - Block tags

    private mutating func addOpeningTag(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        let keyword = reader.readIdentifier() ?? ""
        reader.skipWhitespace()

        switch keyword {
        case "if", "unless":
            let condition = try reader.readExpression()
            try reader.expectEnd(after: "the condition")
            openBlocks.append(OpenBlock(
                kind: keyword == "if" ? .ifBlock : .unlessBlock,
                location: tagLocation,
                pendingCondition: condition,
                pendingNegated: keyword == "unless"
            ))

        case "else":
            try addElse(&reader, tagLocation: tagLocation)

        case "each":
            try openLoop(&reader, tagLocation: tagLocation)

        case "block":
            let (blockName, _) = try reader.readTemplateName(what: "block")
            try reader.expectEnd(after: "the block name")
            if let earlier = blockLocations[blockName] {
                throw TemplateError(tagLocation, "block \"\(blockName)\" is already defined at \(earlier.line):\(earlier.column); block names must be unique in a file")
            }
            blockLocations[blockName] = tagLocation
            openBlocks.append(OpenBlock(kind: .block, location: tagLocation, blockName: blockName))

        case "layout":
            try addLayout(&reader, tagLocation: tagLocation)

        default:
            let written = keyword.isEmpty ? reader.remainingText : keyword
            throw TemplateError(tagLocation, "unknown tag `{{#\(written)}}`: block tags are #if, #unless, #else, #each, #block and #layout")
        }
    }

    private mutating func openLoop(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        let start = reader.position
        let sequence = try reader.readOperand()
        let sequenceSource = reader.text(start..<reader.position)
        reader.skipWhitespace()

        let asLocation = reader.location
        guard reader.readIdentifier() == "as" else {
            throw TemplateError(asLocation, "`{{#each}}` needs a variable name: write `{{#each \(sequenceSource) as item}}`")
        }
        reader.skipWhitespace()
        let variableLocation = reader.location
        guard let variable = reader.readIdentifier() else {
            throw TemplateError(variableLocation, "missing variable name after `as`: write `{{#each \(sequenceSource) as item}}`")
        }
        if TagReader.reservedWords.contains(variable) {
            throw TemplateError(variableLocation, "`\(variable)` is a reserved word and cannot name a loop variable")
        }
        try reader.expectEnd(after: "the loop variable")

        openBlocks.append(OpenBlock(
            kind: .eachBlock,
            location: tagLocation,
            loopSequence: sequence,
            loopSequenceSource: sequenceSource,
            loopVariable: variable
        ))
    }

    /// `{{#else}}` or `{{#else if condition}}`.
    private mutating func addElse(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        var elseIfCondition: Expression?
        if reader.startsWithWord("if") {
            _ = reader.readIdentifier()
            reader.skipWhitespace()
            elseIfCondition = try reader.readExpression()
        }
        try reader.expectEnd(after: elseIfCondition == nil ? "`{{#else`" : "the condition")

        guard var open = openBlocks.popLast(), open.kind != .block else {
            throw TemplateError(tagLocation, "`{{#else}}` must be inside `{{#if}}`, `{{#unless}}` or `{{#each}}`")
        }
        if let earlier = open.elseLocation {
            throw TemplateError(tagLocation, "`{{#else}}` already appeared at \(earlier.line):\(earlier.column) in this `{{#\(open.kind.keyword)}}`; only `{{/\(open.kind.keyword)}}` may follow it")
        }

        if open.kind == .eachBlock {
            if elseIfCondition != nil {
                throw TemplateError(tagLocation, "`{{#else if}}` is not allowed in `{{#each}}`; its `{{#else}}` is for an empty list")
            }
            open.loopBody = open.section
        } else {
            if let condition = open.pendingCondition {
                open.branches.append(ConditionalNode.Branch(condition: condition, negated: open.pendingNegated, body: open.section))
            }
            open.pendingCondition = elseIfCondition
            open.pendingNegated = false
        }
        open.section = []
        if elseIfCondition == nil {
            open.elseLocation = tagLocation
        }
        openBlocks.append(open)
    }

    private mutating func addClosingTag(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        let keyword = reader.readIdentifier() ?? ""
        guard let kind = OpenBlock.Kind(keyword: keyword) else {
            if keyword == "layout" {
                throw TemplateError(tagLocation, "`{{#layout}}` has no closing tag; remove `{{/layout}}`")
            }
            let written = keyword.isEmpty ? reader.remainingText : keyword
            throw TemplateError(tagLocation, "unknown closing tag `{{/\(written)}}`: closing tags are /if, /unless, /each and /block")
        }
        try reader.expectEnd(after: "`{{/\(keyword)`; closing tags take no arguments")

        guard let open = openBlocks.popLast() else {
            throw TemplateError(tagLocation, "`{{/\(keyword)}}` has no matching `{{#\(keyword)}}`")
        }
        guard open.kind == kind else {
            throw TemplateError(
                tagLocation,
                "`{{/\(keyword)}}` does not match `{{#\(open.kind.keyword)}}` opened at \(open.location.line):\(open.location.column); close that one first with `{{/\(open.kind.keyword)}}`"
            )
        }
        append(open.finish())
    }

    private mutating func addLayout(_ reader: inout TagReader, tagLocation: SourceLocation) throws(TemplateError) {
        let (layoutName, _) = try reader.readTemplateName(what: "layout")
        try reader.expectEnd(after: "the layout name")

        if let existing = layout {
            throw TemplateError(tagLocation, "a template has at most one layout; \"\(existing.name)\" was already chosen at \(existing.location.line):\(existing.location.column)")
        }
        guard openBlocks.isEmpty && !hasTopLevelContent else {
            throw TemplateError(tagLocation, "`{{#layout}}` must come before any other tag or text in the file (comments and whitespace may precede it)")
        }
        layout = LayoutReference(name: layoutName, location: tagLocation)
        body.removeAll()
    }

    // MARK: - End of file

    private func finish() throws(TemplateError) -> ParsedTemplate {
        if let open = openBlocks.last {
            throw TemplateError(open.location, "`{{#\(open.kind.keyword)}}` is never closed; add `{{/\(open.kind.keyword)}}`")
        }
        return ParsedTemplate(
            name: name,
            file: source.file,
            body: body,
            layout: layout,
            blockNames: Set(blockLocations.keys),
            partialNames: partialNames
        )
    }
}
