import Commerce
import Crypto
import Foundation
import HTTPServer
import Tenancy

/// `storefleet stores …`: create, list, check and the custom domains of stores. These work
/// on the catalog file directly, also while the server runs; the server notices catalog
/// changes on its next request.
enum StoresCommand {
    static func run(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        guard let subcommand = arguments.first else {
            throw UsageError("Missing subcommand: use stores create, stores list, stores check or stores domains.")
        }
        if subcommand == "--help" || subcommand == "help" {
            writeOutput(usage)
            return 0
        }
        let rest = Array(arguments.dropFirst())
        switch subcommand {
        case "create": return try create(rest, environment: environment)
        case "list": return try list(rest, environment: environment)
        case "check": return try check(rest, environment: environment)
        case "domains": return try domains(rest, environment: environment)
        default:
            throw UsageError("Unknown subcommand 'stores \(subcommand)': use create, list, check or domains.")
        }
    }

    static let usage = """
        Usage: storefleet stores SUBCOMMAND [OPTIONS]

        Subcommands:
          create                    Create a store on a 14-day trial.
          list                      List the stores in the catalog.
          check [--repair]          Find stores left half-created or damaged, and fix them.
          domains add SLUG HOST     Add a custom domain to a store.
          domains remove SLUG HOST  Remove a custom domain from a store.
          domains list SLUG         List a store's custom domains.

        Run `storefleet stores SUBCOMMAND --help` for its options.
        """

    /// The catalog and the URL settings shared by the subcommands.
    struct Context {
        let catalog: Catalog
        let dataDirectory: DataDirectory
        let configuration: AppConfiguration

