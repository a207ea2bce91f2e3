import Foundation
import HTTPServer
import Templates

/// Renders views into responses: templates plus the store's translations.
struct PageRenderer: Sendable {
    let templates: TemplateLibrary
    let translations: Translations

    /// Renders `view` with `context`; shopper-facing text comes from `language`.
    func render(
        _ view: String,
        _ context: [String: TemplateValue],
        language: String = Translations.fallbackLanguage,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let bytes = try templates.renderBytes(view, .dictionary(context), translator: translations.translator(for: language))
        var response = Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: .bytes(bytes))
        // Pages carry per-visitor data (CSRF tokens, the signed-in name), so no shared cache
        // may keep them.
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    func text(_ key: String, language: String, arguments: [String: TemplateValue] = [:]) -> String {
        translations.text(key, language: language, arguments: arguments)
    }
}
