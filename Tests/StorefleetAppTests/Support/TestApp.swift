import Commerce
import Crypto
import Foundation
import HTTPServer
import SQLite
import StorefleetApp
import Synchronization
import Tenancy

/// The whole app as `storefleet serve --port 0` runs it, in-process: a fresh data folder in
/// the temporary directory, the real `Views/` and `Public/` of this package, and a real server
/// on an ephemeral loopback port, which the links the app writes carry. Time comes from a
/// `SettableClock` that a test may move.
final class TestApp: @unchecked Sendable {
    // @unchecked Sendable: every stored property is immutable after init; the app, server,
    // catalog and clock are Sendable themselves, and `capturedLog` locks its own lines.

    static let platformDomain = "shop.test"
    /// Owner password of every store the tests create; it passes the password rules.
    static let ownerPassword = "correct horse battery"

    let dataDirectory: URL
    let clock: SettableClock
    let app: Application
    let server: HTTPServer
    private let capturedLog = CapturedLog()

    var port: Int { server.port }
    var catalog: Catalog { app.catalog }

    /// The package root: this file is `Tests/StorefleetAppTests/Support/TestApp.swift`.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Starts the app and its server; `dataDirectory` reuses a folder (to restart on the
    /// same data), and nil creates a fresh one. `configure` may change the app's settings,
    /// such as `maxOpenStores`, before it starts.
    init(
        clock: SettableClock = SettableClock(TestApp.currentWholeSecond()),
        dataDirectory: URL? = nil,
        configure: (inout AppConfiguration) -> Void = { _ in }
    ) throws {
        let folder = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("storefleet-app-tests-" + UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.dataDirectory = folder
        self.clock = clock

        var configuration = AppConfiguration()
        configuration.dataDirectory = folder.path
        configuration.rootDirectory = Self.packageRoot
        configuration.platformDomain = Self.platformDomain
        configuration.port = 0
        configuration.provisionDemo = false
        configure(&configuration)

        let capturedLog = self.capturedLog
        let logger = Logger(minimumLevel: .info, output: .lines { line in capturedLog.append(line) })
        app = try Application(
            configuration: configuration,
            logger: logger,
            clock: clock,
            passwordHasher: PasswordHasher(policy: .insecureFastForTesting)
        )

        var serverConfiguration = ServerConfiguration()
        serverConfiguration.host = "127.0.0.1"
        serverConfiguration.port = 0
        serverConfiguration.eventLoopCount = 1
        serverConfiguration.workerCount = 4
        serverConfiguration.shutdownDeadline = .seconds(2)
        let app = self.app
        server = HTTPServer(configuration: serverConfiguration, logger: logger) { request in
            try app.handle(request)
        }
        try server.start()
        app.setListeningPort(server.port)
    }

    /// Returns the current time without its fraction of a second. The SQLite layer stores
    /// times rounded to the millisecond, so a stored time can be a fraction of a millisecond
    /// after a clock's sub-millisecond "now". A whole second keeps waits such as
    /// `Retry-After` exact in tests where the clock does not move.
    static func currentWholeSecond() -> Date {
        Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    }

    /// Stops the server and removes the data folder.
    func stop(removingData: Bool = true) {
        server.shutdown()
        app.pool.closeIdleStores()
        if removingData {
            try? FileManager.default.removeItem(at: dataDirectory)
        }
    }

    /// The log lines written so far, for checks that an event was logged.
    var log: [String] { capturedLog.lines }

    /// Returns the log lines that match, once at least `count` do or `seconds` have passed.
    ///
    /// Background jobs and streamed responses log after the work a test can observe (a
    /// committed row, the last byte of a body), so a check made at once can run before
    /// the line is written.
    func waitForLog(count: Int = 1, seconds: Double = 10, where matches: (String) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let lines = log.filter(matches)
            if lines.count >= count || Date() >= deadline { return lines }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    // MARK: - Stores

    /// Returns the store's address on the platform domain.
    static func host(_ slug: String) -> String {
        "\(slug).\(platformDomain)"
    }

    /// Creates a store whose owner is `owner@<slug>.example` with `ownerPassword`.
    @discardableResult
    func createStore(_ slug: String, name: String? = nil, plan: Plan = .plus) throws -> StoreRecord {
        try app.createStore(NewStore(
            slug: slug, name: name ?? "Store \(slug)", ownerEmail: Self.ownerEmail(slug), plan: plan, password: Self.ownerPassword
        )).store
    }

    static func ownerEmail(_ slug: String) -> String {
        "owner@\(slug).example"
    }

    /// Runs `body` with the store's products in one write transaction of its own file.
    func withProducts<T>(_ store: StoreRecord, _ body: (ProductStore) throws -> T) throws -> T {
        let now = clock.now()
        return try app.pool.withStore(store.id) { queue in
            try queue.write { database in try body(ProductStore(database: database, now: { now })) }
        }
    }

    /// Adds a visible product straight into the store's file and returns it.
    @discardableResult
    func addProduct(_ store: StoreRecord, title: String, price: Int64 = 1_000, slug: String = "", description: String = "", stock: Int = 5) throws -> Product {
        try withProducts(store) { products in
            try products.create(ProductInput(title: title, slug: slug, description: description, price: price, stock: stock))
        }
    }

    func product(_ store: StoreRecord, id: Int64) throws -> Product? {
        try withProducts(store) { try $0.find(id: id) }
    }

    func settings(_ store: StoreRecord) throws -> StoreSettings {
        try app.pool.withStore(store.id) { queue in try queue.read { try StoreSettings.load(from: $0) } }
    }

    // MARK: - Browsers

    /// Returns a new visitor with an empty cookie jar.
    func browser() -> HTTPClient {
        HTTPClient(port: port)
    }

    /// Returns a visitor logged in to the store's admin as its owner.
    func ownerBrowser(_ slug: String) throws -> HTTPClient {
        let browser = browser()
        try browser.logIn(host: Self.host(slug), email: Self.ownerEmail(slug), password: Self.ownerPassword)
        return browser
    }
}

/// The app's log lines, kept for checks that an event was logged.
final class CapturedLog: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    var lines: [String] { storage.withLock { $0 } }
}

extension HTTPClient {
    /// Logs in through the login form, as a person would: loads the form for its CSRF token,
    /// then posts it. Throws unless the app redirects to the admin.
    func logIn(host: String, email: String, password: String) throws {
        let form = try get("/admin/login", host: host)
        guard form.status == 200 else {
            throw TestFailure("the login form of \(host) answered \(form.summary)")
        }
        let response = try post("/admin/login", host: host, form: [
            ("csrf_token", try form.csrfToken()), ("next", "/admin"), ("email", email), ("password", password),
        ])
        guard response.status == 303, response.location?.hasPrefix("/admin") == true, response.location?.hasPrefix("/admin/login") == false else {
            throw TestFailure("logging in to \(host) as \(email) answered \(response.summary)")
        }
    }

    /// Loads `formPath` for its CSRF token and posts `fields` with it to `action`.
    func submit(_ action: String, host: String, formPath: String, fields: [(String, String)]) throws -> HTTPResponse {
        let page = try get(formPath, host: host)
        return try post(action, host: host, form: [("csrf_token", try page.csrfToken())] + fields)
    }
}

/// A valid 1×1 PNG image with one red pixel, 69 bytes.
let onePixelPNG: [UInt8] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xC9, 0xFE, 0x92, 0xEF, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
]
