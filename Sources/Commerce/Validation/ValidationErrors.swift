/// Messages about invalid input, keyed by the form field they belong to, so a form can show
/// each message beside its field. Thrown as one error once every field has been checked.
///
/// Field names are the names the forms use (`title`, `price`, `email`). Messages are whole
/// sentences that name the problem and the fix, for example "Title must be at most 200
/// characters." A message shown to shoppers is added as a `TranslatableMessage`, so that the
/// app can show it in the store's language. Its English text is the message here.
public struct ValidationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fields in the order their first message was added, so messages read top to bottom.
    public private(set) var fields: [String] = []
    private var messagesByField: [String: [String]] = [:]
    /// The translatable form of each message, in step with `messagesByField`: nil for a
    /// message added as plain English text.
    private var translatableByField: [String: [TranslatableMessage?]] = [:]

    public init() {}

    /// Creates errors holding one message for one field.
    public init(field: String, message: String) {
        add(message, for: field)
    }

    /// Creates errors holding one translatable message for one field.
    public init(field: String, message: TranslatableMessage) {
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

    /// Messages for `field` with their translation keys, for pages in the store's language.
    /// A message added as plain text comes back with an empty key and its English text.
    public func translatableMessages(for field: String) -> [TranslatableMessage] {
        zip(self[field], translatableByField[field] ?? []).map { text, translatable in
            translatable ?? TranslatableMessage("", english: text)
        }
    }

    public mutating func add(_ message: String, for field: String) {
        append(message, translatable: nil, for: field)
    }

    public mutating func add(_ message: TranslatableMessage, for field: String) {
        append(message.english, translatable: message, for: field)
    }

    public mutating func merge(_ other: ValidationErrors) {
        for field in other.fields {
            for (text, translatable) in zip(other[field], other.translatableByField[field] ?? []) {
                append(text, translatable: translatable, for: field)
            }
        }
    }

    private mutating func append(_ text: String, translatable: TranslatableMessage?, for field: String) {
        if messagesByField[field] == nil {
            fields.append(field)
        }
        messagesByField[field, default: []].append(text)
        translatableByField[field, default: []].append(translatable)
    }

    /// Throws `self` when any field has a message.
    public func throwIfAny() throws(ValidationErrors) {
        if !isEmpty {
            throw self
        }
    }

    /// Compares fields and message text only, so a message equals its translatable form.
    public static func == (lhs: ValidationErrors, rhs: ValidationErrors) -> Bool {
        lhs.fields == rhs.fields && lhs.messagesByField == rhs.messagesByField
    }

    public var description: String {
        all.map { "\($0.field): \($0.message)" }.joined(separator: " ")
    }
}
