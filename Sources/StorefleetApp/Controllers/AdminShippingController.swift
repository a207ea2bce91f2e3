import Commerce
import HTTPServer
import Templates

/// Settings › Shipping: the store's shipping methods, which checkout offers by country.
enum AdminShippingController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/settings/shipping") { context, _ in try list(context) }
        router.get("/admin/settings/shipping/new") { context, _ in
            try AdminRoutes.requireOwner(context, toChange: "the shipping methods")
            return try showForm(context, method: nil, form: FormValues(), errors: ValidationErrors())
        }
        router.post("/admin/settings/shipping") { context, _ in try save(context, id: nil) }
        router.get("/admin/settings/shipping/:id/edit") { context, parameters in
            try AdminRoutes.requireOwner(context, toChange: "the shipping methods")
            let method = try find(context, id: try parameters.id("id"))
            return try showForm(context, method: method, form: FormValues(method, currency: context.currency), errors: ValidationErrors())
        }
        router.post("/admin/settings/shipping/:id") { context, parameters in try save(context, id: try parameters.id("id")) }
        router.post("/admin/settings/shipping/:id/delete") { context, parameters in try delete(context, id: try parameters.id("id")) }
    }

    // MARK: - List

    private static func list(_ context: StoreRequest) throws -> Response {
        try AdminRoutes.requireOwner(context, toChange: "the shipping methods")
        let methods = try context.database.read { database in try ShippingMethodStore(database: database).list() }
        let query = context.request.query
        var notice: String?
        if query["saved"] != nil { notice = "Shipping method saved." }
        if query["deleted"] != nil { notice = "Shipping method deleted. Orders placed with it keep its name and price." }

        let rows: [TemplateValue] = methods.map { method in
            TemplateValue(fields: [
                "id": method.id,
                "name": method.name,
                "price": method.price == 0 ? "Free" : context.format(method.price),
                "freeFrom": method.freeFromSubtotal.map { context.format($0) },
                "countries": countriesSummary(method.countries),
                "active": method.isActive,
                "position": method.position,
            ])
        }
        return try context.render("admin/settings/shipping", [
            "nav": ["settings": true, "section": "shipping"],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "methods": .array(rows),
            "hasActive": .bool(methods.contains { $0.isActive }),
        ])
    }

    /// "All countries", or up to four country names and how many more.
    static func countriesSummary(_ countries: ShippingCountries) -> String {
        guard case .only(let codes) = countries else { return "All countries" }
        let names = codes.map { Country.named($0)?.name ?? $0 }.sorted()
        guard names.count > 4 else { return names.joined(separator: ", ") }
        return names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
    }

    // MARK: - Form

    /// The form's fields as typed, so a rejected form shows them again unchanged.
    struct FormValues {
        var name = ""
        var price = ""
        var freeFrom = ""
        var allCountries = true
        var countries: Set<String> = []
        var isActive = true
        var position = "0"

        init() {}

        init(_ method: ShippingMethod, currency: Currency) {
            name = method.name
            price = Money(minorUnits: method.price, currency: currency).formatted(.plain)
            freeFrom = method.freeFromSubtotal.map { Money(minorUnits: $0, currency: currency).formatted(.plain) } ?? ""
            if case .only(let codes) = method.countries {
                allCountries = false
                countries = Set(codes)
            }
            isActive = method.isActive
            position = String(method.position)
        }

        init(_ form: FormParameters) {
            name = form["name"] ?? ""
            price = form["price"] ?? ""
            freeFrom = form["free_from"] ?? ""
            allCountries = form["countries_mode"] != "only"
            countries = Set(form.values(for: "countries").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
            isActive = form["active"] == "1"
            position = form["position"] ?? ""
        }

        /// Converts the typed values into an input, adding a message for each field that
        /// cannot be read, or nil when any cannot.
        func input(currency: Currency, errors: inout ValidationErrors) -> ShippingMethodInput? {
            let priceValue = FormAmount.parse(price, currency: currency, label: "Price", field: "price", errors: &errors) ?? 0
            let freeFromValue = FormAmount.parse(
                freeFrom, currency: currency, label: "Free shipping from", field: "freeFromSubtotal",
                isOptional: true, errors: &errors
            )

            let positionText = position.trimmingCharacters(in: .whitespaces)
            let positionValue = positionText.isEmpty ? 0 : Int(positionText)
            if positionValue == nil {
                errors.add("Position must be a whole number such as 0 or 10, not “\(positionText)”.", for: "position")
            }

            let input = ShippingMethodInput(
                name: name,
                price: priceValue,
                freeFromSubtotal: freeFromValue,
                countries: allCountries ? .all : .only(countries.sorted()),
                isActive: isActive,
                position: positionValue ?? 0
            )
            // Report the other fields' problems too, but no second message on a field that
            // could not even be read.
            let unreadable = Set(errors.fields)
            for (field, message) in input.validationErrors(currency: currency).all where !unreadable.contains(field) {
                errors.add(message, for: field)
            }
            return errors.isEmpty ? input : nil
        }

        func templateValue(countryList: [TemplateValue]) -> TemplateValue {
            TemplateValue(fields: [
                "name": name, "price": price, "freeFrom": freeFrom, "allCountries": allCountries,
                "isActive": isActive, "position": position, "countryCount": countries.count,
                "countries": TemplateValue.array(countryList),
            ])
        }
    }

    private static func find(_ context: StoreRequest, id: Int64) throws -> ShippingMethod {
        let method = try context.database.read { database in try ShippingMethodStore(database: database).find(id: id) }
        guard let method else {
            throw HTTPError(.notFound, "There is no shipping method with id \(id). It may have been deleted; see Settings › Shipping.")
        }
        return method
    }

    private static func showForm(
        _ context: StoreRequest,
        method: ShippingMethod?,
        form: FormValues,
        errors: ValidationErrors,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let countryList: [TemplateValue] = Country.all.map { country in
            ["code": .string(country.code), "name": .string(country.name), "checked": .bool(form.countries.contains(country.code))]
        }
        return try context.render("admin/settings/shipping-form", [
            "nav": ["settings": true, "section": "shipping"],
            "method": method.map { TemplateValue(fields: ["id": $0.id, "name": $0.name]) } ?? .null,
            "form": form.templateValue(countryList: countryList),
            "errors": errors.templateValue,
            "currency": .string(context.currency.code),
            "action": .string(method.map { "/admin/settings/shipping/\($0.id)" } ?? "/admin/settings/shipping"),
        ], status: status)
    }

    // MARK: - Save and delete

    private static func save(_ context: StoreRequest, id: Int64?) throws -> Response {
        try AdminRoutes.requireOwner(context, toChange: "the shipping methods")
        let existing = try id.map { try find(context, id: $0) }
        let form = FormValues(context.form)
        var errors = ValidationErrors()
        guard let input = form.input(currency: context.currency, errors: &errors) else {
            return try showForm(context, method: existing, form: form, errors: errors, status: .unprocessableContent)
        }

        let now = context.app.clock.now()
        let saved: ShippingMethod
        do {
            saved = try context.database.write { database in
                let methods = ShippingMethodStore(database: database, now: { now })
                if let existing {
                    return try methods.update(id: existing.id, with: input)
                }
                return try methods.create(input)
            }
        } catch let validation as ValidationErrors {
            return try showForm(context, method: existing, form: form, errors: validation, status: .unprocessableContent)
        }

        context.app.logger.info(existing == nil ? "shipping_method.created" : "shipping_method.updated", [
            "request_id": context.request.requestID, "store_id": context.store.id, "shipping_method_id": saved.id,
        ])
        return .redirect(to: "/admin/settings/shipping?saved=1")
    }

    private static func delete(_ context: StoreRequest, id: Int64) throws -> Response {
        try AdminRoutes.requireOwner(context, toChange: "the shipping methods")
        try context.database.write { database in _ = try ShippingMethodStore(database: database).delete(id: id) }
        context.app.logger.info("shipping_method.deleted", [
            "request_id": context.request.requestID, "store_id": context.store.id, "shipping_method_id": id,
        ])
        return .redirect(to: "/admin/settings/shipping?deleted=1")
    }
}
