/// Turns a translation key and its named arguments into shopper-facing text. The result
/// is escaped like any other value.
public typealias TemplateTranslator = @Sendable (_ key: String, _ arguments: [String: TemplateValue]) -> String

/// Runs template programs into a byte buffer. One renderer serves one render call on one
/// thread; what it shares with other threads (the set and its programs) is immutable.
struct Renderer {
    /// Nesting limit for partials, which stops a partial that includes itself without an
    /// end condition long before the thread's stack runs out.
    static let maximumPartialDepth = 100

    private(set) var output: [UInt8]
    private let set: TemplateSet
    private let translator: TemplateTranslator?
    /// False for plain-text output such as a mail's text part, where every value is
    /// written as it is.
    private let escapesOutput: Bool
    /// Loop variables and partial arguments, innermost last.
    private var frames: [Frame] = []
    private var partialDepth = 0

    /// A name bound by `{{#each … as name}}` or by a partial argument. A loop frame also
    /// carries the loop's elements and position, so `loop.*` needs no allocation.
    private struct Frame {
        /// The set-wide number of the name; -1 while a partial's arguments are being
        /// evaluated, so that no argument can read another.
        var name: Int32
        var value: TemplateValue
        /// -1 for a partial argument.
        var loopIndex: Int
        var loopCount: Int
        var elements: [TemplateValue]
    }

    /// The values that names resolve against: the context and the frames from
    /// `frameBase` up. A partial given its own context starts a new scope that hides the caller's
    /// frames.
    private struct Scope {
        let root: TemplateValue
        let frameBase: Int
    }

    init(set: TemplateSet, translator: TemplateTranslator?, escapesOutput: Bool = true, reservingCapacity capacity: Int) {
        self.set = set
        self.translator = translator
        self.escapesOutput = escapesOutput
        self.output = []
        self.output.reserveCapacity(capacity)
    }

    mutating func render(_ program: TemplateProgram, context: TemplateValue) throws(TemplateError) {
        try run(program, Scope(root: context, frameBase: 0))
    }

    // MARK: - Instructions

    private mutating func run(_ program: TemplateProgram, _ scope: Scope) throws(TemplateError) {
        let instructions = program.instructions
        let end = instructions.count
        var position = 0

        while position < end {
            switch instructions[position] {
            case .text(let start, let stop):
                output.append(contentsOf: UnsafeBufferPointer(rebasing: program.text[Int(start)..<Int(stop)]))

            case .output(let expression, let site, let escapesHTML):
                try write(evaluate(expression, program, scope), escapesHTML: escapesHTML, program, site: site)

            case .translation(let index):
                try translate(program.translations[Int(index)], program, scope)

            case .branch(let expression, let negated, let otherwise):
                if evaluate(expression, program, scope).isTruthy == negated {
                    position = Int(otherwise)
                    continue
                }

            case .jump(let target):
                position = Int(target)
                continue

            case .loopStart(let index, let empty):
                if try !startLoop(program.loops[Int(index)], program, scope) {
                    position = Int(empty)
                    continue
                }

            case .loopNext(let body):
                if advanceLoop() {
                    position = Int(body)
                    continue
                }

            case .partial(let index):
                try renderPartial(program.partials[Int(index)], program, scope)
            }
            position += 1
        }
    }

