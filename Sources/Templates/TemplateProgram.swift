/// The flat form in which a linked template is rendered.
///
/// A tree of enums holding arrays, strings and boxed expressions costs a reference-count
/// increment and decrement for every node visited. Because the trees are shared, those
/// counters sit on memory that every rendering thread writes, and the threads slow each
/// other down. A program is instead an array of plain-data instructions with jump targets,
/// plus tables that instructions point into by index, so rendering a node touches no
/// shared counter.
///
/// The tables live in memory allocated here and are read through `ProgramTables`, a
/// struct of plain pointers, so reading one retains nothing.
///
/// `@unchecked Sendable` is safe because every table is written once, in `init`, before
/// the program is published, and only read afterwards. `deinit` runs only when no set,
/// and so no render, holds the program any more.
final class TemplateProgram: @unchecked Sendable {
    let tables: ProgramTables

    fileprivate init(_ builder: ProgramBuilder) {
        let storage = UnsafeMutablePointer<ProgramTables.Storage>.allocate(capacity: 1)
        storage.initialize(to: ProgramTables.Storage(
            instructions: TemplateProgram.copy(builder.instructions),
            text: TemplateProgram.copy(builder.text),
            expressions: TemplateProgram.copy(builder.expressions),
            members: TemplateProgram.copy(builder.members),
            keys: TemplateProgram.copy(builder.keys),
            literals: TemplateProgram.copy(builder.literals),
            loops: TemplateProgram.copy(builder.loops),
            partials: TemplateProgram.copy(builder.partials),
            translations: TemplateProgram.copy(builder.translations),
            arguments: TemplateProgram.copy(builder.arguments),
            sites: TemplateProgram.copy(builder.sites)
        ))
        tables = ProgramTables(storage: storage)
    }

    deinit {
        let storage = tables.storage.pointee
        TemplateProgram.free(storage.instructions)
        TemplateProgram.free(storage.text)
        TemplateProgram.free(storage.expressions)
        TemplateProgram.free(storage.members)
        TemplateProgram.free(storage.keys)
        TemplateProgram.free(storage.literals)
        TemplateProgram.free(storage.loops)
        TemplateProgram.free(storage.partials)
        TemplateProgram.free(storage.translations)
        TemplateProgram.free(storage.arguments)
        TemplateProgram.free(storage.sites)
        tables.storage.deinitialize(count: 1)
        tables.storage.deallocate()
    }

    private static func copy<Element>(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: array.count)
        _ = buffer.initialize(fromContentsOf: array)
        return buffer
    }

    private static func free<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
        buffer.deinitialize()
        buffer.deallocate()
    }

    /// Compiles a linked body. `names` gives every name that can be bound by a loop or a
    /// partial argument a number shared by the whole set, so scopes compare integers.
    static func compile(_ body: [Node], names: inout NameTable) -> TemplateProgram {
        var builder = ProgramBuilder()
        builder.emit(body, names: &names)
        return TemplateProgram(builder)
    }
}

/// The tables of one program, reached through one pointer so that passing them to a
/// function copies eight bytes. The memory belongs to the `TemplateProgram`, which must
/// outlive every use of a copy.
struct ProgramTables {
    struct Storage {
        let instructions: UnsafeMutableBufferPointer<Instruction>
        /// Every literal text run of the template, back to back.
        let text: UnsafeMutableBufferPointer<UInt8>
        let expressions: UnsafeMutableBufferPointer<ExpressionCode>
        let members: UnsafeMutableBufferPointer<MemberCode>
        /// Dictionary keys used by paths and argument names, by index.
        let keys: UnsafeMutableBufferPointer<String>
        let literals: UnsafeMutableBufferPointer<TemplateValue>
        let loops: UnsafeMutableBufferPointer<LoopCode>
        let partials: UnsafeMutableBufferPointer<PartialCode>
        let translations: UnsafeMutableBufferPointer<TranslationCode>
        let arguments: UnsafeMutableBufferPointer<ArgumentCode>
        /// Source positions and text, read only to build an error.
        let sites: UnsafeMutableBufferPointer<RenderSite>
    }

