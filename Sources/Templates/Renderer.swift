/// Turns a translation key and its named arguments into shopper-facing text. The result
/// is escaped like any other value.
public typealias TemplateTranslator = @Sendable (_ key: String, _ arguments: [String: TemplateValue]) -> String

/// Runs template programs into a byte buffer. One renderer serves one render call on one
/// thread; what it shares with other threads (the set and its programs) is immutable.
///
/// Values are read where they are stored, through `ValueReference`, instead of being
/// copied out of the context. A copy of a string or container retains its storage and
/// the end of its use releases it, two atomic operations per value read.
struct Renderer: ~Copyable {
    /// Nesting limit for partials, which stops a partial that includes itself without an
    /// end condition long before the thread's stack runs out.
    static let maximumPartialDepth = 100

    private var output: OutputBuffer
    private let set: TemplateSet
    /// `set.programTables`, held apart so that a partial call reads it without
    /// retaining the set.
    private let programs: UnsafeMutableBufferPointer<ProgramTables?>
    private let translator: TemplateTranslator?
    /// False for plain-text output such as a mail's text part, where every value is
    /// written as it is.
    private let escapesOutput: Bool
    /// Loop variables and partial arguments, innermost last.
    var frames = FrameStack(capacity: 16)
    private var partialDepth = 0
    /// The entries that loops over dictionaries visit, built by the loop and kept until
    /// the render ends because loop frames point into them.
    private var dictionaryEntries: [[TemplateValue]] = []
    /// Translations without arguments written so far, as written to the output.
    private var translatedTexts: [(key: String, bytes: [UInt8])] = []
    /// For each translation tag already run, the entry of `translatedTexts` it wrote,
    /// by the tag's program and index. A tag inside a loop then copies its text without
    /// evaluating or comparing its key again.
    private var translatedTags: [(program: UnsafeMutableRawPointer, index: Int32, entry: Int)] = []

    /// A name bound by `{{#each … as name}}` or by a partial argument. A loop frame also
    /// carries the loop's elements and position, so `loop.*` needs no allocation.
    struct Frame {
        /// The set-wide number of the name; -1 while a partial's arguments are being
        /// evaluated, so that no argument can read another.
        var name: Int32
        var value: ValueReference
        /// -1 for a partial argument.
        var loopIndex: Int
        var loopCount: Int
        var elements: UnsafePointer<TemplateValue>?
    }

    /// The values that names resolve against: the context and the frames from
    /// `frameBase` up. A partial given its own context starts a new scope that hides the
    /// caller's frames.
    struct Scope {
        let root: ValueReference
        let frameBase: Int
    }

    /// Creates a renderer that writes into `memory` while the output fits there, as
    /// `OutputBuffer.init(writingInto:)` describes.
    init(set: TemplateSet, translator: TemplateTranslator?, escapesOutput: Bool = true, writingInto memory: UnsafeMutableBufferPointer<UInt8>) {
        self.set = set
        self.programs = set.programTables
        self.translator = translator
        self.escapesOutput = escapesOutput
        self.output = OutputBuffer(writingInto: memory)
    }

    var outputCount: Int {
        output.count
    }

    /// Whether every byte written so far is in the memory passed to `init(writingInto:)`.
    var isOutputInLentMemory: Bool {
        output.isInLentMemory
    }

    mutating func render(_ program: ProgramTables, context: TemplateValue) throws(TemplateError) {
        // The context gets an address of its own so that references can point at it.
        let root = UnsafeMutablePointer<TemplateValue>.allocate(capacity: 1)
        root.initialize(to: context)
        defer {
            root.deinitialize(count: 1)
            root.deallocate()
        }
        try run(program, Scope(root: .stored(root), frameBase: 0))
    }

    consuming func finish() -> [UInt8] {
        output.makeArray()
    }

    // MARK: - Instructions

