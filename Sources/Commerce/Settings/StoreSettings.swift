import Foundation
import SQLite

/// A store's general settings, kept as key-value rows in the `settings` table so that later
/// settings need no schema change.
public struct StoreSettings: Sendable, Equatable {
    public static let maximumStoreNameLength = 100
    /// ISO 639-1 codes a store can choose for its shopper-facing text. Each needs a
    /// translation file in `Views/translations`, which a test of the app checks.
    public static let supportedLanguages = ["en", "es"]

    public var storeName: String
    public var contactEmail: String
    /// ISO 4217 code of the currency every price of the store is in.
    public var currencyCode: String
    public var customerLoginMode: CustomerLoginMode
    /// ISO 639-1 code of the language of shopper-facing text.
    public var language: String
    /// IANA time zone used to show dates to the merchant and shoppers; stored times stay UTC.
    public var timeZoneIdentifier: String

    public init(
        storeName: String,
        contactEmail: String,
        currencyCode: String = "USD",
        customerLoginMode: CustomerLoginMode = .disabled,
        language: String = "en",
        timeZoneIdentifier: String = "UTC"
    ) {
        self.storeName = storeName
        self.contactEmail = contactEmail
        self.currencyCode = currencyCode
        self.customerLoginMode = customerLoginMode
        self.language = language
        self.timeZoneIdentifier = timeZoneIdentifier
    }

    /// The values a store has before its first save: no name or email, which `validate()`
    /// rejects, so provisioning has to supply them.
    public static let defaults = StoreSettings(storeName: "", contactEmail: "")

    /// The store's currency. Nil only when `currencyCode` is not in the currency table, which
    /// `validate()` rejects.
    public var currency: Currency? { Currency.named(currencyCode) }

    /// Checks every field and returns a message for each invalid one.
    public func validate() -> ValidationErrors {
        var errors = ValidationErrors()

        let name = storeName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            errors.add("Store name is required.", for: "storeName")
        } else if name.count > Self.maximumStoreNameLength {
            errors.add("Store name must be at most \(Self.maximumStoreNameLength) characters; it has \(name.count).", for: "storeName")
        } else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.add("Store name must not contain line breaks or control characters.", for: "storeName")
        }

        if case .failure(let invalid) = EmailAddress.validate(contactEmail, label: "Contact email") {
            errors.add(invalid.message, for: "contactEmail")
        }

        if Currency.named(currencyCode) == nil {
            errors.add("Currency “\(currencyCode)” is not supported; choose one from the list.", for: "currencyCode")
        }

        if !Self.supportedLanguages.contains(language) {
            let choices = Self.supportedLanguages.joined(separator: ", ")
            errors.add("Language “\(language)” is not supported; choose one of \(choices).", for: "language")
        }

        if timeZoneIdentifier.isEmpty {
            errors.add("Time zone is required; choose one from the list, such as Europe/Madrid or UTC.", for: "timeZoneIdentifier")
        } else if !Self.timeZones.contains(timeZoneIdentifier) {
            errors.add("Time zone “\(timeZoneIdentifier)” is not a known IANA time zone such as Europe/Madrid; choose one from the list.", for: "timeZoneIdentifier")
        }
        return errors
    }

    /// The time zones a store can choose: UTC first, then every IANA zone in Foundation's
    /// list, by name. `TimeZone(identifier:)` also takes abbreviations and offsets such as
    /// EST or GMT+5, which the settings menu does not list and would then show as UTC.
    public static let timeZones: [String] = ["UTC"] + TimeZone.knownTimeZoneIdentifiers.filter { $0 != "UTC" }.sorted()
}

// MARK: - Storage

extension StoreSettings {
    private enum Key {
        static let storeName = "store_name"
        static let contactEmail = "contact_email"
        static let currencyCode = "currency_code"
        static let customerLoginMode = "customer_login_mode"
        static let language = "language"
        static let timeZoneIdentifier = "time_zone"
    }

    /// Reads the settings, using `defaults` for keys never saved. Keys this version does not
    /// know are left alone, so a newer version's settings survive a rollback.
    ///
    /// - Throws: `CommerceError.corruptRecord` when a stored value cannot be read.
    public static func load(from database: Database) throws -> StoreSettings {
        let stored = try database.query("SELECT key, value FROM settings") { row in
            (try row.get("key", as: String.self), try row.get("value", as: String.self))
        }
        let values = Dictionary(stored, uniquingKeysWith: { first, _ in first })

        var settings = defaults
        settings.storeName = values[Key.storeName] ?? settings.storeName
        settings.contactEmail = values[Key.contactEmail] ?? settings.contactEmail
        settings.currencyCode = values[Key.currencyCode] ?? settings.currencyCode
        settings.language = values[Key.language] ?? settings.language
        settings.timeZoneIdentifier = values[Key.timeZoneIdentifier] ?? settings.timeZoneIdentifier

        if let mode = values[Key.customerLoginMode] {
            guard let parsed = CustomerLoginMode(rawValue: mode) else {
                throw CommerceError.corruptRecord(table: "settings", column: Key.customerLoginMode, value: mode)
            }
            settings.customerLoginMode = parsed
        }
        return settings
    }

    /// Validates and stores the settings in one transaction, with names and emails trimmed.
    ///
    /// Changing to a currency with a different number of decimal places is rejected while the
    /// store has products, because every stored price is a count of minor units and would
    /// silently change value (1999 would turn from ¥1,999 into $19.99).
    ///
    /// - Throws: `ValidationErrors` naming each invalid field; nothing is written then.
    public func save(to database: Database) throws {
        var errors = validate()

        try database.transaction(.immediate) { database in
            let previous = try Self.load(from: database)
            if errors["currencyCode"].isEmpty,
               let old = previous.currency, let new = currency,
               old.minorUnits != new.minorUnits,
               try database.scalar("SELECT EXISTS (SELECT 1 FROM products)", as: Bool.self) == true {
                errors.add(
                    "The store's prices are in \(old.code), which has \(old.minorUnits) decimal places, and \(new.code) has \(new.minorUnits); choose a currency with \(old.minorUnits) decimal places, or delete the products first.",
                    for: "currencyCode"
                )
            }
            try errors.throwIfAny()

            let values: [(String, String)] = [
                (Key.storeName, storeName.trimmingCharacters(in: .whitespacesAndNewlines)),
                (Key.contactEmail, contactEmail.trimmingCharacters(in: .whitespacesAndNewlines)),
                (Key.currencyCode, currencyCode.uppercased()),
                (Key.customerLoginMode, customerLoginMode.rawValue),
                (Key.language, language),
                (Key.timeZoneIdentifier, timeZoneIdentifier),
            ]
            for (key, value) in values {
                try database.run(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    key, value
                )
            }
        }
    }
}
