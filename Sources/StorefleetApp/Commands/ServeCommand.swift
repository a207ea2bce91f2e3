import Foundation
import Glibc
import HTTPServer

/// `storefleet serve`: runs the server until SIGINT or SIGTERM.
enum ServeCommand {
    static func run(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        if arguments.contains("--help") {
            writeOutput(helpText(
                usage: "storefleet serve [OPTIONS]",
                summary: "Serves every store in the data folder. With no stores yet, creates the demo store first.",
                specs: AppConfiguration.serveOptions
            ))
            return 0
        }
        let options = try ParsedOptions(arguments, specs: AppConfiguration.serveOptions, environment: environment)
        guard options.positional.isEmpty else {
            throw UsageError("Unexpected argument '\(options.positional[0])'. Run storefleet serve --help for the options.")
        }
        let configuration = try AppConfiguration(options: options)
        let logger = Logger(minimumLevel: Logger.Level(name: configuration.logLevel) ?? .info)

        let app = try Application(configuration: configuration, logger: logger)
        let createdDemo = configuration.provisionDemo ? try DemoStore.provisionIfEmpty(app) : false
        let shopWorkers = try ShopWorkers.start(app)
        defer { shopWorkers.stop() }

        var serverConfiguration = ServerConfiguration()
        serverConfiguration.host = configuration.host
        serverConfiguration.port = configuration.port
        serverConfiguration.maxBodySize = configuration.maxBodySize
        serverConfiguration.shutdownDeadline = .milliseconds(Int64(configuration.shutdownTimeout * 1000))
        if let count = configuration.eventLoopCount { serverConfiguration.eventLoopCount = count }
        if let count = configuration.workerCount {
            serverConfiguration.workerCount = count
            MemoryTuning.limitMallocArenas(to: count)
        }
        if let limit = configuration.workerQueueLimit { serverConfiguration.workerQueueLimit = limit }
        if let limit = configuration.maxConnections { serverConfiguration.maxConnections = limit }

        let server = HTTPServer(configuration: serverConfiguration, logger: logger) { request in
            try app.handle(request)
        }
        unblockShutdownSignals()
        try server.installSignalHandlers()
        do {
            try server.start()
        } catch {
            guard case .systemCallFailed(_, let code, _) = error, code == EADDRINUSE else { throw error }
            throw UsageError(
                "Port \(configuration.port) on \(configuration.host) is already in use. Stop the other server, or choose another port with --port or STOREFLEET_PORT."
            )
        }
        // NOTE: a request served between start() and this call writes links with the
        // configured port, which is 0 under --port 0.
        app.setListeningPort(server.port)

        let printed = app.configuration
        logger.info("app.started", ["domain": configuration.platformDomain, "data": configuration.dataDirectory])
        writeOutput("Storefleet is running at \(printed.url(forHost: configuration.platformDomain))")
        if let demo = try app.catalog.store(slug: DemoStore.slug) {
            let login = try DemoStore.hasDefaultPassword(app)
                ? "\(DemoStore.ownerEmail) / \(DemoStore.password)"
                : "\(DemoStore.ownerEmail) (its password was changed from the default)"
            writeOutput("""
                Demo store:  \(printed.storeURL(slug: demo.slug))
                Demo admin:  \(printed.storeURL(slug: demo.slug, path: "/admin"))
                Demo login:  \(login)\(createdDemo ? "  (demo store created now)" : "")
                """)
        }
        writeOutput("Press Ctrl-C to stop.")

        server.waitUntilStopped()
        // Close every store file so their last transactions are checkpointed before exit.
        app.pool.closeIdleStores()
        logger.info("app.stopped")
        return 0
    }

    /// Unblocks SIGINT and SIGTERM on the calling thread, which then takes them. A process
    /// inherits its signal mask from the thread that started it, and with both blocked in
    /// every thread they would stay pending and the server would never stop. A parent's
    /// Dispatch worker threads, for one, block most signals.
    private static func unblockShutdownSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
