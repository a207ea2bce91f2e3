/// A value as the renderer reads it: where it is stored, or a small computed value.
///
/// Holding a pointer instead of a `TemplateValue` copy means resolving a path and
/// writing its value retain and release nothing. Every pointer refers to memory that
/// outlives the render step using it. That memory is the render's own copy of the
/// context with every array inside it, which nothing mutates during the render, a
/// program's literal table, or the entries that a dictionary loop built and the
/// renderer keeps.
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

// MARK: - Reading in place

extension UnsafePointer where Pointee == TemplateValue {
    // These accessors hand out pointers into the storage of the array inside the value,
    // which stays where it is while the value is alive and unmodified (see
    // `ValueReference`). They write no memory, which lets the compiler read the payload
    // without copying it; a copy would retain the array and release it after use.

    /// The pairs of a dictionary value, or nil for any other kind.
    var fieldPairs: UnsafeBufferPointer<(String, TemplateValue)>? {
        guard case .fields(let fields) = pointee else { return nil }
        return fields.pairs.withUnsafeBufferPointer { $0 }
    }

    /// The elements of an array value, or nil for any other kind.
    var arrayElements: UnsafeBufferPointer<TemplateValue>? {
        guard case .array(let array) = pointee else { return nil }
        return array.withUnsafeBufferPointer { $0 }
    }

    /// The UTF-8 bytes of a string or trusted HTML value longer than 15 bytes, and
    /// whether it is trusted HTML; nil for anything else.
    ///
    /// Swift stores strings of up to 15 UTF-8 bytes inside the `String` value itself, so
    /// their bytes have no address that outlives a copy. Copying such a string retains
    /// nothing, so the caller copies those. A longer string's bytes live in storage that
    /// the value keeps alive. A string without contiguous UTF-8 storage (bridged from
    /// Objective-C) returns nil.
    var longText: (bytes: UnsafeBufferPointer<UInt8>, isTrustedHTML: Bool)? {
        let isTrustedHTML: Bool
        switch pointee {
        case .string(let text), .trustedHTML(let text):
            guard text.utf8.count > 15, let bytes = text.utf8.withContiguousStorageIfAvailable({ $0 }) else { return nil }
            if case .trustedHTML = pointee {
                isTrustedHTML = true
            } else {
                isTrustedHTML = false
            }
            return (bytes, isTrustedHTML)
        default:
            return nil
        }
    }
}

// MARK: - Evaluating expressions

extension Renderer {
    // The functions below are `mutating` although they change nothing: a non-mutating
    // method of a noncopyable struct, called from a mutating one, receives a bitwise
    // copy of the whole renderer, about a hundred bytes per call.

    mutating func evaluate(_ index: Int32, _ program: ProgramTables, _ scope: Scope) -> ValueReference {
        switch program.expressions[Int(index)] {
        case .literal(let literal):
            return .stored(UnsafePointer(program.literals.baseAddress! + Int(literal)))

        case .variable(let name, let key, let membersStart, let membersCount):
            let start = lookUp(name, key: key, program, scope)
            return membersCount == 0 ? start : follow(membersStart, membersCount, from: start, program)

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
    private mutating func lookUp(_ name: Int32, key: Int32, _ program: ProgramTables, _ scope: Scope) -> ValueReference {
        if name >= 0 {
            var index = frames.count - 1
            while index >= scope.frameBase {
                if frames[index].name == name {
                    return frames[index].value
                }
                index -= 1
            }
        }
        return Renderer.member(program.keys[Int(key)], of: scope.root)
    }

    private static func member(_ key: String, of reference: ValueReference) -> ValueReference {
        guard case .stored(let pointer) = reference, let pairs = pointer.fieldPairs else { return .missing }
        return member(key, in: pairs)
    }

    private static func member(_ key: String, in pairs: UnsafeBufferPointer<(String, TemplateValue)>) -> ValueReference {
        guard let pointer = TemplateFields.valuePointer(forKey: key, in: pairs) else { return .missing }
        return .stored(pointer)
    }

    private mutating func follow(_ start: Int32, _ count: Int32, from reference: ValueReference, _ program: ProgramTables) -> ValueReference {
        var current = reference
        for position in Int(start)..<Int(start + count) {
            guard case .stored(let pointer) = current else { return .missing }

            switch program.members[position] {
            case .key(let key):
                if let pairs = pointer.fieldPairs {
                    current = Renderer.member(program.keys[Int(key)], in: pairs)
                } else if let elements = pointer.arrayElements {
                    current = Renderer.arrayProperty(program.keys[Int(key)], of: elements)
                } else {
                    return .missing
                }

            case .index(let index):
                guard let elements = pointer.arrayElements, index < elements.count else { return .missing }
                current = .stored(elements.baseAddress! + index)
            }
        }
        return current
    }

    private static func arrayProperty(_ key: String, of elements: UnsafeBufferPointer<TemplateValue>) -> ValueReference {
        switch key {
        case "count":
            return .int(elements.count)
        case "isEmpty":
            return .bool(elements.isEmpty)
        case "first":
            return elements.isEmpty ? .missing : .stored(elements.baseAddress!)
        case "last":
            return elements.isEmpty ? .missing : .stored(elements.baseAddress! + (elements.count - 1))
        default:
            return .missing
        }
    }

    private mutating func loopProperty(_ property: LoopProperty, parentSteps: Int, _ scope: Scope) -> ValueReference {
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
