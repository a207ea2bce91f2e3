import Commerce
import Foundation
import HTTPServer
import Templates

/// Settings › General: the store's name, contact email, currency, storefront language, time
/// zone and customer login mode.
enum AdminSettingsController {
    /// Each language's name in itself, as a language menu shows it.
    private static let languageNames = ["en": "English", "es": "Español"]

    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/settings") { _, _ in .redirect(to: "/admin/settings/general") }
        router.get("/admin/settings/general") { context, _ in
            try AdminRoutes.requireOwner(context, toChange: "the store settings")
            let saved = context.request.query["saved"] != nil
            return try show(context, form: context.settings, errors: ValidationErrors(), notice: saved ? "Settings saved." : nil)
        }
        router.post("/admin/settings/general") { context, _ in try save(context) }
    }

    private static func show(
        _ context: StoreRequest,
        form: StoreSettings,
        errors: ValidationErrors,
        notice: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let currencies: [TemplateValue] = Currency.all.map { currency in
            ["code": .string(currency.code), "name": .string(currency.name), "selected": .bool(currency.code == form.currencyCode)]
        }
        let languages: [TemplateValue] = StoreSettings.supportedLanguages.map { code in
            ["code": .string(code), "name": .string(languageNames[code] ?? code), "selected": .bool(code == form.language)]
        }
        let timeZones: [TemplateValue] = StoreSettings.timeZones.map { identifier in
            ["id": .string(identifier), "selected": .bool(identifier == form.timeZoneIdentifier)]
        }
        let modes: [TemplateValue] = CustomerLoginMode.allCases.map { mode in
            ["value": .string(mode.rawValue), "label": .string(mode.label), "hint": .string(hint(for: mode)), "selected": .bool(mode == form.customerLoginMode)]
        }
        return try context.render("admin/settings/general", [
            "nav": ["settings": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "form": [
                "name": .string(form.storeName),
                "contactEmail": .string(form.contactEmail),
            ],
            "currencies": .array(currencies),
            "languages": .array(languages),
            "timeZones": .array(timeZones),
            "loginModes": .array(modes),
            "errors": errors.templateValue,
        ], status: status)
    }

    private static func hint(for mode: CustomerLoginMode) -> String {
        switch mode {
        case .disabled: return "Every shopper checks out as a guest. There are no customer accounts."
        // NOTE: customer accounts do not exist yet, which these two hints tell the merchant.
        case .optional: return "Shoppers may check out as guests or, once customer accounts are available, with an account. For now this works like Disabled."
        case .required: return "Only registered customers you have approved can check out. Customer accounts are not available yet, so for now no shopper can order."
        }
    }

    private static func save(_ context: StoreRequest) throws -> Response {
        try AdminRoutes.requireOwner(context, toChange: "the store settings")
        let form = context.form
        var settings = context.settings
        settings.storeName = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        settings.contactEmail = (form["contact_email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        settings.currencyCode = (form["currency"] ?? "").uppercased()
        // A post without the field, such as a script written before the menu existed, keeps the language.
        settings.language = form["language"] ?? settings.language
        settings.timeZoneIdentifier = form["time_zone"] ?? settings.timeZoneIdentifier

        // Every field is checked before the save, so that the form shows all of its
        // mistakes at once, each one time.
        var errors = settings.validate()
        if let mode = CustomerLoginMode(rawValue: form["customer_login"] ?? "") {
            settings.customerLoginMode = mode
        } else {
            errors.add("Choose one of the customer login options: disabled, optional or required.", for: "customerLoginMode")
        }
        guard errors.isEmpty else {
            return try show(context, form: settings, errors: errors, status: .unprocessableContent)
        }

        do {
            let updated = settings
            try context.database.write { database in try updated.save(to: database) }
        } catch let validation as ValidationErrors {
            // Rules that depend on the store's data, such as a change of currency while
            // products exist.
            return try show(context, form: settings, errors: validation, status: .unprocessableContent)
        }

        if settings.storeName != context.store.name {
            try context.app.catalog.rename(context.store.id, to: settings.storeName)
        }
        context.app.logger.info("settings.saved", ["request_id": context.request.requestID, "store_id": context.store.id])
        return .redirect(to: "/admin/settings/general?saved=1")
    }
}