    private mutating func run(_ program: ProgramTables, _ scope: Scope) throws(TemplateError) {
        let instructions = program.instructions
        let end = instructions.count
        var position = 0

        while position < end {
            switch instructions[position] {
            case .text(let start, let stop):
                output.append(UnsafeBufferPointer(start: program.text.baseAddress! + Int(start), count: Int(stop - start)))

            case .output(let expression, let site, let escapesHTML):
                try write(evaluate(expression, program, scope), escapesHTML: escapesHTML, program, site: site)

            case .textThenOutput(let start, let stop, let expression, let site, let escapesHTML):
                output.append(UnsafeBufferPointer(start: program.text.baseAddress! + Int(start), count: Int(stop - start)))
                try write(evaluate(expression, program, scope), escapesHTML: escapesHTML, program, site: site)

            case .translation(let index):
                if let entry = translatedEntry(program, index) {
                    translatedTexts[entry].bytes.withUnsafeBufferPointer { output.append($0) }
                } else {
                    try translate(program.translations[Int(index)], tag: index, program, scope)
                }

            case .branch(let expression, let negated, let otherwise):
                if evaluate(expression, program, scope).isTruthy == negated {
                    position = Int(otherwise)
                    continue
                }

            case .textThenBranch(let start, let stop, let expression, let negated, let otherwise):
                output.append(UnsafeBufferPointer(start: program.text.baseAddress! + Int(start), count: Int(stop - start)))
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

    private mutating func write(_ reference: ValueReference, escapesHTML: Bool, _ program: ProgramTables, site: Int32) throws(TemplateError) {
        switch reference {
        case .missing:
            return
        case .int(let number):
            HTMLEscaping.append(integer: number, to: &output)
        case .bool(let flag):
            appendStatic(flag ? "true" : "false")
        case .stored(let pointer):
            // A long string is written from where it is stored. Binding it from
            // `pointer.pointee` around the writes would copy it, because the compiler
            // cannot rule out that writing the output changes the pointee, and a copy
            // costs a retain and a release.
            if let text = pointer.longText {
                if escapesHTML && escapesOutput && !text.isTrustedHTML {
                    HTMLEscaping.append(escaping: text.bytes, to: &output)
                } else {
                    output.append(text.bytes)
                }
                return
            }
            try write(stored: pointer.pointee, escapesHTML: escapesHTML, program, site: site)
        }
    }

    private mutating func write(stored value: TemplateValue, escapesHTML: Bool, _ program: ProgramTables, site: Int32) throws(TemplateError) {
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
            appendStatic(flag ? "true" : "false")
        case .array, .fields:
            let site = program.sites[Int(site)]
            throw TemplateError(
                site.location,
                "`\(site.source)` is \(value.kindDescription), which has no text form; "
                    + "print one of its members, or loop over it with `{{#each \(site.source) as item}}`"
            )
        }
    }

    private mutating func appendStatic(_ text: StaticString) {
        output.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends text, escaped unless this render is plain text.
    private mutating func appendText(_ text: String) {
        if escapesOutput {
            HTMLEscaping.append(escaping: text, to: &output)
        } else {
            HTMLEscaping.append(raw: text, to: &output)
        }
    }

    /// Returns the `translatedTexts` entry that translation tag `index` of `program` wrote
    /// earlier in this render, or nil.
    private func translatedEntry(_ program: ProgramTables, _ index: Int32) -> Int? {
        let storage = UnsafeMutableRawPointer(program.storage)
        for tag in translatedTags where tag.index == index && tag.program == storage {
            return tag.entry
        }
        return nil
    }

    private mutating func translate(_ translation: TranslationCode, tag: Int32, _ program: ProgramTables, _ scope: Scope) throws(TemplateError) {
        let key: String
        let reference = evaluate(translation.key, program, scope)
        switch reference.value {
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

        let argumentsCount = Int(translation.argumentsCount)
        guard argumentsCount > 0 else {
            let entry = appendTranslation(of: key, translator)
            // Only a literal key gives the same text on every run of the tag.
            if case .literal = program.expressions[Int(translation.key)] {
                translatedTags.append((UnsafeMutableRawPointer(program.storage), tag, entry))
            }
            return
        }
        var arguments: [String: TemplateValue] = [:]
        arguments.reserveCapacity(argumentsCount)
        for offset in 0..<argumentsCount {
            let argument = program.arguments[Int(translation.argumentsStart) + offset]
            arguments[program.keys[Int(argument.key)]] = evaluate(argument.expression, program, scope).value
        }
        appendText(translator(key, arguments))
    }

    /// Appends the translation of a key without arguments. The translator is called once
    /// per key and render, and later uses of the key copy the text written the first
    /// time. That matters for a text inside a loop, such as a product card's button.
    /// Returns the index of the key's entry in `translatedTexts`.
    @discardableResult
    private mutating func appendTranslation(of key: String, _ translator: TemplateTranslator) -> Int {
        for index in translatedTexts.indices where translatedTexts[index].key == key {
            translatedTexts[index].bytes.withUnsafeBufferPointer { output.append($0) }
            return index
        }
        let start = output.count
        appendText(translator(key, [:]))
        translatedTexts.append((key, output.bytes(from: start)))
        return translatedTexts.count - 1
    }

    /// Pushes the loop's frame and returns true, or returns false when there is nothing
    /// to iterate.
    private mutating func startLoop(_ loop: LoopCode, _ program: ProgramTables, _ scope: Scope) throws(TemplateError) -> Bool {
        let sequence = evaluate(loop.sequence, program, scope)
        let elements: UnsafePointer<TemplateValue>
        let count: Int

        switch sequence {
        case .missing:
            return false
        case .stored(let pointer):
            if let array = pointer.arrayElements {
                guard let first = array.baseAddress, !array.isEmpty else { return false }
                elements = first
                count = array.count
            } else if case .fields(let fields) = pointer.pointee {
                guard !fields.isEmpty else { return false }
                // Sorted so that a page lists entries in the same order on every render.
                let entries: [TemplateValue] = fields.entries.sorted { $0.key < $1.key }.map { entry in
                    ["key": .string(entry.key), "value": entry.value]
                }
                dictionaryEntries.append(entries)
                elements = dictionaryEntries[dictionaryEntries.count - 1].withUnsafeBufferPointer { $0.baseAddress! }
                count = entries.count
            } else if case .null = pointer.pointee {
                return false
            } else {
                throw loopError(loop, program, kind: pointer.pointee.kindDescription)
            }
        case .int, .bool:
            throw loopError(loop, program, kind: sequence.value.kindDescription)
        }

        frames.append(Frame(name: loop.variable, value: .stored(elements), loopIndex: 0, loopCount: count, elements: elements))
        return true
    }

    private func loopError(_ loop: LoopCode, _ program: ProgramTables, kind: String) -> TemplateError {
        let site = program.sites[Int(loop.site)]
        return TemplateError(
            site.location,
            "`{{#each \(site.source)}}` needs an array or a dictionary, but `\(site.source)` is \(kind)"
        )
    }

    /// Moves the innermost loop, always the top frame here, to its next element and
    /// returns true, or pops it and returns false after the last one.
    private mutating func advanceLoop() -> Bool {
        let top = frames.count - 1
        let next = frames[top].loopIndex + 1
        guard next < frames[top].loopCount, let elements = frames[top].elements else {
            frames.removeAll(above: top)
            return false
        }
        frames[top].loopIndex = next
        frames[top].value = .stored(elements + next)
        return true
    }

    private mutating func renderPartial(_ partial: PartialCode, _ program: ProgramTables, _ scope: Scope) throws(TemplateError) {
        guard partialDepth < Renderer.maximumPartialDepth else {
            let site = program.sites[Int(partial.site)]
            throw TemplateError(
                site.location,
                "partials are nested more than \(Renderer.maximumPartialDepth) deep; \"\(site.source)\" probably includes itself without a condition that ends the recursion"
            )
        }
        guard let target = programs[Int(partial.target)] else {
            // Linking marks every user of a failed partial as failed, so this is only
            // reached if that propagation misses a case.
            let template = set.templates[Int(partial.target)]
            throw template.failure ?? TemplateError(program.sites[Int(partial.site)].location, "partial \"\(template.name)\" could not be loaded")
        }

        var context: ValueReference?
        if partial.context >= 0 {
            context = evaluate(partial.context, program, scope)
        }

        // Arguments are evaluated in the caller's scope. Their frames are pushed unnamed
        // first so that an argument never reads one given before it.
        let savedFrameCount = frames.count
        let argumentsStart = Int(partial.argumentsStart)
        let argumentsCount = Int(partial.argumentsCount)
        for _ in 0..<argumentsCount {
            frames.append(Frame(name: -1, value: .missing, loopIndex: -1, loopCount: 0, elements: nil))
        }
        for offset in 0..<argumentsCount {
            frames[savedFrameCount + offset].value = evaluate(program.arguments[argumentsStart + offset].expression, program, scope)
        }
        for offset in 0..<argumentsCount {
            frames[savedFrameCount + offset].name = program.arguments[argumentsStart + offset].name
        }

        let partialScope = context.map { Scope(root: $0, frameBase: savedFrameCount) } ?? scope
        partialDepth += 1
        try run(target, partialScope)
        partialDepth -= 1
        frames.removeAll(above: savedFrameCount)
    }
}
