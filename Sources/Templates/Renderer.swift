/// Turns a translation key and its named arguments into shopper-facing text. The result
/// is escaped like any other value.
public typealias TemplateTranslator = @Sendable (_ key: String, _ arguments: [String: TemplateValue]) -> String

/// Renders linked nodes into a byte buffer. One renderer serves one render call on one
/// thread; everything it shares with other threads (the set and its trees) is immutable.
struct Renderer {
    /// Nesting limit for partials, which stops a partial that includes itself without an
    /// end condition long before the thread's stack runs out.
    static let maximumPartialDepth = 100

    private(set) var output: [UInt8]
    private let set: TemplateSet
    private let translator: TemplateTranslator?
    /// Loop variables and partial arguments, innermost last.
    private var frames: [Frame] = []
    private var partialDepth = 0

    /// A name bound by `{{#each … as name}}` or by a partial argument. Loop frames also
    /// carry the loop's position so that `loop.*` needs no allocation.
    private struct Frame {
        /// Empty while a partial's arguments are being evaluated, so that none of them
        /// sees another.
        var name: String
        var value: TemplateValue
        /// -1 for a partial argument.
        var loopIndex: Int
        var loopCount: Int
    }

    /// What names resolve against: the context value and the frames from `frameBase`
    /// up. A partial given its own context starts a new scope that hides the caller's
    /// frames.
    private struct Scope {
        let root: TemplateValue
        let frameBase: Int
    }

    init(set: TemplateSet, translator: TemplateTranslator?, reservingCapacity capacity: Int) {
        self.set = set
        self.translator = translator
        self.output = []
        self.output.reserveCapacity(capacity)
    }

    mutating func render(_ template: CompiledTemplate, context: TemplateValue) throws(TemplateError) {
        try render(template.body, Scope(root: context, frameBase: 0))
    }

    // MARK: - Nodes

    private mutating func render(_ nodes: [Node], _ scope: Scope) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text(let bytes):
                output.append(contentsOf: bytes)

            case .output(let outputNode):
                try write(evaluate(outputNode.expression, scope), for: outputNode)

            case .translation(let translation):
                try translate(translation, scope)

            case .conditional(let conditional):
                try renderConditional(conditional, scope)

            case .loop(let loop):
                try renderLoop(loop, scope)

            case .partial(let partial):
                try renderPartial(partial, scope)