    private mutating func write(_ value: TemplateValue, escapesHTML: Bool, _ program: TemplateProgram, site: Int32) throws(TemplateError) {
        switch value {
        case .null:
            return
        case .string(let text):
            if escapesHTML && escapesOutput {
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
            let site = program.sites[Int(site)]
            throw TemplateError(
                site.location,
                "`\(site.source)` is \(value.kindDescription), which has no text form; "
                    + "print one of its members, or loop over it with `{{#each \(site.source) as item}}`"
            )
        }
    }

    /// Appends text, escaped unless this render is plain text.
    private mutating func appendText(_ text: String) {
        if escapesOutput {
            HTMLEscaping.append(escaping: text, to: &output)
        } else {
            HTMLEscaping.append(raw: text, to: &output)
        }
    }

    private mutating func translate(_ translation: TranslationCode, _ program: TemplateProgram, _ scope: Scope) throws(TemplateError) {
        let key: String
        switch evaluate(translation.key, program, scope) {
        case .string(let text), .trustedHTML(let text):
            key = text
        case .null:
            return
        case let other:
            throw TemplateError(program.sites[Int(translation.site)].location, "the translation key is \(other.kindDescription), but it must be a string")
        }

        guard let translator else {
            appendText(key)
            return
        }
        var arguments: [String: TemplateValue] = [:]
        for offset in 0..<Int(translation.argumentsCount) {
            let argument = program.arguments[Int(translation.argumentsStart) + offset]
            arguments[program.keys[Int(argument.key)]] = evaluate(argument.expression, program, scope)
        }
        appendText(translator(key, arguments))
    }

    /// Pushes the loop's frame and returns true, or returns false when there is nothing
    /// to iterate.
    private mutating func startLoop(_ loop: LoopCode, _ program: TemplateProgram, _ scope: Scope) throws(TemplateError) -> Bool {
        let elements: [TemplateValue]
        switch evaluate(loop.sequence, program, scope) {
        case .null:
            return false
        case .array(let array):
            elements = array
        case .dictionary(let dictionary):
            // Sorted so that a page lists entries in the same order on every render.
            elements = dictionary.keys.sorted().map { key in
                .dictionary(["key": .string(key), "value": dictionary[key] ?? .null])
            }
        case let other:
            let site = program.sites[Int(loop.site)]
            throw TemplateError(
                site.location,
                "`{{#each \(site.source)}}` needs an array or a dictionary, but `\(site.source)` is \(other.kindDescription)"
            )
        }

        guard let first = elements.first else { return false }
        frames.append(Frame(name: loop.variable, value: first, loopIndex: 0, loopCount: elements.count, elements: elements))
        return true
    }

    /// Moves the innermost loop, always the top frame here, to its next element and
    /// returns true, or pops it and returns false after the last one.
    private mutating func advanceLoop() -> Bool {
        let top = frames.count - 1
        let next = frames[top].loopIndex + 1
        guard next < frames[top].loopCount else {
            frames.removeLast()
            return false
        }
        frames[top].loopIndex = next
        frames[top].value = frames[top].elements[next]
        return true
    }

    private mutating func renderPartial(_ partial: PartialCode, _ program: TemplateProgram, _ scope: Scope) throws(TemplateError) {
        guard partialDepth < Renderer.maximumPartialDepth else {
            let site = program.sites[Int(partial.site)]
            throw TemplateError(
                site.location,
                "partials are nested more than \(Renderer.maximumPartialDepth) deep; \"\(site.source)\" probably includes itself without a condition that ends the recursion"
            )
        }
        let target = set.templates[Int(partial.target)]
        guard let targetProgram = target.program else {
            // Linking marks every user of a failed partial as failed, so this is only
            // reached if that propagation misses a case.
            throw target.failure ?? TemplateError(program.sites[Int(partial.site)].location, "partial \"\(target.name)\" could not be loaded")
        }

        var context: TemplateValue?
        if partial.context >= 0 {
            context = evaluate(partial.context, program, scope)
        }

        // Arguments are evaluated in the caller's scope. Their frames are pushed unnamed
        // first so that an argument never reads one given before it.
        let savedFrameCount = frames.count
        let argumentsStart = Int(partial.argumentsStart)
        let argumentsCount = Int(partial.argumentsCount)
        for _ in 0..<argumentsCount {
            frames.append(Frame(name: -1, value: .null, loopIndex: -1, loopCount: 0, elements: []))
        }
        for offset in 0..<argumentsCount {
            frames[savedFrameCount + offset].value = evaluate(program.arguments[argumentsStart + offset].expression, program, scope)
        }
        for offset in 0..<argumentsCount {
            frames[savedFrameCount + offset].name = program.arguments[argumentsStart + offset].name
        }

        let partialScope = context.map { Scope(root: $0, frameBase: savedFrameCount) } ?? scope
        partialDepth += 1
        try run(targetProgram, partialScope)
        partialDepth -= 1
        frames.removeSubrange(savedFrameCount...)
    }

    // MARK: - Values

    private func evaluate(_ index: Int32, _ program: TemplateProgram, _ scope: Scope) -> TemplateValue {
        switch program.expressions[Int(index)] {
        case .literal(let literal):
            return program.literals[Int(literal)]

        case .variable(let name, let key, let membersStart, let membersCount):
            let start = lookUp(name, key: key, program, scope)
            return follow(membersStart, membersCount, from: start, program)

        case .context(let membersStart, let membersCount):
            return follow(membersStart, membersCount, from: scope.root, program)

        case .loopProperty(let parentSteps, let property):
            return loopProperty(property, parentSteps: Int(parentSteps), scope)

        case .comparison(let left, let comparison, let right):
            return .bool(comparison.evaluate(evaluate(left, program, scope), evaluate(right, program, scope)))
        }
    }

    private func lookUp(_ name: Int32, key: Int32, _ program: TemplateProgram, _ scope: Scope) -> TemplateValue {
        var index = frames.count - 1
        while index >= scope.frameBase {
            if frames[index].name == name {
                return frames[index].value
            }
            index -= 1
        }
        if case .dictionary(let dictionary) = scope.root {
            return dictionary[program.keys[Int(key)]] ?? .null
        }
        return .null
    }

    private func follow(_ start: Int32, _ count: Int32, from value: TemplateValue, _ program: TemplateProgram) -> TemplateValue {
        var value = value
        for position in Int(start)..<Int(start + count) {
            switch (value, program.members[position]) {
            case (.dictionary(let dictionary), .key(let key)):
                value = dictionary[program.keys[Int(key)]] ?? .null
            case (.array(let array), .index(let index)):
                value = index < array.count ? array[index] : .null
            case (.array(let array), .key(let key)):
                value = Renderer.arrayProperty(program.keys[Int(key)], of: array)
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
            let loopIndex = frames[index].loopIndex
            if loopIndex >= 0 {
                if stepsLeft == 0 {
                    let count = frames[index].loopCount
                    switch property {
                    case .index: return .int(loopIndex)
                    case .number: return .int(loopIndex + 1)
                    case .count: return .int(count)
                    case .first: return .bool(loopIndex == 0)
                    case .last: return .bool(loopIndex == count - 1)
                    }
                }
                stepsLeft -= 1
            }
            index -= 1
        }
        return .null
    }
}
