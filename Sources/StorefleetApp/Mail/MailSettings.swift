import Foundation
import Mail
import Tenancy

/// The ways store mail can leave the server.
public enum MailTransportKind: String, Sendable, CaseIterable {
    /// Each message becomes an `.eml` file under `<data>/outbox/<store-id>/`: the default,
    /// so development needs no mail server.
    case file
    /// Each message goes to the SMTP server in `AppConfiguration.smtp`.
    case smtp
}

/// The SMTP server that store mail goes to with `--mail-transport smtp`.
public struct SMTPSettings: Sendable {
    public var host: String?
    /// Nil for the security mode's usual port.
    public var port: Int?
    public var security: SMTPConfiguration.Security = .startTLS
    public var username: String?
    /// Never logged or printed.
    public var password: String?

    public init() {}
}

extension AppConfiguration {
    /// Reads `--mail-transport` and the `--smtp-*` options, checking that they fit together.
    mutating func readMailOptions(_ options: ParsedOptions) throws {
        let kindText = options["--mail-transport"] ?? MailTransportKind.file.rawValue
        guard let kind = MailTransportKind(rawValue: kindText.lowercased()) else {
            throw UsageError("Option --mail-transport must be file or smtp, not '\(kindText)'.")
        }
        mailTransport = kind

        smtp.host = options["--smtp-host"].flatMap { $0.isEmpty ? nil : $0 }
        smtp.port = try options.integer("--smtp-port", in: 1...65535)
        let securityText = (options["--smtp-security"] ?? "starttls").lowercased()
        switch securityText {
        case "starttls": smtp.security = .startTLS
        case "tls": smtp.security = .implicitTLS
        case "none": smtp.security = .none
        default:
            throw UsageError("Option --smtp-security must be starttls, tls or none, not '\(securityText)'.")
        }
        smtp.username = options["--smtp-username"].flatMap { $0.isEmpty ? nil : $0 }
        smtp.password = options["--smtp-password"]

        guard kind == .smtp else { return }
        guard smtp.host != nil else {
            throw UsageError("Option --mail-transport smtp needs --smtp-host (or STOREFLEET_SMTP_HOST) with the mail server's name.")
        }
        if smtp.username != nil, smtp.password == nil {
            throw UsageError("Option --smtp-username needs a password; set STOREFLEET_SMTP_PASSWORD.")
        }
    }

    /// The domain of the address store mail is sent from, `no-reply@<domain>`: the platform
    /// domain, or `<domain>.localdomain` when it is a single label such as `localhost`,
    /// because a mail address needs a domain with a dot.
    var mailDomain: String {
        platformDomain.contains(".") ? platformDomain : platformDomain + ".localdomain"
    }

    /// The address every store's mail is sent from. Each store's name is its display name,
    /// and replies go to the store's contact address.
    var mailFromAddress: String { "no-reply@" + mailDomain }
}

/// Where store mail goes: one file transport per store folder, or one SMTP transport for
/// every store.
enum StoreMailTransport: Sendable {
    case files(outboxFolder: URL)
    case smtp(SMTPTransport)
    /// A transport a test supplies, used for every store.
    case custom(any MailTransport)

    /// Creates the transport that `configuration` names.
    ///
    /// - Throws: `MailTransportError.invalidConfiguration` for SMTP settings that cannot
    ///   work, such as credentials without TLS, so a wrong setting stops the start.
    static func make(_ configuration: AppConfiguration) throws -> StoreMailTransport {
        switch configuration.mailTransport {
        case .file:
            let outbox = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
                .appendingPathComponent("outbox", isDirectory: true)
            return .files(outboxFolder: outbox)
        case .smtp:
            let settings = configuration.smtp
            let smtp = SMTPConfiguration(
                host: settings.host ?? "",
                port: settings.port,
                security: settings.security,
                username: settings.username,
                password: settings.password
            )
            return .smtp(try SMTPTransport(configuration: smtp))
        }
    }

    /// The transport for one store's mail.
    func transport(forStore storeID: String) -> any MailTransport {
        switch self {
        case .files(let outboxFolder):
            return FileTransport(folder: outboxFolder.appendingPathComponent(storeID, isDirectory: true))
        case .smtp(let transport):
            return transport
        case .custom(let transport):
            return transport
        }
    }

    /// Whether the sender hands a store's whole batch to `send(_:)` at once. True for the
    /// file transport, which flushes the batch's files together. SMTP and test transports
    /// get one mail at a time, so a stop waits for one mail server dialogue at most.
    var sendsBatchesAtOnce: Bool {
        if case .files = self { return true }
        return false
    }

    /// A short name for the start-up log line, without any credential.
    var logDescription: String {
        switch self {
        case .files(let folder): return "file:\(folder.path)"
        case .smtp(let transport): return "smtp:\(transport.configuration.host):\(transport.configuration.port)"
        case .custom: return "custom"
        }
    }
}