        init(_ options: ParsedOptions) throws {
            var configuration = AppConfiguration()
            configuration.dataDirectory = options["--data"] ?? "data"
            configuration.platformDomain = (options["--domain"] ?? "localhost").lowercased()
            configuration.port = try options.integer("--port", in: 1...65535) ?? 8080
            if let text = options["--public-url"] {
                guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
                    throw UsageError("Option --public-url must be an http or https URL, not '\(text)'.")
                }
                configuration.publicURL = url
            }
            dataDirectory = DataDirectory(path: configuration.dataDirectory)
            try FileManager.default.createDirectory(at: dataDirectory.storesFolder, withIntermediateDirectories: true)
            catalog = try Catalog(dataDirectory: dataDirectory, platformDomain: configuration.platformDomain)
            self.configuration = configuration
        }
    }

    private static func parse(_ arguments: [String], specs: [OptionSpec], environment: [String: String], usage: String, summary: String, positional: Int = 0) throws -> ParsedOptions? {
        let allSpecs = specs + StorefleetCommand.catalogOptions
        if arguments.contains("--help") {
            writeOutput(helpText(usage: usage, summary: summary, specs: allSpecs))
            return nil
        }
        let options = try ParsedOptions(arguments, specs: allSpecs, environment: environment)
        guard options.positional.count == positional else {
            throw UsageError("Usage: \(usage)")
        }
        return options
    }

    // MARK: - create

    private static func create(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let specs = [
            OptionSpec("--slug", value: "SLUG", default: nil, help: "The store's address: lower-case letters, digits and inner hyphens, at most 63."),
            OptionSpec("--name", value: "NAME", default: nil, help: "The store's name as shoppers see it."),
            OptionSpec("--owner-email", value: "EMAIL", default: nil, help: "The owner's email; it is also the admin login."),
            OptionSpec("--plan", value: "PLAN", default: "plus", help: "plus, pro or premium."),
            OptionSpec("--password", value: "PASSWORD", default: nil, help: "The owner's password (at least 10 characters). Default: a generated one, printed once."),
            OptionSpec(switch: "--sample-products", help: "Fill the store with sample products, a shipping method and two payment methods, so it can take orders at once."),
        ]
        guard let options = try parse(
            arguments, specs: specs, environment: environment,
            usage: "storefleet stores create --slug SLUG --name NAME --owner-email EMAIL [--plan plus|pro|premium] [--password P] [--sample-products]",
            summary: "Creates a store on a 14-day free trial with its owner's staff account."
        ) else { return 0 }

        let context = try Context(options)
        let plan: Plan
        do {
            plan = try Plan(parsing: options["--plan"] ?? "plus")
        } catch {
            throw UsageError(error.description)
        }
        var new = NewStore(
            slug: try options.required("--slug"),
            name: try options.required("--name"),
            ownerEmail: try options.required("--owner-email"),
            plan: plan,
            password: options["--password"]
        )
        new.sampleProducts = options.isSet("--sample-products")

        let provisioner = Provisioner(catalog: context.catalog, dataDirectory: context.dataDirectory, logger: .silent) { database in
            try StoreSchema.migrate(database)
        }
        let created: (store: StoreRecord, password: String)
        do {
            created = try Application.createStore(new, provisioner: provisioner, passwordHasher: PasswordHasher(), now: Date())
        } catch let error as SlugError {
            throw UsageError(error.description)
        } catch let error as ValidationErrors {
            let messages = error.all.map { entry in entry.field == "password" ? "--password: \(entry.message)" : entry.message }
            throw UsageError(messages.joined(separator: " "))
        } catch let error as ProvisioningError {
            throw UsageError(error.description)
        } catch let error as CatalogError {
            throw UsageError(error.description)
        }

        let store = created.store
        writeOutput("""
            Created store \(store.slug) (\(store.id)) on a \(store.plan.displayName) trial until \(AdminFormat.date(store.trialEndsAt ?? Date())).
            Store URL:   \(context.configuration.storeURL(slug: store.slug))
            Admin URL:   \(context.configuration.storeURL(slug: store.slug, path: "/admin"))
            Owner login: \(store.ownerEmail)
            """)
        if new.password == nil {
            writeOutput("Password:    \(created.password)  (shown once; the owner can change it later)")
        }
        return 0
    }

    // MARK: - list

    private static func list(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let specs = [
            OptionSpec("--status", value: "STATUS", default: nil, help: "Only stores with this status: trialing, active, expired or suspended."),
        ]
        guard let options = try parse(arguments, specs: specs, environment: environment,
                                      usage: "storefleet stores list [--status STATUS]",
                                      summary: "Lists the stores in the catalog, by slug.") else { return 0 }
        let context = try Context(options)
        let status: StoreStatus?
        do {
            status = try options["--status"].map { try StoreStatus(parsing: $0) }
        } catch {
            throw UsageError(String(describing: error))
        }

        writeOutput(pad("SLUG", 24) + pad("ID", 22) + pad("PLAN", 9) + pad("STATUS", 11) + pad("TRIAL ENDS", 14) + "NAME")
        var cursor: String?
        var count = 0
        repeat {
            let page = try context.catalog.listStores(afterSlug: cursor, limit: 100, status: status, includeProvisioning: true)
            for store in page.stores {
                let state = store.state == .ready ? store.status.rawValue : store.state.rawValue
                let trialEnd = store.trialEndsAt.map { AdminFormat.date($0) } ?? "-"
                writeOutput(pad(store.slug, 24) + pad(store.id, 22) + pad(store.plan.rawValue, 9) + pad(state, 11) + pad(trialEnd, 14) + store.name)
                count += 1
            }
            cursor = page.nextCursor
        } while cursor != nil
        writeOutput("\(count) store\(count == 1 ? "" : "s")")
        return 0
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    // MARK: - check

    private static func check(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let specs = [
            OptionSpec(switch: "--repair", help: "Remove stores left half-created, move orphan folders aside and mark damaged stores."),
            OptionSpec("--min-age", value: "SECONDS", default: "600", help: "Leave stores younger than this alone, as they may still be being created."),
        ]
        guard let options = try parse(arguments, specs: specs, environment: environment,
                                      usage: "storefleet stores check [--repair]",
                                      summary: "Finds stores whose files are missing, unreadable or half-created, and with --repair fixes them.") else { return 0 }
        let context = try Context(options)
        let minimumAge = try options.seconds("--min-age", in: 0...86_400 * 30) ?? 600
        let check = StoreCheck(catalog: context.catalog, dataDirectory: context.dataDirectory, minimumAge: minimumAge, thorough: true, logger: .silent)
        let report = try check.run(repair: options.isSet("--repair"))
        writeOutput(report.description)
        return report.isClean ? 0 : 1
    }

    // MARK: - domains

    private static func domains(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        if arguments.first == "--help" || arguments.first == nil {
            writeOutput(usage)
            return arguments.first == nil ? 64 : 0
        }
        guard let action = arguments.first, ["add", "remove", "list"].contains(action) else {
            throw UsageError("Usage: storefleet stores domains add|remove SLUG HOST, or storefleet stores domains list SLUG")
        }
        let specs = [OptionSpec(switch: "--primary", help: "Make the added domain the store's primary one.")]
        guard let options = try parse(Array(arguments.dropFirst()), specs: specs, environment: environment,
                                      usage: "storefleet stores domains \(action) SLUG\(action == "list" ? "" : " HOST")",
                                      summary: "Manages a store's custom domains.",
                                      positional: action == "list" ? 1 : 2) else { return 0 }
        let context = try Context(options)
        let slug = options.positional[0]
        guard let store = try context.catalog.store(slug: slug) else {
            throw UsageError("No store has the slug '\(slug)'. Run storefleet stores list to see the stores.")
        }

        do {
            switch action {
            case "add":
                let domain = try context.catalog.addDomain(options.positional[1], to: store.id, primary: options.isSet("--primary"))
                writeOutput("Added \(domain.hostname) to \(store.slug). Point its DNS at this server; the store answers on it at once.")
            case "remove":
                try context.catalog.removeDomain(options.positional[1], from: store.id)
                writeOutput("Removed \(options.positional[1]) from \(store.slug).")
            default:
                let domains = try context.catalog.domains(of: store.id)
                for domain in domains {
                    writeOutput(domain.hostname + (domain.isPrimary ? "  (primary)" : ""))
                }
                writeOutput("\(domains.count) custom domain\(domains.count == 1 ? "" : "s")")
            }
        } catch let error as CatalogError {
            throw UsageError(error.description)
        }
        return 0
    }
}