            case .block(let block):
                // Linking removes blocks; render the body if one is ever left.
                try render(block.body, scope)
            }
        }
    }

    private mutating func write(_ value: TemplateValue, for node: OutputNode) throws(TemplateError) {
        switch value {
        case .null:
            return
        case .string(let text):
            if node.escapesHTML {
                HTMLEscaping.append(escaping: text, to: &output)
            } else {
                HTMLEscaping.append(raw: text, to: &output)
            }
        case .trustedHTML(let html):
            HTMLEscaping.append(raw: html, to: &output)
        case .int(let number):
            HTMLEscaping.append(integer: number, to: &output)
        case .double(let number):
            HTMLEscaping.append(raw: number.description, to: &output)
        case .bool(let flag):
            HTMLEscaping.append(raw: flag ? "true" : "false", to: &output)
        case .array, .dictionary:
            throw TemplateError(
                node.location,
                "`\(node.source)` is \(value.kindDescription), which has no text form; "
                    + "print one of its members, or loop over it with `{{#each \(node.source) as item}}`"
            )
        }
    }

    private mutating func translate(_ translation: TranslationNode, _ scope: Scope) throws(TemplateError) {
        let key: String
        switch evaluate(translation.key, scope) {
        case .string(let text), .trustedHTML(let text):
            key = text
        case .null:
            return
        case let other:
            throw TemplateError(translation.location, "the translation key is \(other.kindDescription), but it must be a string")
        }

        guard let translator else {
            HTMLEscaping.append(escaping: key, to: &output)
            return
        }
        var arguments: [String: TemplateValue] = [:]
        for argument in translation.arguments {
            arguments[argument.name] = evaluate(argument.value, scope)
        }
        HTMLEscaping.append(escaping: translator(key, arguments), to: &output)
    }

    private mutating func renderConditional(_ conditional: ConditionalNode, _ scope: Scope) throws(TemplateError) {
        for branch in conditional.branches where evaluate(branch.condition, scope).isTruthy != branch.negated {
            try render(branch.body, scope)
            return
        }
        try render(conditional.otherwise, scope)
    }

    private mutating func renderLoop(_ loop: LoopNode, _ scope: Scope) throws(TemplateError) {
        let elements: [TemplateValue]
        switch evaluate(loop.sequence, scope) {
        case .null:
            elements = []
        case .array(let array):
            elements = array
        case .dictionary(let dictionary):
            // Sorted so that a page lists entries in the same order on every render.
            elements = dictionary.keys.sorted().map { key in
                .dictionary(["key": .string(key), "value": dictionary[key] ?? .null])
            }
        case let other:
            throw TemplateError(
                loop.location,
                "`{{#each \(loop.sequenceSource)}}` needs an array or a dictionary, but `\(loop.sequenceSource)` is \(other.kindDescription)"
            )
        }

        guard !elements.isEmpty else {
            try render(loop.emptyBody, scope)
            return
        }

        let frameIndex = frames.count
        frames.append(Frame(name: loop.variable, value: .null, loopIndex: 0, loopCount: elements.count))
        for (index, element) in elements.enumerated() {
            frames[frameIndex].value = element
            frames[frameIndex].loopIndex = index
            try render(loop.body, scope)
        }
        frames.removeLast()
    }

    private mutating func renderPartial(_ partial: PartialNode, _ scope: Scope) throws(TemplateError) {
        guard partialDepth < Renderer.maximumPartialDepth else {
            throw TemplateError(
                partial.location,
                "partials are nested more than \(Renderer.maximumPartialDepth) deep; \"\(partial.name)\" probably includes itself without a condition that ends the recursion"
            )
        }
        let target = set.templates[partial.target]
        if let failure = target.failure {
            throw failure
        }

        let context = partial.context.map { evaluate($0, scope) }

        // Arguments are evaluated in the caller's scope. Their frames are pushed unnamed
        // first so that an argument never sees one given before it.
        let savedFrameCount = frames.count
        for _ in partial.arguments {
            frames.append(Frame(name: "", value: .null, loopIndex: -1, loopCount: 0))
        }
        for (offset, argument) in partial.arguments.enumerated() {
            frames[savedFrameCount + offset].value = evaluate(argument.value, scope)
        }
        for (offset, argument) in partial.arguments.enumerated() {
            frames[savedFrameCount + offset].name = argument.name
        }

        let partialScope = context.map { Scope(root: $0, frameBase: savedFrameCount) } ?? scope
        partialDepth += 1
        try render(target.body, partialScope)
        partialDepth -= 1
        frames.removeSubrange(savedFrameCount...)
    }

    // MARK: - Values

    private func evaluate(_ expression: Expression, _ scope: Scope) -> TemplateValue {
        switch expression {
        case .literal(let value):
            return value
        case .variable(let name, let members):
            return Renderer.follow(members, from: lookUp(name, scope))
        case .context(let members):
            return Renderer.follow(members, from: scope.root)
        case .loopProperty(let parentSteps, let property):
            return loopProperty(property, parentSteps: parentSteps, scope)
        case .comparison(let left, let comparison, let right):
            return .bool(comparison.evaluate(evaluate(left, scope), evaluate(right, scope)))
        }
    }

    private func lookUp(_ name: String, _ scope: Scope) -> TemplateValue {
        var index = frames.count - 1
        while index >= scope.frameBase {
            if frames[index].name == name {
                return frames[index].value
            }
            index -= 1
        }
        if case .dictionary(let dictionary) = scope.root {
            return dictionary[name] ?? .null
        }
        return .null
    }

    private static func follow(_ members: [PathMember], from start: TemplateValue) -> TemplateValue {
        var value = start
        for member in members {
            switch (value, member) {
            case (.dictionary(let dictionary), .key(let key)):
                value = dictionary[key] ?? .null
            case (.array(let array), .index(let index)):
                value = index < array.count ? array[index] : .null
            case (.array(let array), .key(let key)):
                value = arrayProperty(key, of: array)
            default:
                return .null
            }
        }
        return value
    }

    private static func arrayProperty(_ key: String, of array: [TemplateValue]) -> TemplateValue {
        switch key {
        case "count": return .int(array.count)
        case "isEmpty": return .bool(array.isEmpty)
        case "first": return array.first ?? .null
        case "last": return array.last ?? .null
        default: return .null
        }
    }

    private func loopProperty(_ property: LoopProperty, parentSteps: Int, _ scope: Scope) -> TemplateValue {
        var stepsLeft = parentSteps
        var index = frames.count - 1
        while index >= scope.frameBase {
            let frame = frames[index]
            index -= 1
            guard frame.loopIndex >= 0 else { continue }
            if stepsLeft > 0 {
                stepsLeft -= 1
                continue
            }
            switch property {
            case .index: return .int(frame.loopIndex)
            case .number: return .int(frame.loopIndex + 1)
            case .count: return .int(frame.loopCount)
            case .first: return .bool(frame.loopIndex == 0)
            case .last: return .bool(frame.loopIndex == frame.loopCount - 1)
            }
        }
        return .null
    }
}
