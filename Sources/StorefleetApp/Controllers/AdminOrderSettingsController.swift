import Commerce
import HTTPServer
import Templates

/// Settings › Orders: how many days an unpaid order waits before it is abandoned and its
/// stock put back.
enum AdminOrderSettingsController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/settings/orders") { context, _ in
            try AdminRoutes.requireOwner(context, toChange: "the order settings")
            let settings = try context.database.read { database in try OrderSettings.load(from: database) }
            let saved = context.request.query["saved"] != nil
            return try show(context, days: String(settings.abandonAfterDays), errors: ValidationErrors(), notice: saved ? "Order settings saved." : nil)
        }
        router.post("/admin/settings/orders") { context, _ in try save(context) }
    }

    private static func show(
        _ context: StoreRequest,
        days: String,
        errors: ValidationErrors,
        notice: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let range = OrderSettings.abandonAfterDaysRange
        return try context.render("admin/orders/settings", [
            "nav": ["settings": true, "section": "orders"],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "form": ["abandonAfterDays": .string(days)],
            "minimumDays": .int(range.lowerBound),
            "maximumDays": .int(range.upperBound),
            "defaultDays": .int(OrderSettings.defaultAbandonAfterDays),
            "errors": errors.templateValue,
        ], status: status)
    }

    private static func save(_ context: StoreRequest) throws -> Response {
        try AdminRoutes.requireOwner(context, toChange: "the order settings")
        let text = (context.form["abandon_after_days"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let days = Int(text) else {
            let range = OrderSettings.abandonAfterDaysRange
            let errors = ValidationErrors(
                field: "abandonAfterDays",
                message: "Days before an unpaid order is abandoned must be a whole number between \(range.lowerBound) and \(range.upperBound), not “\(text)”."
            )
            return try show(context, days: text, errors: errors, status: .unprocessableContent)
        }

        do {
            try context.database.write { database in try OrderSettings(abandonAfterDays: days).save(to: database) }
        } catch let errors as ValidationErrors {
            return try show(context, days: text, errors: errors, status: .unprocessableContent)
        }
        context.app.logger.info("order_settings.saved", [
            "request_id": context.request.requestID, "store_id": context.store.id, "abandon_after_days": days,
        ])
        return .redirect(to: "/admin/settings/orders?saved=1")
    }
}
