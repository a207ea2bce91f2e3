/// A value that a template reads: the context passed to a render call and everything
/// reachable from it by dotted paths.
///
/// A missing key and `null` are the same to a template: both render as nothing and both
/// are false in `{{#if}}`.
public enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    /// A dictionary: named values that paths reach with `.name`. A dictionary literal
    /// builds one without hashing its keys (see `TemplateFields`).
    case fields(TemplateFields)
    /// HTML that the calling code vouches for: `{{ value }}` writes it without escaping.
    /// Build it only from constant markup and from text that was already escaped, never
    /// from shopper or merchant input, because anything in it reaches the page as markup.
    case trustedHTML(String)
}

extension TemplateValue {
    /// Wraps any convertible Swift value.
    public init(_ value: some TemplateValueConvertible) {
        self = value.templateValue
    }

    /// Builds a dictionary from Swift values of mixed types, for example
    /// `TemplateValue(fields: ["name": product.name, "priceMinor": product.priceMinor])`.
    public init(fields: [String: any TemplateValueConvertible]) {
        var pairs: [(String, TemplateValue)] = []
        pairs.reserveCapacity(fields.count)
        for (key, value) in fields {
            pairs.append((key, value.templateValue))
        }
        self = .fields(TemplateFields(pairs: pairs))
    }

    /// Builds a dictionary value from a Swift dictionary. A dictionary literal written
    /// where a `TemplateValue` is expected does the same without creating the Swift
    /// dictionary first.
    public static func dictionary(_ values: [String: TemplateValue]) -> TemplateValue {
        .fields(TemplateFields(values))
    }

    /// Returns the value stored under `key` when this is a dictionary, otherwise `nil`.
    public subscript(key: String) -> TemplateValue? {
        guard case .fields(let fields) = self else { return nil }
        return fields[key]
    }

    /// Whether `{{#if}}` takes its first branch for this value. `false`, `null`, `0`, `0.0`,
    /// NaN, `""`, an empty array, an empty dictionary and empty trusted HTML are false.
    /// Everything else is true.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0 && !value.isNaN
        case .string(let value): return !value.isEmpty
        case .trustedHTML(let value): return !value.isEmpty
        case .array(let value): return !value.isEmpty
        case .fields(let value): return !value.isEmpty
        }
    }

    /// A short name of the value's kind for error messages.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .trustedHTML: return "trusted HTML"
        case .array: return "an array"
        case .fields: return "a dictionary"
        }
    }
}

// MARK: - Literals
//
// There is deliberately no `ExpressibleByNilLiteral`: with it, `nil` in an expression of
// type `TemplateValue?` can silently become `.some(.null)`. Write `.null` instead.

extension TemplateValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension TemplateValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .int(value)
    }
}

extension TemplateValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TemplateValue...) {
        self = .array(elements)
    }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    /// Stores the pairs as written, without hashing. A repeated key keeps its last
    /// value, as a later assignment would.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .fields(TemplateFields(pairs: elements))
    }
}
