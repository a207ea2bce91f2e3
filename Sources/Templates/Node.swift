/// One piece of a parsed template. A template is an array of nodes; blocks with a body
/// hold nested arrays. Trees are immutable once linked and shared by every render.
enum Node: Sendable {
    /// Bytes copied to the output as they are.
    case text([UInt8])
    case output(OutputNode)
    case translation(TranslationNode)
    case conditional(ConditionalNode)
    case loop(LoopNode)
    case partial(PartialNode)
    /// A named block. Linking replaces every block by the body that wins (the most
    /// derived template's definition, else the block's own default), so a rendered tree
    /// holds none.
    case block(BlockNode)
}

/// `{{ path }}` (escaped) or `{{ unescaped path }}`.
struct OutputNode: Sendable {
    let expression: Expression
    let escapesHTML: Bool
    /// The expression as written, for error messages.
    let source: String
    let location: SourceLocation
}

/// `{{ t "key" name=value … }}`.
struct TranslationNode: Sendable {
    let key: Expression
    let arguments: [NamedArgument]
    let location: SourceLocation
}

/// `{{#if}}` or `{{#unless}}` with its `{{#else if}}` and `{{#else}}` sections.
struct ConditionalNode: Sendable {
    struct Branch: Sendable {
        let condition: Expression
        /// True for the first branch of `{{#unless}}`.
        let negated: Bool
        var body: [Node]
    }

    var branches: [Branch]
    /// The `{{#else}}` section; empty when there is none.
    var otherwise: [Node]
}

/// `{{#each sequence as variable}} … {{#else}} … {{/each}}`.
struct LoopNode: Sendable {
    let sequence: Expression
    let sequenceSource: String
    let variable: String
    var body: [Node]
    /// Rendered when the sequence is null, missing or empty.
    var emptyBody: [Node]
    let location: SourceLocation
}

/// `{{> name context key=value … }}`.
struct PartialNode: Sendable {
    let name: String
    /// Index of the partial in its `TemplateSet`, set by linking; -1 before.
    var target: Int
    /// When present, its value becomes the partial's context and the caller's loop
    /// variables are hidden from the partial.
    let context: Expression?
    let arguments: [NamedArgument]
    let location: SourceLocation
}

/// `{{#block "name"}} default {{/block}}`.
struct BlockNode: Sendable {
    let name: String
    var body: [Node]
    let location: SourceLocation
}

/// `name=value` in a partial or translation tag.
struct NamedArgument: Sendable {
    let name: String
    let value: Expression
}

/// `{{#layout "name"}}` at the top of a template.
struct LayoutReference: Sendable {
    let name: String
    let location: SourceLocation
}

/// A template after parsing and before linking.
struct ParsedTemplate: Sendable {
    let name: String
    let file: String
    let body: [Node]
    let layout: LayoutReference?
    /// Every block name in the file, nested ones included.
    let blockNames: Set<String>
    /// Every partial name in the file, in the order they first appear.
    let partialNames: [String]
}

extension Array where Element == Node {
    /// Appends a node, joining it to a text node just before it so that rendering copies
    /// one run of bytes instead of several.
    mutating func appendMerging(_ node: Node) {
        if case .text(let newBytes) = node {
            if newBytes.isEmpty { return }
            if case .text(var lastBytes)? = last {
                removeLast()
                lastBytes.append(contentsOf: newBytes)
                append(.text(lastBytes))
                return
            }
        }
        append(node)
    }
}
