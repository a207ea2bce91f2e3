import Commerce
import Foundation
import HTTPServer
import SQLite
import Templates
import Tenancy

/// One request to one store: the store's record and database, its settings, and the
/// visitor's session. It lives for one request only; nothing about a store is global.
final class StoreRequest {
    let request: Request
    let app: Application
    let store: StoreRecord
    let database: DatabaseQueue
    let settings: StoreSettings

    /// The visitor's session in this store's file, if the cookie named one that is valid.
    var session: Session?
    /// The raw token of `session`, kept to destroy it on logout.
    var sessionToken: String?
    /// Whether the request carried a session cookie that was unknown or had expired.
    var sessionWasInvalid = false
    var staff: StaffMember?
    /// The decoded form body of an unsafe request, read once by the CSRF check.
    var form = FormParameters()
    var files: [MultipartFile] = []
    /// Cookies to set on whatever response the handler returns.
    var outgoingCookies: [Cookie] = []

    init(request: Request, app: Application, store: StoreRecord, database: DatabaseQueue, settings: StoreSettings) {
        self.request = request
        self.app = app
        self.store = store
        self.database = database
        self.settings = settings
    }

    var language: String { settings.language }

    var currency: Currency { settings.currency ?? .usd }

    /// The store's URL on the platform domain, such as `http://demo.localhost:8080/`.
    var storeURL: String { app.configuration.storeURL(slug: store.slug) }

    /// Values every store page uses: the store's name, language and contact address.
    var storeContext: TemplateValue {
        [
            "name": .string(settings.storeName.isEmpty ? store.name : settings.storeName),
            "language": .string(settings.language),
            "contactEmail": .string(settings.contactEmail),
            "slug": .string(store.slug),
            "url": .string(storeURL),
            "planName": .string(store.plan.displayName),
            "statusName": .string(store.status.rawValue.capitalized),
        ]
    }

    func format(_ minorUnits: Int64) -> String {
        Money(minorUnits: minorUnits, currency: currency).formatted()
    }

    /// Renders a view with the store and CSRF values added to `context`.
    func render(_ view: String, _ context: [String: TemplateValue], status: HTTPStatus = .ok) throws -> Response {
        var context = context
        context["store"] = storeContext
        context["csrfToken"] = .string(session?.csrfToken ?? "")
        context["year"] = .int(Calendar(identifier: .gregorian).component(.year, from: app.clock.now()))
        try addShopperValues(to: &context, view: view)
        if let staff {
            context["staff"] = ["email": .string(staff.email), "name": .string(staff.name), "isOwner": .bool(staff.role == .owner)]
        }
        return try app.renderer.render(view, context, language: language, status: status)
    }

    func text(_ key: String, _ arguments: [String: TemplateValue] = [:]) -> String {
        app.renderer.text(key, language: language, arguments: arguments)
    }

    /// The shopper's or staff member's address, for login throttling and logs: the peer's
    /// address, or with `--trust-proxy` the last `X-Forwarded-For` entry, which the proxy
    /// in front of the server appended.
    var clientAddress: String {
        guard app.configuration.trustsForwardedFor,
              let forwarded = request.headers.values(for: "X-Forwarded-For").last,
              let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              !last.isEmpty
        else { return request.remoteAddress }
        return last
    }

    /// The path and query of this request, for a `next` link back after logging in.
    var pathWithQuery: String { request.target.hasPrefix("/") ? request.target : request.path }
}