    let storage: UnsafeMutablePointer<Storage>

    var instructions: UnsafeMutableBufferPointer<Instruction> { storage.pointee.instructions }
    var text: UnsafeMutableBufferPointer<UInt8> { storage.pointee.text }
    var expressions: UnsafeMutableBufferPointer<ExpressionCode> { storage.pointee.expressions }
    var members: UnsafeMutableBufferPointer<MemberCode> { storage.pointee.members }
    var keys: UnsafeMutableBufferPointer<String> { storage.pointee.keys }
    var literals: UnsafeMutableBufferPointer<TemplateValue> { storage.pointee.literals }
    var loops: UnsafeMutableBufferPointer<LoopCode> { storage.pointee.loops }
    var partials: UnsafeMutableBufferPointer<PartialCode> { storage.pointee.partials }
    var translations: UnsafeMutableBufferPointer<TranslationCode> { storage.pointee.translations }
    var arguments: UnsafeMutableBufferPointer<ArgumentCode> { storage.pointee.arguments }
    var sites: UnsafeMutableBufferPointer<RenderSite> { storage.pointee.sites }
}

/// One step of a program. Targets are instruction positions.
enum Instruction: Sendable {
    case text(start: Int32, end: Int32)
    case output(expression: Int32, site: Int32, escapesHTML: Bool)
    /// A text run and the output tag right after it, in one step because most outputs
    /// follow text and each step costs a dispatch.
    case textThenOutput(start: Int32, end: Int32, expression: Int32, site: Int32, escapesHTML: Bool)
    /// A text run and the first branch of the conditional right after it.
    case textThenBranch(start: Int32, end: Int32, expression: Int32, negated: Bool, otherwise: Int32)
    case translation(Int32)
    /// Jumps to `otherwise` unless the condition's truthiness differs from `negated`.
    case branch(expression: Int32, negated: Bool, otherwise: Int32)
    case jump(Int32)
    /// Starts a loop, or jumps to `empty` (its `{{#else}}` part) when there is nothing to
    /// iterate.
    case loopStart(Int32, empty: Int32)
    /// Moves the innermost loop to its next element and jumps to `body`, or ends the loop
    /// and continues after this instruction.
    case loopNext(body: Int32)
    case partial(Int32)
}

enum ExpressionCode: Sendable {
    case literal(Int32)
    /// `name` is the set-wide number for scope lookups, or -1 when nothing binds the
    /// name; `key` indexes `keys` for the context dictionary lookup.
    case variable(name: Int32, key: Int32, membersStart: Int32, membersCount: Int32)
    case context(membersStart: Int32, membersCount: Int32)
    case loopProperty(parentSteps: Int32, LoopProperty)
    case comparison(left: Int32, ComparisonOperator, right: Int32)
}

enum MemberCode: Sendable {
    /// Indexes `keys`.
    case key(Int32)
    case index(Int)
}

struct LoopCode: Sendable {
    let sequence: Int32
    let variable: Int32
    let site: Int32
}

struct PartialCode: Sendable {
    /// Position of the partial in its `TemplateSet`.
    let target: Int32
    /// -1 when the partial shares the caller's scope.
    let context: Int32
    let argumentsStart: Int32
    let argumentsCount: Int32
    let site: Int32
}

struct TranslationCode: Sendable {
    let key: Int32
    let argumentsStart: Int32
    let argumentsCount: Int32
    let site: Int32
}

struct ArgumentCode: Sendable {
    let name: Int32
    /// Indexes `keys`, for the dictionary passed to a translator.
    let key: Int32
    let expression: Int32
}

/// The position and source text that an error raised by one instruction reports (the
/// expression, the loop's sequence, or the partial's name).
struct RenderSite: Sendable {
    let location: SourceLocation
    let source: String
}

/// Numbers for the names that loops and partial arguments bind, shared by all programs
/// of one set because a partial can read its caller's loop variables.
struct NameTable {
    private var numbers: [String: Int32] = [:]
    /// Every name that some loop or partial argument of the set binds.
    private var boundNames: Set<String> = []

