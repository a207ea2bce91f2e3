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
        case "plan", "activate", "extend-trial", "suspend":
            return try changeStanding(subcommand, rest, environment: environment)
        default:
            throw UsageError("Unknown subcommand 'stores \(subcommand)': use create, list, check, domains, plan, activate, extend-trial or suspend.")
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
          plan SLUG PLAN            Move a store to another plan; its trial or status stays.
          activate SLUG [--plan P]  Put a store on a paid plan: it becomes active, ending a
                                    trial, an expiry or a suspension.
          extend-trial SLUG --days N
                                    Lengthen a trialing or expired store's trial by N days
                                    from its end or from now, whichever is later.
          suspend SLUG              Stop a store: its storefront and admin close, and nothing
                                    is deleted. activate reopens it.

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

    // MARK: - plan, activate, extend-trial, suspend

    private static func changeStanding(_ action: String, _ arguments: [String], environment: [String: String]) throws -> Int32 {
        let specs: [OptionSpec]
        let usage: String
        let summary: String
        var positional = 1
        switch action {
        case "plan":
            specs = []
            usage = "storefleet stores plan SLUG plus|pro|premium"
            summary = "Moves the store to another plan, whose limits apply at once. The store's status and trial end stay."
            positional = 2
        case "activate":
            specs = [OptionSpec("--plan", value: "PLAN", default: nil, help: "plus, pro or premium. Default: the store's current plan.")]
            usage = "storefleet stores activate SLUG [--plan plus|pro|premium]"
            summary = "Puts the store on a paid plan: it becomes active, whether it was trialing, expired or suspended."
        case "extend-trial":
            specs = [OptionSpec("--days", value: "N", default: nil, help: "Days to add, 1 to 365.")]
            usage = "storefleet stores extend-trial SLUG --days N"
            summary = "Lengthens a trialing or expired store's trial by N days, counted from the trial's end or from now, whichever is later."
        default:
            specs = []
            usage = "storefleet stores suspend SLUG"
            summary = "Stops the store: shoppers and staff see that it is unavailable, and nothing is deleted. storefleet stores activate reopens it."
        }
        guard let options = try parse(arguments, specs: specs, environment: environment, usage: usage, summary: summary, positional: positional) else {
            return 0
        }
        let context = try Context(options)
        let slug = options.positional[0]
        guard let store = try context.catalog.store(slug: slug) else {
            throw UsageError("No store has the slug '\(slug)'. Run storefleet stores list to see the stores.")
        }

        let updated: StoreRecord
        do {
            switch action {
            case "plan":
                updated = try context.catalog.updatePlan(of: store.id, to: try parsePlan(options.positional[1]))
            case "activate":
                let plan = try options["--plan"].map { try parsePlan($0) } ?? store.plan
                updated = try context.catalog.activate(store.id, plan: plan)
            case "extend-trial":
                switch store.status {
                case .trialing, .expired:
                    break
                case .active:
                    throw UsageError("Store \(store.slug) is active on a paid plan, so it has no trial to extend.")
                case .suspended:
                    throw UsageError("Store \(store.slug) is suspended, so its trial cannot be extended. Use storefleet stores activate to reopen it.")
                }
                guard let days = try options.integer("--days", in: 1...365) else {
                    throw UsageError("Option --days is missing: give the number of days to add, 1 to 365.")
                }
                let now = Date()
                let start = max(store.trialEndsAt ?? now, now)
                updated = try context.catalog.updateTrialEnd(of: store.id, to: start.addingTimeInterval(Double(days) * 86_400))
            default:
                updated = try context.catalog.updateStatus(of: store.id, to: .suspended)
            }
        } catch let error as CatalogError {
            throw UsageError(error.description)
        }

        var line = "Store \(updated.slug): \(updated.plan.displayName) plan, \(updated.status.rawValue)"
        if updated.status == .trialing || updated.status == .expired, let end = updated.trialEndsAt {
            line += ", trial \(updated.status == .trialing ? "ends" : "ended") \(AdminFormat.date(end))"
        }
        writeOutput(line + ". A running server applies it on the next request.")
        return 0
    }

    private static func parsePlan(_ text: String) throws -> Plan {
        do {
            return try Plan(parsing: text)
        } catch {
            throw UsageError(String(describing: error))
        }
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
        // Only `add` takes --primary, so only its help lists it and the others reject it.
        let primary = OptionSpec(switch: "--primary", help: "Make the added domain the store's primary one.")
        let (usage, summary, specs): (String, String, [OptionSpec])
        switch action {
        case "add":
            (usage, summary, specs) = ("SLUG HOST [--primary]", "Adds a custom domain to a store; with --primary, shopper links use it.", [primary])
        case "remove":
            (usage, summary, specs) = ("SLUG HOST", "Removes a custom domain from a store.", [])
        default:
            (usage, summary, specs) = ("SLUG", "Lists a store's custom domains.", [])
        }
        guard let options = try parse(Array(arguments.dropFirst()), specs: specs, environment: environment,
                                      usage: "storefleet stores domains \(action) \(usage)",
                                      summary: summary,
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
