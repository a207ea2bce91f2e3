import Commerce
import Foundation
import HTTPServer
import Templates
import Tenancy

/// Every route under `/admin` on a store's host.
enum AdminRoutes {
    static func routes() -> Router<StoreRequest> {
        var router = Router<StoreRequest>()
        AdminAuthController.register(&router)
        router.get("/admin") { context, _ in try dashboard(context) }
        AdminProductsController.register(&router)
        AdminSettingsController.register(&router)
        AdminStaffController.register(&router)
        AdminAccountController.register(&router)
        AdminOrdersController.register(&router)
        AdminOrderSettingsController.register(&router)
        AdminShippingController.register(&router)
        AdminPaymentsController.register(&router)
        AdminOutboxController.register(&router)
        return router
    }

    /// Requires a signed-in staff member of a store whose plan is in force. An expired
    /// trial shows the page that explains how to continue instead of the admin.
    static func requireActiveStaff(_ context: StoreRequest) throws -> StaffMember {
        let staff = try context.requireStaff()
        if context.store.status == .expired {
            throw HTTPError(
                .paymentRequired,
                "The free trial of \(context.store.name) ended\(context.store.trialEndsAt.map { " on " + AdminFormat.date($0) } ?? ""). Your products and settings are kept, and shoppers see that the store is unavailable. Contact Storefleet support to choose a plan and reopen the store."
            )
        }
        return staff
    }

    /// Requires the store's owner: store settings, payment instructions (where shoppers
    /// send their money) and the staff list are the owner's to change.
    ///
    /// - Throws: `HTTPError` 403 that names what only the owner may do.
    @discardableResult
    static func requireOwner(_ context: StoreRequest, toChange what: String) throws -> StaffMember {
        let staff = try requireActiveStaff(context)
        guard staff.role == .owner else {
            throw HTTPError(.forbidden, "Only the store owner can change \(what). Ask the owner if something there needs changing.")
        }
        return staff
    }

    static func plainLimit(_ limit: PlanLimit) -> Int? {
        switch limit {
        case .upTo(let count): return count
        case .unlimited: return nil
        }
    }

    private static func dashboard(_ context: StoreRequest) throws -> Response {
        _ = try requireActiveStaff(context)
        let now = context.app.clock.now()
        let counts = try context.database.read { database in
            (
                products: try ProductStore(database: database).counts(),
                staff: try StaffDirectory(database: database).accountCount(),
                sales: try OrderStatistics(database: database, now: { now }).summary(dayCount: AdminDashboardSales.dayCount),
                failedMails: try Outbox(database: database).failedCount(),
                methods: try CheckoutController.MethodSetup(database: database)
            )
        }
        let store = context.store
        let trialEnd = store.trialEndsAt ?? now
        let daysLeft = max(0, Int((trialEnd.timeIntervalSince(now) / 86_400).rounded(.up)))
        let limits = store.plan.limits
        return try context.render("admin/dashboard", [
            "nav": ["dashboard": true],
            "trial": [
                "active": .bool(store.status == .trialing),
                "daysLeft": .int(daysLeft),
                "oneDay": .bool(daysLeft == 1),
                "endDate": .string(AdminFormat.date(trialEnd)),
                "supportEmail": context.app.configuration.supportEmail.map(TemplateValue.string) ?? .null,
            ],
            "counts": [
                "products": .int(counts.products.total),
                "visibleProducts": .int(counts.products.visible),
                "soldOut": .int(counts.products.soldOut),
                "staff": .int(counts.staff),
            ],
            "sales": AdminDashboardSales.templateValue(counts.sales),
            "failedMails": .int(counts.failedMails),
            "shopperURL": .string(context.app.configuration.url(forHost: context.app.shopperHost(of: context.store))),
            "checkout": [
                "blocked": .bool(!counts.methods.isComplete),
                "needsShipping": .bool(!counts.methods.hasShipping),
                "needsPayment": .bool(!counts.methods.hasPayment),
                "accountRequired": .bool(context.settings.customerLoginMode == .required),
            ],
            "limits": [
                "products": .string(plainLimit(limits.products).map(AdminFormat.grouped) ?? "unlimited"),
                "staff": .string(plainLimit(limits.staffAccounts).map(AdminFormat.grouped) ?? "unlimited"),
            ],
        ])
    }
}

/// Date formats for admin pages, which stay in English.
enum AdminFormat {
    static func date(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, locale: Locale(identifier: "en_US"), timeZone: TimeZone(identifier: "UTC")!))
    }

    static func dateTime(_ date: Date?) -> String {
        guard let date else { return "never" }
        return date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, locale: Locale(identifier: "en_US"), timeZone: TimeZone(identifier: "UTC")!)) + " UTC"
    }
}

/// Values of a form re-shown after a validation error, and the errors beside each field.
extension ValidationErrors {
    var templateValue: TemplateValue {
        var fields: [String: TemplateValue] = ["any": .bool(!isEmpty)]
        for field in self.fields {
            fields[field] = .array(self[field].map(TemplateValue.string))
        }
        return .dictionary(fields)
    }
}
