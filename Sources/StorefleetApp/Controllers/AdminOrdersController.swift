import Commerce
import Foundation
import HTTPServer
import SQLite
import Templates
import Tenancy

/// The admin's order pages: the filtered list with its CSV export, and each order's page
/// with the status changes staff make (see AdminOrdersController+Detail.swift).
enum AdminOrdersController {
    static let ordersPerPage = 25

    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/orders") { context, _ in try list(context) }
        router.get("/admin/orders.csv") { context, _ in try export(context) }
        router.get("/admin/orders/:id") { context, parameters in
            _ = try AdminRoutes.requireActiveStaff(context)
            let id = try parameters.id("id")
            return try showOrder(context, id: id, notice: doneNotice(context.request.query["done"]))
        }
        router.post("/admin/orders/:id/mark-paid") { context, parameters in try markPaid(context, id: try parameters.id("id")) }
        router.post("/admin/orders/:id/ship") { context, parameters in try ship(context, id: try parameters.id("id")) }
        router.post("/admin/orders/:id/mark-delivered") { context, parameters in try markDelivered(context, id: try parameters.id("id")) }
        router.post("/admin/orders/:id/cancel") { context, parameters in try cancel(context, id: try parameters.id("id")) }
        router.post("/admin/orders/:id/notes") { context, parameters in try addNote(context, id: try parameters.id("id")) }
    }

    // MARK: - List

    private static func list(_ context: StoreRequest) throws -> Response {
        _ = try AdminRoutes.requireActiveStaff(context)
        let query = AdminOrderFilterQuery(context.request.query)
        let paymentMethods = try context.database.read { database in try PaymentMethodStore(database: database).list() }

        var errors = ValidationErrors()
        let filter = query.filter(paymentKinds: paymentMethods.map(\.kind), errors: &errors)
        guard errors.isEmpty else {
            return try renderList(context, query: query, paymentMethods: paymentMethods, list: nil, errors: errors, status: .badRequest)
        }

        let page = context.request.pageNumber
        let listPage = { (number: Int) in
            try context.database.read { database in
                try OrderStore(database: database).list(filter: filter, page: number, perPage: ordersPerPage)
            }
        }
        var result = try listPage(page)
        if page > result.page.pageCount {
            // A page past the end, such as an old link after the filters matched fewer
            // orders, shows the last page rather than an empty table.
            result = try listPage(result.page.pageCount)
        }
        return try renderList(context, query: query, paymentMethods: paymentMethods, list: result, errors: errors)
    }

    /// Renders the list page. `list` is nil when the filters could not be read, and the page
    /// then shows only the filter form with its messages.
    private static func renderList(
        _ context: StoreRequest,
        query: AdminOrderFilterQuery,
        paymentMethods: [PaymentMethod],
        list: OrderList?,
        errors: ValidationErrors,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let currency = context.currency
        let statusOptions: [TemplateValue] = OrderStatus.allCases.map { value in
            ["value": .string(value.rawValue), "label": .string(value.label), "selected": .bool(value.rawValue == query.status)]
        }
        let fulfillmentOptions: [TemplateValue] = FulfillmentStatus.allCases.map { value in
            ["value": .string(value.rawValue), "label": .string(value.label), "selected": .bool(value.rawValue == query.fulfillment)]
        }
        let paymentOptions: [TemplateValue] = paymentMethods.map { method in
            ["value": .string(method.kind.rawValue), "label": .string(method.name), "selected": .bool(method.kind.rawValue == query.payment)]
        }

        var values: [String: TemplateValue] = [
            "nav": ["orders": true],
            "filters": TemplateValue(fields: [
                "from": query.from, "to": query.to, "q": query.search, "isActive": query.isActive,
            ]),
            "statusOptions": .array(statusOptions),
            "fulfillmentOptions": .array(fulfillmentOptions),
            "paymentOptions": .array(paymentOptions),
            "errors": errors.templateValue,
            "exportURL": .string("/admin/orders.csv" + query.queryString),
        ]
        if let list {
            let pagination = Pagination(
                page: list.page.page, pageCount: list.page.pageCount, path: "/admin/orders", query: query.pairs
            )
            let onlyUncounted = list.uncountedCount == list.matchingCount
            // The orders whose amounts the shown total leaves out: the sales total's, or
            // every matching order's when only canceled or abandoned ones match.
            let otherCurrency = onlyUncounted ? list.otherCurrencyMatchingCount : list.otherCurrencyCount
            values["result"] = TemplateValue(fields: [
                "count": list.matchingCount,
                "countLabel": AdminFormat.orders(list.matchingCount),
                "total": Money(minorUnits: list.matchingTotal, currency: currency).formatted(),
                "salesTotal": Money(minorUnits: list.salesTotal, currency: currency).formatted(),
                // Only canceled or abandoned orders match: their own total is what the list is about.
                "onlyUncounted": onlyUncounted,
                "uncountedLabel": list.uncountedCount == 1 ? "1 canceled or abandoned order" : "\(AdminFormat.grouped(list.uncountedCount)) canceled or abandoned orders",
                "hasUncounted": list.uncountedCount > 0,
                "otherCurrencyLabel": AdminFormat.ordersInOtherCurrencies(otherCurrency),
                "otherCurrencyOne": otherCurrency == 1,
                "currencyCode": currency.code,
                "orders": TemplateValue.array(list.page.items.map { AdminOrderValues.summary($0, currency: currency) }),
            ])
            values["pagination"] = pagination.templateValue(previousLabel: "Previous", nextLabel: "Next")
        }
        return try context.render("admin/orders/index", values, status: status)
    }

    // MARK: - CSV export

    /// Sends every order the filters match as CSV, written while it is read so that a large
    /// export never sits in memory. Filters that cannot be read show the list page with
    /// their messages instead.
    private static func export(_ context: StoreRequest) throws -> Response {
        _ = try AdminRoutes.requireActiveStaff(context)
        let query = AdminOrderFilterQuery(context.request.query)
        let paymentMethods = try context.database.read { database in try PaymentMethodStore(database: database).list() }
        var errors = ValidationErrors()
        let filter = query.filter(paymentKinds: paymentMethods.map(\.kind), errors: &errors)
        guard errors.isEmpty else {
            return try renderList(context, query: query, paymentMethods: paymentMethods, list: nil, errors: errors, status: .badRequest)
        }

        let fileName = "orders-\(UTCDay(context.app.clock.now())).csv"
        let storeID = context.store.id
        let pool = context.app.pool
        let logger = context.app.logger
        let requestID = context.request.requestID

        var response = Response(status: .ok, body: .stream { writer in
            let rows = try writeCSV(filter: filter, storeID: storeID, pool: pool, to: writer)
            logger.info("orders.exported", ["request_id": requestID, "store_id": storeID, "rows": rows])
        })
        response.headers.set("Content-Type", "text/csv; charset=utf-8")
        response.headers.set("Content-Disposition", "attachment; filename=\(fileName)")
        // The file lists customers' names and addresses, so no cache may keep a copy.
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("X-Content-Type-Options", "nosniff")
        return response
    }

    /// Writes the CSV to `writer` and returns the number of orders written.
    ///
    /// The body runs after the handler returned, so it takes its own lease on the store
    /// (the pool then neither closes nor deletes the file meanwhile) and reads through a
    /// read-only connection of its own. The store's shared `DatabaseQueue` serialises every
    /// request of the store, and a client that downloads slowly would otherwise hold it for
    /// the whole download. In WAL mode the extra reader blocks no writer.
    private static func writeCSV(filter: OrderFilter, storeID: String, pool: StoreDatabasePool, to writer: any BodyWriter) throws -> Int {
        try pool.withStore(storeID) { queue in
            var configuration = Database.Configuration()
            configuration.accessMode = .readOnly
            let database = try Database(path: queue.path, configuration: configuration)
            defer { try? database.close() }

            // Excel reads a CSV without a byte order mark in the computer's legacy code page,
            // which garbles every accented name. With one it reads UTF-8.
            try writer.write([0xEF, 0xBB, 0xBF])

            var records = 0
            var writeError: (any Error)?
            try OrderCSV(database: database).write(filter: filter) { record in
                // `output` cannot throw, so a closed connection is remembered and the rest
                // of the rows are skipped without writing.
                guard writeError == nil else { return }
                do {
                    try writer.write(Array(record.utf8))
                    records += 1
                } catch {
                    writeError = error
                }
            }
            if let writeError { throw writeError }
            // The first record is the header row.
            return max(0, records - 1)
        }
    }
}
