import Commerce
import Foundation
import Synchronization
import Templates

extension Translations {
    /// Returns `message` in `language`: the text of its key with each placeholder replaced by
    /// its argument. A message without a key is English only and comes back as its English
    /// text.
    func text(_ message: TranslatableMessage, language: String) -> String {
        guard !message.key.isEmpty else { return message.english }
        var arguments: [String: TemplateValue] = [:]
        for (name, argument) in message.arguments {
            switch argument {
            case .text(let text):
                arguments[name] = .string(text)
            case .number(let number):
                arguments[name] = .string(number.formatted(IntegerFormatStyle<Int>(locale: Locale(identifier: language))))
            case .translated(let key):
                arguments[name] = .string(text(key, language: language))
            case .country(let code):
                arguments[name] = .string(Self.countryName(code, language: language))
            case .quotedList(let names):
                let quoted = names.map { text("format.quoted", language: language, arguments: ["text": .string($0)]) }
                arguments[name] = .string(quoted.joined(separator: ", "))
            }
        }
        return text(message.key, language: language, arguments: arguments)
    }

    /// Returns the name of the country with ISO 3166-1 alpha-2 `code` in `language`. English
    /// uses the country table's names, because the English messages of `Commerce` contain
    /// them. Other languages take the name from the ICU data behind `Locale`, or the English
    /// name where it has none.
    static func countryName(_ code: String, language: String) -> String {
        let english = Country.named(code)?.name ?? code
        guard language != fallbackLanguage else { return english }
        return Locale(identifier: language).localizedString(forRegionCode: code) ?? english
    }

    /// Returns every country as a code and a name in `language`, sorted by that name for
    /// the address menus. Each language's list is built once.
    func countryOptions(language: String) -> TemplateValue {
        if let cached = countryOptionsCache.withLock({ $0[language] }) {
            return cached
        }
        let locale = Locale(identifier: language)
        let named = Country.all.map { (code: $0.code, name: Self.countryName($0.code, language: language)) }
        // The country table is already in English order.
        let sorted = language == Self.fallbackLanguage
            ? named
            : named.sorted { $0.name.compare($1.name, locale: locale) == .orderedAscending }
        let options = TemplateValue.array(sorted.map { ["code": .string($0.code), "name": .string($0.name)] })
        countryOptionsCache.withLock { $0[language] = options }
        return options
    }
}

/// The country menus by language, filled on first use. Global because `Translations` is a
/// value type that the app copies.
private let countryOptionsCache = Mutex<[String: TemplateValue]>([:])

extension StoreRequest {
    /// Returns `message` in the store's language.
    func text(_ message: TranslatableMessage) -> String {
        app.renderer.translations.text(message, language: language)
    }
}

extension ValidationErrors {
    /// Returns the messages in the store's language as nested dictionaries for the
    /// storefront's templates. A field key such as `shipping.postalCode` becomes
    /// `errors.shipping.postalCode`, which a template can reach, unlike a key with a dot in
    /// it. `errors.any` is true when there is a message.
    func nestedTemplateValue(in context: StoreRequest) -> TemplateValue {
        var root: [String: TemplateValue] = ["any": .bool(!isEmpty)]
        for field in fields {
            let messages = TemplateValue.array(translatableMessages(for: field).map { .string(context.text($0)) })
            let parts = field.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                var group: [String: TemplateValue] = [:]
                if case .fields(let existing)? = root[parts[0]] { group = existing.dictionary }
                group[parts[1]] = messages
                root[parts[0]] = .dictionary(group)
            } else {
                root[field] = messages
            }
        }
        return .dictionary(root)
    }
}
