import Commerce
import Crypto
import Foundation
import HTTPServer
import SQLite
import Synchronization
import Templates
import Tenancy

/// The Storefleet web application: it resolves each request's host to the platform or a
/// store and hands it to the matching routes. One instance serves every store.
public final class Application: Sendable {
    /// The settings the app was started with, except that `port` becomes the port the server
    /// listens on once `setListeningPort(_:)` has recorded it.
    public var configuration: AppConfiguration { configurationState.withLock { $0 } }
    private let configurationState: Mutex<AppConfiguration>
    public let catalog: Catalog
    public let pool: StoreDatabasePool
    public let provisioner: Provisioner
    let resolver: HostResolver
    let renderer: PageRenderer
    let assets: StaticFiles
    let logger: Logger
    let clock: any WallClock
    let passwordHasher: PasswordHasher
    let dataDirectory: DataDirectory
    /// Signs the form tokens of visitors without a session (see `FormKey`).
    let formKey: [UInt8]
    let storefrontRoutes: Router<StoreRequest>
    let adminRoutes: Router<StoreRequest>
    let platformRoutes: Router<PlatformRequest>
    let housekeeping = StoreHousekeeping()
    let shopJobs = ShopJobs()

    /// Opens the catalog under the data folder (creating it on first start) and loads every
    /// template. A template syntax error stops the start with its file, line and column.
    public init(
        configuration: AppConfiguration,
        logger: Logger,
        clock: any WallClock = SystemClock(),
        passwordHasher: PasswordHasher = PasswordHasher()
    ) throws {
        configurationState = Mutex(configuration)
        self.logger = logger
        self.clock = clock
        self.passwordHasher = passwordHasher

        let dataDirectory = DataDirectory(path: configuration.dataDirectory)
        try FileManager.default.createDirectory(at: dataDirectory.storesFolder, withIntermediateDirectories: true)
        self.dataDirectory = dataDirectory
        formKey = try FormKey.load(in: dataDirectory.root)

        let tenancyLogger = TenancyLogger { event in
            logger.log(.info, event.name, fieldList: event.fields.map { (key: $0.key, value: $0.value) })
        }
        catalog = try Catalog(dataDirectory: dataDirectory, platformDomain: configuration.platformDomain, clock: clock)
        resolver = HostResolver(catalog: catalog)
        pool = StoreDatabasePool(
            dataDirectory: dataDirectory,
            maximumOpenStores: configuration.maxOpenStores,
            configuration: Self.storeDatabaseConfiguration,
            logger: tenancyLogger,
            prepare: { database in
                try StoreSchema.migrate(database)
                try database.execute("PRAGMA wal_autocheckpoint = \(Self.automaticCheckpointPages)")
            }
        )
        provisioner = Provisioner(
            catalog: catalog,
            dataDirectory: dataDirectory,
            pool: pool,
            logger: tenancyLogger,
            prepare: { database in try StoreSchema.migrate(database) }
        )

        let templates = try TemplateLibrary(root: configuration.viewsDirectory, reloadOnChange: configuration.development)
        let translations = try Translations(folder: configuration.viewsDirectory + "/translations")
        renderer = PageRenderer(templates: templates, translations: translations)
        assets = StaticFiles(root: configuration.publicDirectory, urlPrefix: "/assets/")

        storefrontRoutes = StorefrontController.routes()
        adminRoutes = AdminRoutes.routes()
        platformRoutes = PlatformController.routes()
    }

    /// How each store file is opened. The pool opens and closes store files all the time
    /// and keeps hundreds open, so each connection keeps its WAL files between opens and
    /// holds a small cache: 256 KiB of pages and 16 KiB of lookaside memory, in place of
    /// SQLite's defaults of 2,000 KiB and about 120 KiB. Placing an order runs in a
    /// savepoint whose journal would otherwise spill to a temporary file, and a checkout
    /// with its mails uses more than 32 distinct statements.
    /// Returns the host name shoppers reach the store on: its primary custom domain, or
    /// `SLUG.<platform domain>` when it has none or the catalog cannot be read. Links in
    /// shopper mail and the admin's store address use it; admin links keep the platform
    /// subdomain, where the merchant's session cookie lives.
    func shopperHost(of store: StoreRecord) -> String {
        let primary = (try? catalog.domains(of: store.id))?.first { $0.isPrimary }?.hostname
        return primary ?? "\(store.slug).\(configuration.platformDomain)"
    }

    static let storeDatabaseConfiguration: Database.Configuration = {
        var configuration = Database.Configuration(statementCacheCapacity: 64)
        configuration.keepsTemporaryDataInMemory = true
        configuration.keepsWALFiles = true
        configuration.pageCacheKiB = 256
        configuration.lookaside = .init(slotSize: 128, count: 128)
        return configuration
    }()

