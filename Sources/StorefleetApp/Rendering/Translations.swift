import Foundation
import Templates

/// Shopper-facing text by language, loaded from `Views/translations/<language>.json`.
///
/// Each file is a flat JSON object of keys to text with `{name}` placeholders. English is the
/// fallback for a key missing in another language, and the key itself is the last resort, so a
/// missing translation shows up on the page instead of failing the request.
public struct Translations: Sendable {
    public static let fallbackLanguage = "en"

    private let tables: [String: [String: String]]

    public init(tables: [String: [String: String]]) {
        self.tables = tables
    }

    /// Loads every `*.json` file in `folder`; the file name without extension is the language.
    public init(folder: String) throws {
        var tables: [String: [String: String]] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".json") {
            let path = folder + "/" + name
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let table = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw TranslationsError(path: path, message: "expected one JSON object of string keys to string values")
            }
            tables[String(name.dropLast(".json".count))] = table
        }
        guard tables[Self.fallbackLanguage] != nil else {
            throw TranslationsError(path: folder + "/en.json", message: "the English translation file is missing")
        }
        self.tables = tables
    }

    /// The languages that have a translation file, as ISO 639-1 codes, sorted.
    public var languages: [String] { tables.keys.sorted() }

    /// Returns the text for `key` in `language`, with `{name}` placeholders replaced by
    /// `arguments`.
    public func text(_ key: String, language: String, arguments: [String: TemplateValue] = [:]) -> String {
        let template = tables[language]?[key] ?? tables[Self.fallbackLanguage]?[key] ?? key
        return Placeholders.fill(template, with: arguments)
    }

    /// Returns a translator for the template engine, bound to one language.
    public func translator(for language: String) -> TemplateTranslator {
        { key, arguments in self.text(key, language: language, arguments: arguments) }
    }
}

public struct TranslationsError: Error, CustomStringConvertible {
    public let path: String
    public let message: String

    public var description: String { "Invalid translation file \(path): \(message)." }
}
