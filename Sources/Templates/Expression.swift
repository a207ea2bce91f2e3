/// A value inside a tag: a literal, a path, a `loop` property, or one comparison.
indirect enum Expression: Sendable {
    case literal(TemplateValue)
    /// A path whose first name is looked up among loop variables and partial arguments,
    /// innermost first, then in the context.
    case variable(name: String, members: [PathMember])
    /// `this` and `this.a.b`: the context itself, skipping loop variables.
    case context(members: [PathMember])
    /// `loop.index`, `loop.parent.first`, …: `parentSteps` counts the `parent` hops.
    case loopProperty(parentSteps: Int, LoopProperty)
    case comparison(Expression, ComparisonOperator, Expression)
}

/// One step after a dot in a path.
enum PathMember: Sendable {
    /// A dictionary key, or on an array one of `count`, `isEmpty`, `first`, `last`.
    case key(String)
    /// A zero-based array position, written as digits (`items.0`).
    case index(Int)
}

enum LoopProperty: String, Sendable, CaseIterable {
    /// Zero-based position.
    case index
    /// One-based position, for numbering that shoppers read.
    case number
    case count
    case first
    case last
}

enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    /// Compares without converting between kinds: an integer and a double compare as
    /// numbers, trusted HTML compares as a string, and any other pair of different kinds
    /// is unequal. Ordering is defined only for two numbers or two strings and is false
    /// otherwise, for every ordering operator.
    func evaluate(_ lhs: TemplateValue, _ rhs: TemplateValue) -> Bool {
        switch self {
        case .equal:
            return ComparisonOperator.isEqual(lhs, rhs)
        case .notEqual:
            return !ComparisonOperator.isEqual(lhs, rhs)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = ComparisonOperator.order(lhs, rhs) else { return false }
            switch self {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    private static func isEqual(_ lhs: TemplateValue, _ rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let left), .double(let right)): return Double(left) == right
        case (.double(let left), .int(let right)): return left == Double(right)
        case (.trustedHTML(let left), .string(let right)): return left == right
        case (.string(let left), .trustedHTML(let right)): return left == right
        default: return lhs == rhs
        }
    }

    /// -1, 0 or 1, or nil when the two values have no order.
    private static func order(_ lhs: TemplateValue, _ rhs: TemplateValue) -> Int? {
        if let left = number(lhs), let right = number(rhs) {
            if left.isNaN || right.isNaN { return nil }
            if case .int(let leftInt) = lhs, case .int(let rightInt) = rhs {
                return leftInt < rightInt ? -1 : (leftInt == rightInt ? 0 : 1)
            }
            return left < right ? -1 : (left == right ? 0 : 1)
        }
        if let left = text(lhs), let right = text(rhs) {
            return left < right ? -1 : (left == right ? 0 : 1)
        }
        return nil
    }

    private static func number(_ value: TemplateValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    private static func text(_ value: TemplateValue) -> String? {
        switch value {
        case .string(let text), .trustedHTML(let text): return text
        default: return nil
        }
    }
}