    /// The WAL size in pages at which a store connection's COMMIT runs a checkpoint
    /// (`PRAGMA wal_autocheckpoint`, SQLite's default is 1,000). `StoreCheckpointer` copies
    /// busy stores' WAL in the background, so this is the bound on the WAL, 16 MiB with
    /// 4 KiB pages, rather than the usual trigger.
    static let automaticCheckpointPages = 4_000

    /// Records the port the server listens on, so that the links the app writes (invitation
    /// links, the demo store's address) carry it. It differs from the configured port when
    /// that is 0, for which the kernel picks a free port as the server starts. Links have no
    /// port of their own when a public URL is configured, so this changes none of them then.
    public func setListeningPort(_ port: Int) {
        configurationState.withLock { $0.port = port }
    }

    /// The server's handler: every request of every host comes through here.
    public func handle(_ request: Request) throws -> Response {
        if request.path.hasPrefix("/assets/"), let asset = assets.response(for: request) {
            return asset
        }

        let resolution: HostResolution
        do {
            resolution = try resolver.resolve(request.headers["Host"] ?? "")
        } catch {
            logger.error("host.resolve_failed", ["request_id": request.requestID, "error": String(describing: error)])
            throw error
        }

        switch resolution {
        case .platform:
            return try handlePlatform(request)
        case .store(let store):
            return try handleStore(store, request)
        case .unknown(let hostname):
            return try renderPlatformMessage(
                status: .notFound,
                heading: "No store at this address",
                message: "There is no Storefleet store at \(hostname). Check the address for typing mistakes."
            )
        case .invalid(let reason):
            return try renderPlatformMessage(
                status: .badRequest,
                heading: "Invalid address",
                message: "The Host header is not a valid store address (\(reason)). Use the store's name, such as shop.\(configuration.platformDomain)."
            )
        }
    }

    // MARK: - Platform

    private func handlePlatform(_ request: Request) throws -> Response {
        let context = PlatformRequest(request: request, app: self)
        switch platformRoutes.match(request.method, path: request.path) {
        case .found(let handler, let parameters):
            return try handler(context, parameters)
        case .methodNotAllowed(let allowed):
            var response = try renderPlatformMessage(status: .methodNotAllowed, heading: "Method not allowed", message: "This address does not accept \(request.method).")
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return response
        case .notFound:
            return try renderPlatformMessage(status: .notFound, heading: "Page not found", message: "There is no page at \(request.path) on Storefleet.")
        }
    }

    func renderPlatformMessage(status: HTTPStatus, heading: String, message: String) throws -> Response {
        try renderer.render("platform/message", [
            "heading": .string(heading),
            "message": .string(message),
            "platformURL": .string(configuration.url(forHost: configuration.platformDomain)),
        ], status: status)
    }

    // MARK: - Stores

    private func handleStore(_ store: StoreRecord, _ request: Request) throws -> Response {
        let isAdmin = request.path == "/admin" || request.path.hasPrefix("/admin/")

        guard store.state == .ready else {
            return try renderUnavailable(store: store)
        }
        if !isAdmin || store.status == .suspended {
            guard store.status.servesStorefront else {
                return try renderUnavailable(store: store, forStaff: isAdmin)
            }
        }

        // A store's uploads are served only while its database file exists. For every other
        // request the pool compares the file at the path with the one it has open, so a
        // file deleted behind the server's back stops serving, and a file restored in its
        // place is opened anew.
        if request.path.hasPrefix("/files/") {
            let databasePath = dataDirectory.storeDatabasePath(store.id)
            guard FileManager.default.fileExists(atPath: databasePath) else {
                logger.error("store.unavailable", [
                    "request_id": request.requestID, "store_id": store.id,
                    "error": "the store's file \(databasePath) is missing; restore it from a backup and run storefleet stores check --repair",
                ])
                return try renderUnavailable(store: store)
            }
            let files = StaticFiles(root: dataDirectory.storeFilesFolder(store.id).path, urlPrefix: "/files/")
            if let response = files.response(for: request) { return response }
        }

        try? catalog.touch(store.id)
        do {
            return try pool.withStore(store.id) { database in
                cleanUpIfDue(store, database, requestID: request.requestID)
                let settings = try database.read { try StoreSettings.load(from: $0) }
                let context = StoreRequest(request: request, app: self, store: store, database: database, settings: settings)
                var response = try route(context, admin: isAdmin)
                for cookie in context.outgoingCookies {
                    response.setCookie(cookie)
                }
                return response
            }
        } catch let error as StoreUnavailable {
            logger.error("store.unavailable", ["request_id": request.requestID, "store_id": store.id, "error": error.description])
            return try renderUnavailable(store: store)
        }
    }

