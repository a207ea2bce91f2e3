/// Messages about invalid input, keyed by the form field they belong to, so a form can show
/// each message beside its field. Thrown as one error once every field has been checked.
///
/// Field names are the names the forms use (`title`, `price`, `email`). Messages are whole
/// sentences that name the problem and the fix, for example "Title must be at most 200
/// characters."
public struct ValidationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fields in the order their first message was added, so messages read top to bottom.
    public private(set) var fields: [String] = []
    private var messagesByField: [String: [String]] = [:]

    public init() {}

    /// Creates errors holding one message for one field.
    public init(field: String, message: String) {
        add(message, for: field)
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// Messages for `field`, empty when the field is valid.
    public subscript(field: String) -> [String] {
        messagesByField[field] ?? []
    }

    /// Field and message pairs in the order they were added.
    public var all: [(field: String, message: String)] {
        fields.flatMap { field in
            self[field].map { (field: field, message: $0) }
        }
    }

    public mutating func add(_ message: String, for field: String) {
        if messagesByField[field] == nil {
            fields.append(field)
        }
        messagesByField[field, default: []].append(message)
    }

    public mutating func merge(_ other: ValidationErrors) {
        for (field, message) in other.all {
            add(message, for: field)
        }
    }

    /// Throws `self` when any field has a message.
    public func throwIfAny() throws(ValidationErrors) {
        if !isEmpty {
            throw self
        }
    }

    public var description: String {
        all.map { "\($0.field): \($0.message)" }.joined(separator: " ")
    }
}
