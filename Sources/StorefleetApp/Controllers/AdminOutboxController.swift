import Commerce
import HTTPServer
import Templates

/// The store's outbox: every mail the store queued, with its delivery state, and "Send
/// again" for mails whose every attempt failed.
enum AdminOutboxController {
    static let mailsPerPage = 50

    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/outbox") { context, _ in
            _ = try AdminRoutes.requireActiveStaff(context)
            let notice = context.request.query["queued"] != nil ? "The mail is queued and will be sent again shortly." : nil
            return try list(context, notice: notice)
        }
        router.post("/admin/outbox/:id/retry") { context, parameters in try retry(context, id: try parameters.id("id")) }
    }

    static func label(_ status: OutboxStatus) -> String {
        switch status {
        case .queued: return "Queued"
        case .sending: return "Sending"
        case .sent: return "Sent"
        case .failed: return "Failed"
        }
    }

    static func tone(_ status: OutboxStatus) -> String {
        switch status {
        case .queued, .sending: return "accent"
        case .sent: return "ok"
        case .failed: return "danger"
        }
    }

    private static func list(_ context: StoreRequest, notice: String? = nil, alert: String? = nil, status: HTTPStatus = .ok) throws -> Response {
        let query = context.request.query
        let statusFilter = OutboxStatus(rawValue: query["status"] ?? "")
        let page = context.request.pageNumber

        let listPage = { (number: Int) in
            try context.database.read { database in
                let outbox = Outbox(database: database)
                return (page: try outbox.list(page: number, perPage: mailsPerPage, status: statusFilter), failed: try outbox.failedCount())
            }
        }
        var result = try listPage(page)
        if page > result.page.pageCount {
            result = try listPage(result.page.pageCount)
        }

        let pagination = Pagination(
            page: result.page.page, pageCount: result.page.pageCount, path: "/admin/outbox",
            query: [("status", statusFilter?.rawValue ?? "")]
        )
        let statusOptions: [TemplateValue] = OutboxStatus.allCases.map { value in
            ["value": .string(value.rawValue), "label": .string(label(value)), "selected": .bool(value == statusFilter)]
        }
        return try context.render("admin/outbox/index", [
            "nav": ["outbox": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "alert": alert.map(TemplateValue.string) ?? .null,
            "failedCount": .int(result.failed),
            "statusFilter": .string(statusFilter?.rawValue ?? ""),
            "statusOptions": .array(statusOptions),
            "total": .int(result.page.totalCount),
            "mails": .array(result.page.items.map(mailValue)),
            "pagination": pagination.templateValue(previousLabel: "Previous", nextLabel: "Next"),
        ], status: status)
    }

    private static func mailValue(_ message: OutboxMessage) -> TemplateValue {
        TemplateValue(fields: [
            "id": message.id,
            "kind": message.mail.kind.rawValue,
            "to": message.mail.toAddress,
            "toName": message.mail.toName,
            "subject": message.mail.subject,
            "status": label(message.status),
            "statusTone": tone(message.status),
            "isFailed": message.status == .failed,
            "attempts": message.attempts,
            "lastError": message.lastError,
            "createdAt": AdminFormat.dateTime(message.createdAt),
            "sentAt": message.sentAt.map { AdminFormat.dateTime($0) },
            "nextAttemptAt": message.status == .queued ? AdminFormat.dateTime(message.nextAttemptAt) : nil,
            "orderID": message.mail.relatedOrderID,
        ])
    }

    private static func retry(_ context: StoreRequest, id: Int64) throws -> Response {
        let staff = try AdminRoutes.requireActiveStaff(context)
        let now = context.app.clock.now()
        let outcome = try context.database.write { database -> String? in
            let outbox = Outbox(database: database, now: { now })
            guard let message = try outbox.find(id: id) else {
                throw HTTPError(.notFound, "There is no mail with id \(id) in the outbox. It may have been sent and removed.")
            }
            // Only failed mails are offered again. A mail sent meanwhile (from another tab,
            // say) is not sent a second time by a stale button.
            guard message.status == .failed else {
                return "Mail \(id) is \(label(message.status).lowercased()), not failed, so it was not queued again. The list below shows its current state."
            }
            try outbox.retry(id: id)
            return nil
        }
        if let rejection = outcome {
            context.app.logger.info("outbox.retry_rejected", [
                "request_id": context.request.requestID, "store_id": context.store.id, "mail_id": id, "error": rejection,
            ])
            return try list(context, alert: rejection, status: .conflict)
        }
        context.noteQueuedMail()
        context.app.logger.info("outbox.retried", [
            "request_id": context.request.requestID, "store_id": context.store.id, "mail_id": id, "staff_id": staff.id,
        ])
        return .redirect(to: "/admin/outbox?queued=1")
    }
}
