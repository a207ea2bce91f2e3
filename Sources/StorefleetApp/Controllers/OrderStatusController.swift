import Commerce
import Foundation
import HTTPServer
import Templates

/// The shopper's order pages: the status page at `/orders/<number>?token=<access token>`,
/// which is also the confirmation after checkout, and the lookup form at `/orders/lookup`
/// that mails the status link to the order's own address.
///
/// The token is the order's 256-bit random access token and is looked up only in this
/// store's file, so a link works on its own store and nowhere else. A wrong or missing
/// token gets the same 404 as an order number that does not exist.
enum OrderStatusController {
    /// Lookups per client address, and per order number, within 15 minutes before the form
    /// returns 429 with a `Retry-After` time. The window equals `LoginThrottle`'s default, so the
    /// store's hourly housekeeping, which purges with that window, never drops a count early.
    static let lookupPolicy = LoginThrottle.Policy(
        maximumFailuresPerAccount: 5, maximumFailuresPerAddress: 10, window: 15 * 60, lockout: 15 * 60
    )

    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/orders/lookup") { context, _ in try lookupForm(context) }
        router.post("/orders/lookup") { context, _ in try lookup(context) }
        router.get("/orders/:number") { context, parameters in try status(context, number: parameters["number"] ?? "") }
    }

    // MARK: - Status page

    private static func status(_ context: StoreRequest, number: String) throws -> Response {
        guard let number = Int64(number), number > 0, let token = context.request.query["token"] else {
            throw HTTPError(.notFound, "")
        }
        let (order, timeline) = try context.database.read { database -> (Order?, [OrderEvent]) in
            let orders = OrderStore(database: database)
            guard let order = try orders.find(accessToken: token), order.number == number else { return (nil, []) }
            return (order, try orders.timeline(orderID: order.id, includeInternal: false))
        }
        guard let order else { throw HTTPError(.notFound, "") }

        var response = try context.render("store/order", [
            "order": orderValue(order, timeline: timeline, context),
            "justPlaced": .bool(context.request.query["placed"] == "1"),
        ])
        // The address carries the order's secret; no other site may learn it from a
        // Referer header, and no search engine may list the page.
        response.headers.set("Referrer-Policy", "no-referrer")
        response.headers.set("X-Robots-Tag", "noindex")
        return response
    }

    /// Returns the order as the status page reads it. Labels are translation keys, so the page
    /// stays in the store's language.
    private static func orderValue(_ order: Order, timeline: [OrderEvent], _ context: StoreRequest) -> TemplateValue {
        let currency = order.currency ?? context.currency
        func money(_ minorUnits: Int64) -> TemplateValue {
            .string(Money(minorUnits: minorUnits, currency: currency).formatted())
        }
        let dateStyle = dateStyle(context)
        let lines: [TemplateValue] = order.lines.map { line in
            [
                "title": .string(line.title), "sku": .string(line.sku ?? ""), "quantity": .int(line.quantity),
                "unitPrice": money(line.unitPrice), "lineTotal": money(line.lineTotal),
            ]
        }
        let events: [TemplateValue] = timeline.map { event in
            [
                "labelKey": .string("order.event.\(event.kind.rawValue)"), "date": .string(event.createdAt.formatted(dateStyle)),
                // For <time datetime>: the instant in ISO 8601, which machines and screen readers read.
                "isoDate": .string(event.createdAt.formatted(.iso8601)),
            ]
        }
        let addressesDiffer = order.billingAddress != order.shippingAddress
        return [
            "number": .int(Int(order.number)),
            "placedAt": .string(order.placedAt.formatted(dateStyle)),
            "statusKey": .string("order.status.\(order.status.rawValue)"),
            "status": .string(order.status.rawValue),
            "fulfillmentKey": .string("order.fulfillment.\(order.fulfillment.rawValue)"),
            "fulfillment": .string(order.fulfillment.rawValue),
            "lines": .array(lines),
            "subtotal": money(order.subtotal),
            "shippingMethod": .string(order.shippingMethodName),
            "shipping": money(order.shippingPrice),
            "shippingIsFree": .bool(order.shippingPrice == 0),
            "total": money(order.total),
            "paymentMethod": .string(order.paymentMethodName),
            "paysByTransfer": .bool(order.paymentMethodKind == .bankTransfer),
            "paymentInstructions": .string(order.status == .pendingPayment ? order.paymentInstructions : ""),
            "shippingAddress": order.shippingAddress.linesValue(language: context.language),
            "billingAddress": addressesDiffer ? order.billingAddress.linesValue(language: context.language) : .null,
            "email": .string(order.email),
            "notes": .string(order.notes),
            "carrier": .string(order.carrier ?? ""),
            "trackingNumber": .string(order.trackingNumber ?? ""),
            "timeline": .array(events),
        ]
    }

    /// Dates in the store's time zone and language with the zone's short name, such as
    /// "Mar 4, 2026, 3:05 PM GMT" or "4 mar 2026, 16:05 CET". A format style rather than a
    /// `DateFormatter`, which cost 3.5 % of the server's CPU per confirmation page when
    /// built for each request.
    private static func dateStyle(_ context: StoreRequest) -> Date.FormatStyle {
        Date.FormatStyle(
            date: .abbreviated,
            time: .shortened,
            locale: Locale(identifier: context.language),
            timeZone: TimeZone(identifier: context.settings.timeZoneIdentifier) ?? TimeZone(identifier: "UTC")!
        ).timeZone(.specificName(.short))
    }

    // MARK: - Lookup

    private static func lookupForm(_ context: StoreRequest) throws -> Response {
        try context.ensureSession()
        return try context.render("store/order-lookup", ["form": ["number": "", "email": ""], "errors": ["any": false]])
    }

    /// Queues the status link for the order with this number and email, if there is one,
    /// and returns the same page either way, so the form reveals nothing about which
    /// orders exist. Every lookup counts against the visitor's address and the order number.
    private static func lookup(_ context: StoreRequest) throws -> Response {
        let numberText = (context.form["number"] ?? "").trimmingCharacters(in: .whitespaces)
        let email = (context.form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let digits = numberText.hasPrefix("#") ? String(numberText.dropFirst()) : numberText

        var errors = ValidationErrors()
        let number = Int64(digits).flatMap { $0 > 0 ? $0 : nil }
        if number == nil {
            errors.add(context.text(numberText.isEmpty ? "lookup.error.numberRequired" : "lookup.error.numberInvalid"), for: "number")
        }
        if case .failure = EmailAddress.validate(email) {
            errors.add(context.text(email.isEmpty ? "lookup.error.emailRequired" : "lookup.error.emailInvalid"), for: "email")
        }
        guard let number, errors.isEmpty else {
            return try context.render("store/order-lookup", [
                "form": ["number": .string(numberText), "email": .string(email)],
                "errors": errors.nestedTemplateValue(in: context),
            ], status: .unprocessableContent)
        }

        let now = context.app.clock.now()
        let composer = StoreMailComposer(context)
        let outcome = try context.database.write { database -> (retryAfter: Int?, queued: Bool) in
            let throttle = LoginThrottle(database: database, policy: lookupPolicy, now: { now })
            let orderKey = "order-lookup:\(number)"
            // The prefix keeps these counts apart from failed staff logins, which share the
            // table. NOTE: it also means an IPv6 address counts on its own, not by its /64
            // as logins count, so a client with a whole /64 can rotate addresses.
            let addressKey = "order-lookup:" + context.clientAddress
            if case .retryAfter(let seconds) = try throttle.check(email: orderKey, address: addressKey) {
                return (seconds, false)
            }
            try throttle.recordFailure(email: orderKey, address: addressKey)

            guard let order = try OrderStore(database: database, now: { now }).find(number: number, email: email) else {
                return (nil, false)
            }
            try Outbox(database: database, now: { now }).enqueue(try composer.orderLink(order))
            return (nil, true)
        }

        if let retryAfter = outcome.retryAfter {
            let minutes = max(1, (retryAfter + 59) / 60)
            var response = try context.render("store/message", [
                "heading": .string(context.text("lookup.throttled.heading")),
                "message": .string(context.text("lookup.throttled.message", ["minutes": .int(minutes)])),
            ], status: .tooManyRequests)
            response.headers.set("Retry-After", String(retryAfter))
            return response
        }
        if outcome.queued {
            context.noteQueuedMail()
        }
        context.app.logger.info("order.lookup", [
            "request_id": context.request.requestID, "store_id": context.store.id, "mail_queued": outcome.queued,
        ])
        return try context.render("store/order-lookup", ["sent": true, "form": ["number": "", "email": ""], "errors": ["any": false]])
    }
}
