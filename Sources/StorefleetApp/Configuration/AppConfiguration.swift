import Commerce
import Foundation

/// The settings of `storefleet serve`, after flags, `STOREFLEET_*` variables and defaults
/// have been combined.
public struct AppConfiguration: Sendable {
    /// Address the server listens on: an IPv4 or IPv6 literal.
    public var host = "127.0.0.1"
    public var port = 8080
    /// The platform's own domain; stores live at `SLUG.<domain>`.
    public var platformDomain = "localhost"
    /// The address shoppers use, such as `https://example.com`; it decides the `Secure`
    /// cookie attribute and the links the app prints. Defaults to `http://<domain>:<port>`.
    public var publicURL: URL?
    public var dataDirectory = "data"
    /// The folder that contains `Views/` and `Public/`.
    public var rootDirectory = FileManager.default.currentDirectoryPath
    public var maxOpenStores = 256
    public var eventLoopCount: Int?
    public var workerCount: Int?
    public var workerQueueLimit: Int?
    public var maxBodySize = 10 * 1024 * 1024
    public var maxConnections: Int?
    public var shutdownTimeout: Double = 10
    /// Development mode reparses changed templates before each render.
    public var development = false
    /// Creates the `demo` store with sample products when the data folder has no stores.
    public var provisionDemo = true
    /// The address at which merchants reach the platform's operator. The admin shows it
    /// where a store needs the operator, such as a trial coming to its end. Nil when none
    /// was given.
    public var supportEmail: String?
    public var logLevel = "info"
    /// Whether the client's address is the last one in `X-Forwarded-For`, as a reverse proxy
    /// in front of the server appends it. Only safe when every request comes through that
    /// proxy; otherwise a client could pick its own address.
    public var trustsForwardedFor = false
    /// The transport for store mail: `file` writes each message as an `.eml` file under
    /// `<data>/outbox/<store-id>/`, and `smtp` sends it to the server in `smtp`.
    public var mailTransport: MailTransportKind = .file
    /// The SMTP server, for `mailTransport == .smtp`.
    public var smtp = SMTPSettings()

    public init() {}

    /// The scheme, host and port shoppers use, without a trailing slash.
    public var publicBase: (scheme: String, port: Int?) {
        guard let publicURL else { return ("http", port) }
        let scheme = publicURL.scheme ?? "http"
        let defaultPort = scheme == "https" ? 443 : 80
        let port = publicURL.port.flatMap { $0 == defaultPort ? nil : $0 }
        return (scheme, port)
    }

    /// Whether cookies get the `Secure` attribute: only when shoppers use https.
    public var usesSecureCookies: Bool { publicBase.scheme == "https" }

    /// Returns the URL of a host on the platform, such as `http://demo.localhost:8080/`.
    public func url(forHost hostname: String, path: String = "/") -> String {
        let base = publicBase
        let portPart = base.port.map { ":\($0)" } ?? ""
        return "\(base.scheme)://\(hostname)\(portPart)\(path)"
    }

    public func storeURL(slug: String, path: String = "/") -> String {
        url(forHost: "\(slug).\(platformDomain)", path: path)
    }

    public var viewsDirectory: String { rootDirectory + "/Views" }
    public var publicDirectory: String { rootDirectory + "/Public" }

