/// A message for shoppers as a translation key with its arguments, plus the English text for
/// logs, the admin and callers without translations.
///
/// The app looks `key` up in the store's language (see `Translations` in StorefleetApp),
/// replacing each `{name}` placeholder with the argument of that name. The English
/// translation file contains the same text as `english`, so a shopper of an English store
/// reads exactly `english`.
public struct TranslatableMessage: Sendable, Hashable, CustomStringConvertible {
    public enum Argument: Sendable, Hashable {
        /// Text shown as it is, such as a product title or a typed address.
        case text(String)
        /// A count or limit, formatted with the grouping of the store's language.
        case number(Int)
        /// The text of another translation key, such as a field label inside a message
        /// shared by many fields.
        case translated(key: String)
        /// A country's name in the store's language, by its ISO 3166-1 alpha-2 code. In
        /// English it is `Country.name`.
        case country(code: String)
        /// Names such as product titles, each in the quotation marks of the store's
        /// language, separated by commas. In English: “Mug”, “Lamp”.
        case quotedList([String])
    }

    /// The translation key; empty for a message that exists only in English.
    public let key: String
    public let arguments: [String: Argument]
    public let english: String

    public init(_ key: String, _ arguments: [String: Argument] = [:], english: String) {
        self.key = key
        self.arguments = arguments
        self.english = english
    }

    public var description: String { english }
}