    /// Collects the bound names of `bodies`, which must be every body of the set.
    init(bodies: some Sequence<[Node]>) {
        for body in bodies {
            collectBoundNames(body)
        }
    }

    /// Returns the number of a name that a loop or partial argument binds.
    mutating func number(for name: String) -> Int32 {
        if let number = numbers[name] {
            return number
        }
        let number = Int32(numbers.count)
        numbers[name] = number
        return number
    }

    /// Returns the number to look a path's first name up with among loop variables and
    /// partial arguments, or -1 when nothing in the set binds the name, so that the
    /// lookup goes straight to the context.
    mutating func lookupNumber(for name: String) -> Int32 {
        boundNames.contains(name) ? number(for: name) : -1
    }

    private mutating func collectBoundNames(_ nodes: [Node]) {
        for node in nodes {
            switch node {
            case .loop(let loop):
                boundNames.insert(loop.variable)
                collectBoundNames(loop.body)
                collectBoundNames(loop.emptyBody)
            case .partial(let partial):
                for argument in partial.arguments {
                    boundNames.insert(argument.name)
                }
            case .conditional(let conditional):
                for branch in conditional.branches {
                    collectBoundNames(branch.body)
                }
                collectBoundNames(conditional.otherwise)
            case .block(let block):
                collectBoundNames(block.body)
            case .text, .output, .translation:
                break
            }
        }
    }
}

private struct ProgramBuilder {
    var instructions: [Instruction] = []
    var text: [UInt8] = []
    var expressions: [ExpressionCode] = []
    var members: [MemberCode] = []
    var keys: [String] = []
    var keyIndexes: [String: Int32] = [:]
    var literals: [TemplateValue] = []
    var loops: [LoopCode] = []
    var partials: [PartialCode] = []
    var translations: [TranslationCode] = []
    var arguments: [ArgumentCode] = []
    var sites: [RenderSite] = []

    mutating func emit(_ nodes: [Node], names: inout NameTable) {
        // Whether the last instruction is a text run of this same body. Jumps only land
        // on the first instruction of a body or of a tag's code, never between two
        // nodes of one body, so an output can join the text run before it.
        var followsText = false
        for node in nodes {
            defer {
                if case .text = node {
                    followsText = true
                } else {
                    followsText = false
                }
            }
            switch node {
            case .text(let bytes):
                let start = Int32(text.count)
                text.append(contentsOf: bytes)
                instructions.append(.text(start: start, end: Int32(text.count)))

            case .output(let output):
                let expression = add(output.expression, names: &names)
                let site = addSite(output.location, output.source)
                if followsText, case .text(let start, let end) = instructions[instructions.count - 1] {
                    instructions[instructions.count - 1] = .textThenOutput(
                        start: start, end: end, expression: expression, site: site, escapesHTML: output.escapesHTML
                    )
                } else {
                    instructions.append(.output(expression: expression, site: site, escapesHTML: output.escapesHTML))
                }

            case .translation(let translation):
                let key = add(translation.key, names: &names)
                let (start, count) = addArguments(translation.arguments, names: &names)
                let site = addSite(translation.location, "t")
                translations.append(TranslationCode(key: key, argumentsStart: start, argumentsCount: count, site: site))
                instructions.append(.translation(Int32(translations.count - 1)))

            case .conditional(let conditional):
                emitConditional(conditional, followsText: followsText, names: &names)

            case .loop(let loop):
                emitLoop(loop, names: &names)

            case .partial(let partial):
                let context = partial.context.map { add($0, names: &names) } ?? -1
                let (start, count) = addArguments(partial.arguments, names: &names)
                let site = addSite(partial.location, partial.name)
                partials.append(PartialCode(target: Int32(partial.target), context: context, argumentsStart: start, argumentsCount: count, site: site))
                instructions.append(.partial(Int32(partials.count - 1)))

            case .block(let block):
                emit(block.body, names: &names)
            }
        }
    }

