/// A Swift type that can hand a template its value. Conform model types to pass them to
/// `TemplateLibrary.render` directly:
///
/// ```swift
/// extension Product: TemplateValueConvertible {
///     var templateValue: TemplateValue {
///         TemplateValue(fields: ["name": name, "priceMinor": priceMinor])
///     }
/// }
/// ```
public protocol TemplateValueConvertible {
    var templateValue: TemplateValue { get }
}

extension TemplateValue: TemplateValueConvertible {
    public var templateValue: TemplateValue { self }
}

extension String: TemplateValueConvertible {
    public var templateValue: TemplateValue { .string(self) }
}

extension Substring: TemplateValueConvertible {
    public var templateValue: TemplateValue { .string(String(self)) }
}

extension Bool: TemplateValueConvertible {
    public var templateValue: TemplateValue { .bool(self) }
}

extension Int: TemplateValueConvertible {
    public var templateValue: TemplateValue { .int(self) }
}

extension Int64: TemplateValueConvertible {
    public var templateValue: TemplateValue { .int(Int(self)) }
}

extension Int32: TemplateValueConvertible {
    public var templateValue: TemplateValue { .int(Int(self)) }
}

extension UInt32: TemplateValueConvertible {
    public var templateValue: TemplateValue { .int(Int(self)) }
}

extension Double: TemplateValueConvertible {
    public var templateValue: TemplateValue { .double(self) }
}

extension Float: TemplateValueConvertible {
    public var templateValue: TemplateValue { .double(Double(self)) }
}

extension Optional: TemplateValueConvertible where Wrapped: TemplateValueConvertible {
    public var templateValue: TemplateValue {
        switch self {
        case .some(let wrapped): return wrapped.templateValue
        case .none: return .null
        }
    }
}

extension Array: TemplateValueConvertible where Element: TemplateValueConvertible {
    public var templateValue: TemplateValue { .array(map { $0.templateValue }) }
}

extension Dictionary: TemplateValueConvertible where Key == String, Value: TemplateValueConvertible {
    public var templateValue: TemplateValue {
        var pairs: [(String, TemplateValue)] = []
        pairs.reserveCapacity(count)
        for (key, value) in self {
            pairs.append((key, value.templateValue))
        }
        return .fields(TemplateFields(pairs: pairs))
    }
}
