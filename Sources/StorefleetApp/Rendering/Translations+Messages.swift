import Commerce
import Foundation
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
            }
        }
        return text(message.key, language: language, arguments: arguments)
    }
}

extension StoreRequest {
    /// Returns `message` in the store's language.
    func text(_ message: TranslatableMessage) -> String {
        app.renderer.translations.text(message, language: language)
    }
}

extension ValidationErrors {
    /// The messages in the store's language as nested dictionaries for the storefront's
    /// templates: a field key such as `shipping.postalCode` becomes `errors.shipping.postalCode`,
    /// which a template can reach, unlike a key with a dot in it. `errors.any` is true when
    /// there is a message.
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