    private mutating func emitConditional(_ conditional: ConditionalNode, followsText: Bool, names: inout NameTable) {
        var jumpsToEnd: [Int] = []
        for (index, branch) in conditional.branches.enumerated() {
            let condition = add(branch.condition, names: &names)
            // Only the first branch may join the text before it: every later one is the
            // jump target of the branch before.
            let precedingText: (start: Int32, end: Int32)?
            if index == 0, followsText, case .text(let start, let end) = instructions[instructions.count - 1] {
                precedingText = (start, end)
                instructions.removeLast()
            } else {
                precedingText = nil
            }

            let branchPosition = instructions.count
            instructions.append(.jump(-1))
            emit(branch.body, names: &names)
            jumpsToEnd.append(instructions.count)
            instructions.append(.jump(-1))

            let otherwise = Int32(instructions.count)
            if let precedingText {
                instructions[branchPosition] = .textThenBranch(
                    start: precedingText.start, end: precedingText.end, expression: condition, negated: branch.negated, otherwise: otherwise
                )
            } else {
                instructions[branchPosition] = .branch(expression: condition, negated: branch.negated, otherwise: otherwise)
            }
        }
        emit(conditional.otherwise, names: &names)
        for position in jumpsToEnd {
            instructions[position] = .jump(Int32(instructions.count))
        }
    }

    private mutating func emitLoop(_ loop: LoopNode, names: inout NameTable) {
        let sequence = add(loop.sequence, names: &names)
        let site = addSite(loop.location, loop.sequenceSource)
        loops.append(LoopCode(sequence: sequence, variable: names.number(for: loop.variable), site: site))
        let loopIndex = Int32(loops.count - 1)

        let startPosition = instructions.count
        instructions.append(.loopStart(loopIndex, empty: -1))
        let bodyStart = Int32(instructions.count)
        emit(loop.body, names: &names)
        instructions.append(.loopNext(body: bodyStart))
        let jumpPosition = instructions.count
        instructions.append(.jump(-1))

        instructions[startPosition] = .loopStart(loopIndex, empty: Int32(instructions.count))
        emit(loop.emptyBody, names: &names)
        instructions[jumpPosition] = .jump(Int32(instructions.count))
    }

    private mutating func add(_ expression: Expression, names: inout NameTable) -> Int32 {
        let code: ExpressionCode
        switch expression {
        case .literal(let value):
            literals.append(value)
            code = .literal(Int32(literals.count - 1))
        case .variable(let name, let pathMembers):
            let (start, count) = addMembers(pathMembers)
            code = .variable(name: names.lookupNumber(for: name), key: key(name), membersStart: start, membersCount: count)
        case .context(let pathMembers):
            let (start, count) = addMembers(pathMembers)
            code = .context(membersStart: start, membersCount: count)
        case .loopProperty(let parentSteps, let property):
            code = .loopProperty(parentSteps: Int32(parentSteps), property)
        case .comparison(let left, let comparison, let right):
            let leftIndex = add(left, names: &names)
            let rightIndex = add(right, names: &names)
            code = .comparison(left: leftIndex, comparison, right: rightIndex)
        }
        expressions.append(code)
        return Int32(expressions.count - 1)
    }

    private mutating func addMembers(_ pathMembers: [PathMember]) -> (start: Int32, count: Int32) {
        let start = Int32(members.count)
        for member in pathMembers {
            switch member {
            case .key(let name): members.append(.key(key(name)))
            case .index(let index): members.append(.index(index))
            }
        }
        return (start, Int32(pathMembers.count))
    }

    private mutating func addArguments(_ named: [NamedArgument], names: inout NameTable) -> (start: Int32, count: Int32) {
        let start = Int32(arguments.count)
        for argument in named {
            let expression = add(argument.value, names: &names)
            arguments.append(ArgumentCode(name: names.number(for: argument.name), key: key(argument.name), expression: expression))
        }
        return (start, Int32(named.count))
    }

    private mutating func key(_ name: String) -> Int32 {
        if let index = keyIndexes[name] {
            return index
        }
        keys.append(name)
        let index = Int32(keys.count - 1)
        keyIndexes[name] = index
        return index
    }

    private mutating func addSite(_ location: SourceLocation, _ source: String) -> Int32 {
        sites.append(RenderSite(location: location, source: source))
        return Int32(sites.count - 1)
    }
}