    /// The options of `storefleet serve`, in the order `--help` lists them.
    public static let serveOptions: [OptionSpec] = [
        OptionSpec("--host", env: "STOREFLEET_HOST", value: "ADDRESS", default: "127.0.0.1",
                   help: "IP address to listen on (IPv4 or IPv6 literal)."),
        OptionSpec("--port", env: "STOREFLEET_PORT", value: "PORT", default: "8080",
                   help: "TCP port to listen on; 0 picks a free port."),
        OptionSpec("--domain", env: "STOREFLEET_DOMAIN", value: "NAME", default: "localhost",
                   help: "Platform domain; stores are served at SLUG.NAME."),
        OptionSpec("--public-url", env: "STOREFLEET_PUBLIC_URL", value: "URL", default: nil,
                   help: "Scheme and port shoppers use, such as https://example.com; https turns on Secure cookies. Default: http with --port."),
        OptionSpec("--data", env: "STOREFLEET_DATA", value: "DIR", default: "data",
                   help: "Folder for the catalog, store files, outbox and backups."),
        OptionSpec("--root", env: "STOREFLEET_ROOT", value: "DIR", default: nil,
                   help: "Folder that contains Views/ and Public/. Default: the current folder."),
        OptionSpec("--max-open-stores", env: "STOREFLEET_MAX_OPEN_STORES", value: "N", default: "256",
                   help: "Store databases kept open at once; also capped by the open-file limit."),
        OptionSpec("--event-loops", env: "STOREFLEET_EVENT_LOOPS", value: "N", default: nil,
                   help: "Event loop threads. Default: one per core."),
        OptionSpec("--workers", env: "STOREFLEET_WORKERS", value: "N", default: nil,
                   help: "Worker threads that run request handlers. Default: 2 per core, at least 4."),
        OptionSpec("--worker-queue", env: "STOREFLEET_WORKER_QUEUE", value: "N", default: nil,
                   help: "Requests waiting for a worker before new ones get 503. Default: 1024."),
        OptionSpec("--max-body-size", env: "STOREFLEET_MAX_BODY_SIZE", value: "BYTES", default: "10485760",
                   help: "Largest request body accepted, in bytes; larger ones get 413."),
        OptionSpec("--max-connections", env: "STOREFLEET_MAX_CONNECTIONS", value: "N", default: nil,
                   help: "Open client connections before new ones are turned away. Default: 16384."),
        OptionSpec("--shutdown-timeout", env: "STOREFLEET_SHUTDOWN_TIMEOUT", value: "SECONDS", default: "10",
                   help: "Seconds to finish in-flight requests after SIGINT or SIGTERM."),
        OptionSpec("--log-level", env: "STOREFLEET_LOG_LEVEL", value: "LEVEL", default: "info",
                   help: "Lowest log level written to stderr: debug, info, warning or error."),
        OptionSpec(switch: "--dev", env: "STOREFLEET_DEV",
                   help: "Development mode: reload changed templates on each request."),
        OptionSpec(switch: "--no-demo", env: "STOREFLEET_NO_DEMO",
                   help: "Do not create the demo store when the data folder has no stores."),
        OptionSpec("--support-email", env: "STOREFLEET_SUPPORT_EMAIL", value: "ADDRESS", default: nil,
                   help: "Where merchants reach the platform's operator, for example to keep a store open after its trial."),
        OptionSpec(switch: "--trust-proxy", env: "STOREFLEET_TRUST_PROXY",
                   help: "Take the client's address from the last X-Forwarded-For entry; only behind a reverse proxy that sets it."),
        OptionSpec("--mail-transport", env: "STOREFLEET_MAIL_TRANSPORT", value: "KIND", default: "file",
                   help: "How store mail is delivered: file (an .eml file per message under DIR/outbox/STORE-ID/) or smtp."),
        OptionSpec("--smtp-host", env: "STOREFLEET_SMTP_HOST", value: "NAME", default: nil,
                   help: "SMTP server host name or IP address; required with --mail-transport smtp."),
        OptionSpec("--smtp-port", env: "STOREFLEET_SMTP_PORT", value: "PORT", default: nil,
                   help: "SMTP server port. Default: 587 with starttls, 465 with tls, 25 with none."),
        OptionSpec("--smtp-security", env: "STOREFLEET_SMTP_SECURITY", value: "MODE", default: "starttls",
                   help: "starttls (upgrade with STARTTLS, required), tls (TLS from the first byte) or none (local relays only)."),
        OptionSpec("--smtp-username", env: "STOREFLEET_SMTP_USERNAME", value: "NAME", default: nil,
                   help: "User name for SMTP AUTH PLAIN; leave unset to send without logging in."),
        OptionSpec("--smtp-password", env: "STOREFLEET_SMTP_PASSWORD", value: "SECRET", default: nil,
                   help: "Password for SMTP AUTH PLAIN. Prefer the variable: a flag shows in the process list."),
    ]

    /// Builds the configuration from parsed `serve` options, checking every value.
    public init(options: ParsedOptions) throws {
        host = options["--host"] ?? host
        guard host.contains(":") || host.split(separator: ".").count == 4 else {
            throw UsageError("Option --host must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, not '\(host)'.")
        }
        port = try options.integer("--port", in: 0...65535) ?? port
        platformDomain = (options["--domain"] ?? platformDomain).lowercased()
        guard !platformDomain.isEmpty, !platformDomain.contains("/"), !platformDomain.contains(":") else {
            throw UsageError("Option --domain must be a host name such as localhost or example.com, not '\(platformDomain)'.")
        }
        if let text = options["--public-url"] {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw UsageError("Option --public-url must be an http or https URL such as https://example.com, not '\(text)'.")
            }
            publicURL = url
        }
        dataDirectory = options["--data"] ?? dataDirectory
        if let root = options["--root"] { rootDirectory = root }
        maxOpenStores = try options.integer("--max-open-stores", in: 1...100_000) ?? maxOpenStores
        eventLoopCount = try options.integer("--event-loops", in: 1...256)
        workerCount = try options.integer("--workers", in: 1...4096)
        workerQueueLimit = try options.integer("--worker-queue", in: 1...1_000_000)
        maxBodySize = try options.integer("--max-body-size", in: 1024...(1 << 30)) ?? maxBodySize
        maxConnections = try options.integer("--max-connections", in: 1...1_000_000)
        shutdownTimeout = try options.seconds("--shutdown-timeout", in: 0...3600) ?? shutdownTimeout
        logLevel = options["--log-level"] ?? logLevel
        guard ["debug", "info", "warning", "error"].contains(logLevel) else {
            throw UsageError("Option --log-level must be debug, info, warning or error, not '\(logLevel)'.")
        }
        development = options.isSet("--dev")
        provisionDemo = !options.isSet("--no-demo")
        trustsForwardedFor = options.isSet("--trust-proxy")
        // An empty value, such as STOREFLEET_SUPPORT_EMAIL= in a service file, leaves it unset.
        if let text = options["--support-email"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
            switch EmailAddress.validate(text, label: "Option --support-email") {
            case .success(let address): supportEmail = address
            case .failure(let error): throw UsageError("\(error.message) Give the address merchants should write to, such as support@example.com.")
            }
        }
        try readMailOptions(options)
    }
}
