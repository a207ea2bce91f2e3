import Commerce
import Foundation
import HTTPServer
import Templates

/// One order's page and the status changes posted from it. Each change is a POST form. The
/// page offers only the changes the order's state allows, and one posted anyway (from an
/// old tab, say) shows the page again with `OrderError`'s message and status 409.
extension AdminOrdersController {
    /// The action forms' fields as typed, so a rejected form shows them again.
    struct ActionForm {
        /// The keys of `ValidationErrors` that a field of these forms shows.
        static let fieldNames: Set<String> = ["reference", "carrier", "trackingNumber", "reason", "note"]

        var reference = ""
        var carrier = ""
        var trackingNumber = ""
        var reason = ""
        var note = ""

        init() {}

        init(_ form: FormParameters) {
            reference = form["reference"] ?? ""
            carrier = form["carrier"] ?? ""
            trackingNumber = form["tracking_number"] ?? ""
            reason = form["reason"] ?? ""
            note = form["note"] ?? ""
        }

        var templateValue: TemplateValue {
            TemplateValue(fields: [
                "reference": reference, "carrier": carrier, "trackingNumber": trackingNumber,
                "reason": reason, "note": note,
            ])
        }
    }

    /// Returns the confirmation to show after a change redirected back to the order page.
    static func doneNotice(_ done: String?) -> String? {
        switch done {
        case "paid": return "Order marked as paid."
        case "shipped": return "Order marked as shipped."
        case "delivered": return "Order marked as delivered."
        case "canceled": return "Order canceled; its stock was put back."
        case "note": return "Note added to the timeline."
        default: return nil
        }
    }

    static func showOrder(
        _ context: StoreRequest,
        id: Int64,
        form: ActionForm = ActionForm(),
        errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil,
        alert: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let loaded = try context.database.read { database in
            let orders = OrderStore(database: database)
            guard let order = try orders.find(id: id) else {
                throw HTTPError(.notFound, "There is no order with id \(id). Find the order in the order list by its number.")
            }
            return (order: order, timeline: try orders.timeline(orderID: id), mails: try Outbox(database: database).messages(orderID: id))
        }
        let order = loaded.order
        let currency = context.currency

        return try context.render("admin/orders/show", [
            "nav": ["orders": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "alert": alert.map(TemplateValue.string) ?? .null,
            "order": AdminOrderValues.detail(order, currency: currency),
            "actions": AllowedOrderActions(order).templateValue,
            // Newest first, as staff mostly look for the latest change.
            "timeline": .array(loaded.timeline.reversed().map(AdminOrderValues.event)),
            "mails": .array(loaded.mails.map(AdminOrderValues.mail)),
            "form": form.templateValue,
            "errors": errors.templateValue,
        ], status: status)
    }

    // MARK: - Changes

    static func markPaid(_ context: StoreRequest, id: Int64) throws -> Response {
        let form = ActionForm(context.form)
        return try change(context, id: id, form: form, done: "paid", event: "order.paid", queuesMail: true) { orders, actor in
            try orders.markPaid(id: id, by: actor, reference: form.reference, composeMails: shopperMail(context) { try $0.paymentReceived($1) })
        }
    }

    static func ship(_ context: StoreRequest, id: Int64) throws -> Response {
        let form = ActionForm(context.form)
        return try change(context, id: id, form: form, done: "shipped", event: "order.shipped", queuesMail: true) { orders, actor in
            try orders.ship(
                id: id, carrier: form.carrier, trackingNumber: form.trackingNumber, by: actor,
                composeMails: shopperMail(context) { try $0.shipped($1) }
            )
        }
    }

    static func markDelivered(_ context: StoreRequest, id: Int64) throws -> Response {
        try change(context, id: id, form: ActionForm(context.form), done: "delivered", event: "order.delivered") { orders, actor in
            try orders.markDelivered(id: id, by: actor)
        }
    }

    static func cancel(_ context: StoreRequest, id: Int64) throws -> Response {
        let form = ActionForm(context.form)
        return try change(context, id: id, form: form, done: "canceled", event: "order.canceled", queuesMail: true) { orders, actor in
            try orders.cancel(id: id, reason: form.reason, by: actor, composeMails: shopperMail(context) { try $0.canceled($1) })
        }
    }

    static func addNote(_ context: StoreRequest, id: Int64) throws -> Response {
        let form = ActionForm(context.form)
        return try change(context, id: id, form: form, done: "note", event: "order.note_added") { orders, actor in
            try orders.addNote(id: id, text: form.note, by: actor)
        }
    }

    /// Runs one change as the signed-in staff member and redirects back to the order page,
    /// or shows the page again with the messages of a rejected form or transition.
    private static func change(
        _ context: StoreRequest,
        id: Int64,
        form: ActionForm,
        done: String,
        event: String,
        queuesMail: Bool = false,
        _ body: (OrderStore, OrderActor) throws -> Void
    ) throws -> Response {
        let staff = try AdminRoutes.requireActiveStaff(context)
        let actor = OrderActor.staff(id: staff.id, name: staff.name.isEmpty ? staff.email : staff.name)
        let now = context.app.clock.now()

        do {
            try context.database.write { database in
                try body(OrderStore(database: database, now: { now }), actor)
            }
        } catch let errors as ValidationErrors {
            // Messages on fields outside the page's forms come from a composed mail, such as
            // an address that no longer validates, and are shown above the page instead.
            let others = errors.all.filter { !ActionForm.fieldNames.contains($0.field) }
            let alert = others.isEmpty ? nil : "Nothing was changed, because the mail to the shopper could not be composed: " + others.map(\.message).joined(separator: " ")
            return try showOrder(context, id: id, form: form, errors: errors, alert: alert, status: .unprocessableContent)
        } catch let error as OrderError {
            context.app.logger.info("order.change_rejected", [
                "request_id": context.request.requestID, "store_id": context.store.id, "order_id": id,
                "event": event, "error": error.description,
            ])
            return try showOrder(context, id: id, alert: error.description, status: .conflict)
        }

        if queuesMail {
            context.noteQueuedMail()
        }
        context.app.logger.info(event, [
            "request_id": context.request.requestID, "store_id": context.store.id, "order_id": id, "staff_id": staff.id,
        ])
        return .redirect(to: "/admin/orders/\(id)?done=\(done)")
    }

    /// Returns a `composeMails` closure that builds the shopper's mail for a change from the
    /// store's mail templates. The closure runs inside the change's transaction, so the mail is queued exactly when the
    /// change commits, and a template error rolls the change back.
    private static func shopperMail(
        _ context: StoreRequest,
        _ compose: @escaping (StoreMailComposer, Order) throws -> OutgoingMail
    ) -> (Order) throws -> [OutgoingMail] {
        let composer = StoreMailComposer(context)
        return { order in [try compose(composer, order)] }
    }
}
