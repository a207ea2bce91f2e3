/// A value as the renderer reads it: where it is stored, or a small computed value.
///
/// Holding a pointer instead of a `TemplateValue` copy means resolving a path and
/// writing its value retain and release nothing. Every pointer refers to memory that
/// outlives the render step using it: the render's own copy of the context (and every
/// array inside it, which nothing mutates during the render), a program's literal
/// table, or the entries a dictionary loop built and the renderer keeps.
enum ValueReference {
    /// A missing value, which templates treat as `null`.
    case missing
    case stored(UnsafePointer<TemplateValue>)
    /// A loop property or an array's `count`.
    case int(Int)
    /// A comparison, a loop's `first` or `last`, or an array's `isEmpty`.
    case bool(Bool)

    /// A copy of the value, for the few places that need one: comparisons, translation
    /// arguments and error messages.
    var value: TemplateValue {
        switch self {
        case .missing: return .null
        case .stored(let pointer): return pointer.pointee
        case .int(let number): return .int(number)
        case .bool(let flag): return .bool(flag)
        }
    }

    var isTruthy: Bool {
        switch self {
        case .missing: return false
        case .stored(let pointer): return pointer.pointee.isTruthy
        case .int(let number): return number != 0
        case .bool(let flag): return flag
        }
    }
}

// MARK: - Evaluating expressions

extension Renderer {
    func evaluate(_ index: Int32, _ program: ProgramTables, _ scope: Scope) -> ValueReference {
        switch program.expressions[Int(index)] {
        case .literal(let literal):
            return .stored(UnsafePointer(program.literals.baseAddress! + Int(literal)))

        case .variable(let name, let key, let membersStart, let membersCount):
            let start = lookUp(name, key: key, program, scope)
            return follow(membersStart, membersCount, from: start, program)

        case .context(let membersStart, let membersCount):
            return follow(membersStart, membersCount, from: scope.root, program)

        case .loopProperty(let parentSteps, let property):
            return loopProperty(property, parentSteps: Int(parentSteps), scope)

        case .comparison(let left, let comparison, let right):
            let leftValue = evaluate(left, program, scope).value
            let rightValue = evaluate(right, program, scope).value
            return .bool(comparison.evaluate(leftValue, rightValue))
        }
    }

    /// Resolves the first name of a path: loop variables and partial arguments of the
    /// scope, innermost first, then the scope's context.
    private func lookUp(_ name: Int32, key: Int32, _ program: ProgramTables, _ scope: Scope) -> ValueReference {
        var index = frames.count - 1
        while index >= scope.frameBase {
            if frames[index].name == name {
                return frames[index].value
            }
            index -= 1
        }
        return Renderer.member(program.keys[Int(key)], of: scope.root)
    }

    private static func member(_ key: String, of reference: ValueReference) -> ValueReference {
        guard case .stored(let pointer) = reference, case .fields(let fields) = pointer.pointee else {
            return .missing
        }
        guard let value = fields.valuePointer(forKey: key) else { return .missing }
        return .stored(value)
    }

    private func follow(_ start: Int32, _ count: Int32, from reference: ValueReference, _ program: ProgramTables) -> ValueReference {
        var current = reference
        for position in Int(start)..<Int(start + count) {
            guard case .stored(let pointer) = current else { return .missing }

            switch program.members[position] {
            case .key(let key):
                switch pointer.pointee {
                case .fields(let fields):
                    guard let value = fields.valuePointer(forKey: program.keys[Int(key)]) else { return .missing }
                    current = .stored(value)
                case .array(let array):
                    current = Renderer.arrayProperty(program.keys[Int(key)], of: array)
                default:
                    return .missing
                }

            case .index(let index):
                guard case .array(let array) = pointer.pointee, index < array.count else { return .missing }
                current = .stored(array.withUnsafeBufferPointer { $0.baseAddress! + index })
            }
        }
        return current
    }

    private static func arrayProperty(_ key: String, of array: [TemplateValue]) -> ValueReference {
        switch key {
        case "count":
            return .int(array.count)
        case "isEmpty":
            return .bool(array.isEmpty)
        case "first":
            return array.isEmpty ? .missing : .stored(array.withUnsafeBufferPointer { $0.baseAddress! })
        case "last":
            return array.isEmpty ? .missing : .stored(array.withUnsafeBufferPointer { $0.baseAddress! + (array.count - 1) })
        default:
            return .missing
        }
    }

    private func loopProperty(_ property: LoopProperty, parentSteps: Int, _ scope: Scope) -> ValueReference {
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
        return .missing
    }
}