    /// Runs the store's hourly housekeeping on its own traffic. A failure is logged and
    /// does not fail the request, because the rows it removes are only expired ones.
    private func cleanUpIfDue(_ store: StoreRecord, _ database: DatabaseQueue, requestID: String) {
        let now = clock.now()
        guard housekeeping.claim(store.id, now: now) else { return }
        do {
            let removed = try StoreHousekeeping.run(in: database, now: now)
            if removed.sessions + removed.loginAttempts + removed.invitations + removed.carts > 0 {
                logger.info("store.housekeeping", [
                    "store_id": store.id, "sessions": removed.sessions,
                    "login_attempts": removed.loginAttempts, "invitations": removed.invitations, "carts": removed.carts,
                ])
            }
        } catch {
            logger.error("store.housekeeping_failed", ["request_id": requestID, "store_id": store.id, "error": String(describing: error)])
        }
    }

    /// Renders the page shoppers see when a store cannot serve: expired, suspended or
    /// damaged. The store's own file may be what is broken, so this page needs nothing from
    /// it and uses the platform's layout with the fallback language.
    /// Renders the page of a store that is not serving. Staff on the admin of a suspended
    /// store learn why and whom to ask. Shoppers learn only that it is closed.
    private func renderUnavailable(store: StoreRecord, forStaff: Bool = false) throws -> Response {
        let language = Translations.fallbackLanguage
        var message = renderer.text("error.unavailable.message", language: language)
        if forStaff && store.status == .suspended {
            let contact = configuration.supportEmail.map { "write to \($0)" } ?? "ask the operator of this platform"
            message = "The platform's operator has suspended this store: its storefront and admin are closed, and nothing has been deleted. To reopen it, \(contact)."
        }
        var response = try renderer.render("platform/message", [
            "heading": .string(renderer.text("error.unavailable.heading", language: language)),
            "message": .string(message),
        ], status: .serviceUnavailable)
        response.headers.set("Retry-After", "3600")
        return response
    }

    private func route(_ context: StoreRequest, admin: Bool) throws -> Response {
        let request = context.request
        let routes = admin ? adminRoutes : storefrontRoutes
        do {
            switch routes.match(request.method, path: request.path) {
            case .found(let handler, let parameters):
                if !request.method.isSafe {
                    try context.verifyCSRF()
                }
                return try handler(context, parameters)
            case .methodNotAllowed(let allowed):
                var response = try renderStoreError(context, admin: admin, HTTPError(.methodNotAllowed, "This address does not accept \(request.method)."))
                response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
                return response
            case .notFound:
                throw HTTPError(.notFound, "")
            }
        } catch let redirect as Redirect {
            return .redirect(to: redirect.location)
        } catch let error as HTTPError {
            return try renderStoreError(context, admin: admin, error)
        } catch let error as CommerceError {
            if case .notFound = error {
                return try renderStoreError(context, admin: admin, HTTPError(.notFound, ""))
            }
            return try renderInternalError(error, context: context, admin: admin)
        } catch let error as StoreUnavailable {
            throw error
        } catch {
            return try renderInternalError(error, context: context, admin: admin)
        }
    }

    /// Logs an unexpected error with the request id and shows an error page in the store's
    /// style that quotes the id, so a merchant's report can be matched to the log line.
    private func renderInternalError(_ error: any Error, context: StoreRequest, admin: Bool) throws -> Response {
        let request = context.request
        logger.error("handler_error", [
            "request_id": request.requestID, "store_id": context.store.id, "method": request.method.rawValue,
            "path": request.path, "error": String(describing: error),
        ])
        let message = admin
            ? "The page could not be shown because of an error on our side, and nothing was changed by it. Try again; if it keeps happening, contact support and quote request id \(request.requestID)."
            : context.text("error.server.message") + " (" + request.requestID + ")"
        let heading = admin ? "Something went wrong" : context.text("error.server.heading")
        return try renderStoreError(context, admin: admin, HTTPError(.internalServerError, message), heading: heading)
    }

    /// Renders an `HTTPError` as a page in the store's style (storefront) or the admin's.
    private func renderStoreError(_ context: StoreRequest, admin: Bool, _ error: HTTPError, heading: String? = nil) throws -> Response {
        var response: Response
        if admin {
            let heading = heading ?? (error.status == .notFound ? "Page not found" : error.status.reasonPhrase)
            let message = error.message.isEmpty ? "There is no admin page at \(context.request.path)." : error.message
            response = try context.render("admin/message", [
                "heading": .string(heading),
                "message": .string(message),
                "linkURL": "/admin",
                "linkLabel": "Back to the dashboard",
            ], status: error.status)
        } else {
            let isNotFound = error.status == .notFound
            // The storefront's only 403 is a rejected CSRF token (see `verifyCSRF`).
            let statusHeading = error.status == .forbidden ? context.text("error.formExpired.heading") : error.status.reasonPhrase
            let heading = heading ?? (isNotFound ? context.text("error.notFound.heading") : statusHeading)
            let message = isNotFound || error.message.isEmpty ? context.text("error.notFound.message") : error.message
            response = try context.render("store/message", [
                "code": .int(error.status.code),
                "heading": .string(heading),
                "message": .string(message),
            ], status: error.status)
        }
        for header in error.headers {
            response.headers.set(header.name, header.value)
        }
        return response
    }
}
