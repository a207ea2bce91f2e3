import Foundation

/// A Swift type that converts to and from an ``SQLValue``, so it can be bound as an argument
/// and read from a column.
public protocol SQLValueConvertible {
    /// The value to bind for this instance.
    var sqlValue: SQLValue { get }

    /// Creates an instance from a stored value, throwing ``SQLValueConversionError`` when the
    /// value has the wrong storage class or is out of range. Only `Optional` accepts NULL.
    init(sqlValue: SQLValue) throws
}

/// A stored value that does not fit the requested Swift type. ``Row`` wraps it in a
/// ``RowDecodingError`` that names the column.
public struct SQLValueConversionError: Error, CustomStringConvertible, Sendable {
    /// The storage class of the value that was read, never the value itself.
    public let storageClass: String
    /// The Swift type that was requested.
    public let targetType: String
    /// The reason the value does not fit, when the storage class alone does not explain it.
    public let reason: String?

    public init(value: SQLValue, targetType: Any.Type, reason: String? = nil) {
        self.storageClass = value.storageClass
        self.targetType = String(describing: targetType)
        self.reason = reason
    }

    public var description: String {
        var text = "cannot read a \(storageClass) value as \(targetType)"
        if let reason { text += ": \(reason)" }
        return text
    }
}

// MARK: - Integers

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }

    /// Accepts an integer, or a real with an exact integral value in range, since SQLite may
    /// store a whole number as REAL in a column without INTEGER affinity.
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .integer(let value):
            self = value
        case .real(let value):
            guard let exact = Int64(exactly: value) else {
                throw SQLValueConversionError(value: sqlValue, targetType: Int64.self, reason: "the real value has a fraction or is out of range")
            }
            self = exact
        default:
            throw SQLValueConversionError(value: sqlValue, targetType: Int64.self)
        }
    }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }

    public init(sqlValue: SQLValue) throws {
        let wide = try Int64(sqlValue: sqlValue)
        guard let value = Int(exactly: wide) else {
            throw SQLValueConversionError(value: sqlValue, targetType: Int.self, reason: "out of range")
        }
        self = value
    }
}

extension Int32: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }

    public init(sqlValue: SQLValue) throws {
        let wide = try Int64(sqlValue: sqlValue)
        guard let value = Int32(exactly: wide) else {
            throw SQLValueConversionError(value: sqlValue, targetType: Int32.self, reason: "out of range")
        }
        self = value
    }
}

// MARK: - Double, Bool, String

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }

    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: throw SQLValueConversionError(value: sqlValue, targetType: Double.self)
        }
    }
}

extension Bool: SQLValueConvertible {
    /// SQLite has no boolean storage class: `true` and `false` are the integers 1 and 0
    /// (https://sqlite.org/datatype3.html, section 2.1).
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }

    /// Reads any integer as SQL does in a condition: zero is false, everything else true.
    public init(sqlValue: SQLValue) throws {
        guard case .integer(let value) = sqlValue else {
            throw SQLValueConversionError(value: sqlValue, targetType: Bool.self)
        }
        self = value != 0
    }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }

    public init(sqlValue: SQLValue) throws {
        guard case .text(let value) = sqlValue else {
            throw SQLValueConversionError(value: sqlValue, targetType: String.self)
        }
        self = value
    }
}

// MARK: - Blobs

extension Array: SQLValueConvertible where Element == UInt8 {
    public var sqlValue: SQLValue { .blob(self) }

    public init(sqlValue: SQLValue) throws {
        guard case .blob(let bytes) = sqlValue else {
            throw SQLValueConversionError(value: sqlValue, targetType: [UInt8].self)
        }
        self = bytes
    }
}

extension Data: SQLValueConvertible {
    public var sqlValue: SQLValue { .blob([UInt8](self)) }

    public init(sqlValue: SQLValue) throws {
        guard case .blob(let bytes) = sqlValue else {
            throw SQLValueConversionError(value: sqlValue, targetType: Data.self)
        }
        self = Data(bytes)
    }
}

// MARK: - Date

extension Date: SQLValueConvertible {
    /// UTC text `YYYY-MM-DD HH:MM:SS.SSS`, the form SQLite's date and time functions read
    /// (https://sqlite.org/lang_datefunc.html, time value format 4). Dates outside the years
    /// 0000–9999, which that format cannot hold, are stored as real Unix seconds instead.
    public var sqlValue: SQLValue {
        if let text = SQLiteDateFormat.string(from: self) { return .text(text) }
        return .real(timeIntervalSince1970)
    }

    /// Reads the text forms SQLite's date functions accept (date only, minutes, seconds,
    /// fractions, `T` or space, `Z` or a `±HH:MM` offset) and integer or real Unix seconds.
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .text(let text):
            guard let date = SQLiteDateFormat.date(from: text) else {
                throw SQLValueConversionError(
                    value: sqlValue,
                    targetType: Date.self,
                    reason: "the text is not a date like 2024-05-01 13:45:00.000 or 2024-05-01T13:45:00Z"
                )
            }
            self = date
        case .integer(let seconds):
            self = Date(timeIntervalSince1970: TimeInterval(seconds))
        case .real(let seconds):
            self = Date(timeIntervalSince1970: seconds)
        default:
            throw SQLValueConversionError(value: sqlValue, targetType: Date.self)
        }
    }
}

// MARK: - SQLValue itself and Optional

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public init(sqlValue: SQLValue) throws { self = sqlValue }
}

// Inlinable, as `Row.get` is, so that reading an optional column does not look up the
// metadata of `Optional<Wrapped>` at run time.
extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    @inlinable
    public var sqlValue: SQLValue {
        switch self {
        case .none: return .null
        case .some(let wrapped): return wrapped.sqlValue
        }
    }

    /// NULL reads as `nil`; any other value must fit `Wrapped`.
    @inlinable
    public init(sqlValue: SQLValue) throws {
        if case .null = sqlValue {
            self = .none
        } else {
            self = .some(try Wrapped(sqlValue: sqlValue))
        }
    }
}
