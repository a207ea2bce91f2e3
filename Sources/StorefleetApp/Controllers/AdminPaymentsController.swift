import Commerce
import HTTPServer
import Templates

/// Settings › Payments: the store's manual payment methods (bank transfer, cash on delivery,
/// pay in store), each enabled or disabled, named and explained in a form of its own.
enum AdminPaymentsController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/settings/payments") { context, _ in
            try AdminRoutes.requireOwner(context, toChange: "the payment methods")
            let saved = context.request.query["saved"] != nil
            return try show(context, notice: saved ? "Payment method saved." : nil)
        }
        router.post("/admin/settings/payments/:id") { context, parameters in try save(context, id: try parameters.id("id")) }
    }

    /// The fields of one method's form, as stored or as typed.
    struct FormValues {
        var name: String
        var instructions: String
        var isEnabled: Bool
        var position: String

        init(_ method: PaymentMethod) {
            name = method.name
            instructions = method.instructions
            isEnabled = method.isEnabled
            position = String(method.position)
        }

        init(_ form: FormParameters) {
            name = form["name"] ?? ""
            instructions = form["instructions"] ?? ""
            isEnabled = form["enabled"] == "1"
            position = form["position"] ?? ""
        }
    }

    /// What each kind means for the shopper, shown under the method's name.
    private static func hint(for kind: PaymentMethodKind) -> String {
        switch kind {
        case .bankTransfer:
            return "Shoppers transfer the total to your bank account. Orders wait as pending payment until you mark them paid."
        case .cashOnDelivery:
            return "Shoppers pay the carrier on delivery. You can ship before the order is paid."
        case .payInStore:
            return "Shoppers pay at your shop, usually when they collect the order."
        default:
            return "This payment method was added by a newer version of Storefleet."
        }
    }

    /// Renders every method, with `rejected` (a method id, its typed values and messages)
    /// shown as typed instead of as stored.
    private static func show(
        _ context: StoreRequest,
        rejected: (id: Int64, form: FormValues, errors: ValidationErrors)? = nil,
        notice: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let methods = try context.database.read { database in try PaymentMethodStore(database: database).list() }
        let values: [TemplateValue] = methods.map { method in
            let isRejected = rejected?.id == method.id
            let form = isRejected ? rejected!.form : FormValues(method)
            let processor = method.processor
            return TemplateValue(fields: [
                "id": method.id,
                "kind": method.kind.rawValue,
                "kindName": processor?.defaultDisplayName ?? method.kind.rawValue,
                "hint": hint(for: method.kind),
                "isSupported": processor != nil,
                "requiresInstructions": processor?.requiresInstructions ?? false,
                "storedEnabled": method.isEnabled,
                "form": TemplateValue(fields: [
                    "name": form.name, "instructions": form.instructions, "isEnabled": form.isEnabled, "position": form.position,
                ]),
                "errors": isRejected ? rejected!.errors.templateValue : ValidationErrors().templateValue,
            ])
        }
        return try context.render("admin/settings/payments", [
            "nav": ["settings": true, "section": "payments"],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "methods": .array(values),
            "anyEnabled": .bool(methods.contains { $0.isEnabled && $0.processor != nil }),
        ], status: status)
    }

    private static func save(_ context: StoreRequest, id: Int64) throws -> Response {
        try AdminRoutes.requireOwner(context, toChange: "the payment methods")
        let form = FormValues(context.form)

        let positionText = form.position.trimmingCharacters(in: .whitespaces)
        let position = positionText.isEmpty ? 0 : Int(positionText)
        var positionErrors = ValidationErrors()
        if position == nil {
            positionErrors.add("Position must be a whole number such as 0 or 10, not “\(positionText)”.", for: "position")
        }

        let input = PaymentMethodInput(name: form.name, instructions: form.instructions, isEnabled: form.isEnabled, position: position ?? 0)
        do {
            try context.database.write { database in
                _ = try PaymentMethodStore(database: database).update(id: id, with: input)
                // An unreadable position is reported with the other fields' messages, so the
                // update above runs to check them and is rolled back by this throw.
                try positionErrors.throwIfAny()
            }
        } catch var errors as ValidationErrors {
            if errors != positionErrors {
                errors.merge(positionErrors)
            }
            return try show(context, rejected: (id, form, errors), status: .unprocessableContent)
        }

        context.app.logger.info("payment_method.updated", [
            "request_id": context.request.requestID, "store_id": context.store.id, "payment_method_id": id,
            "enabled": form.isEnabled,
        ])
        return .redirect(to: "/admin/settings/payments?saved=1#payment-\(id)")
    }
}
