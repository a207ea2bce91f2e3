import Foundation
import SQLite

/// Order settings of a store, kept as key-value rows in the `settings` table beside
/// `StoreSettings`, whose `save` leaves keys it does not know alone.
public struct OrderSettings: Sendable, Equatable {
    public static let defaultAbandonAfterDays = 7
    public static let abandonAfterDaysRange = 1...90

    /// Days an order may stay in `pendingPayment` before it is abandoned and its stock put
    /// back. Orders that have shipped are never abandoned (cash on delivery waits for the
    /// carrier).
    public var abandonAfterDays: Int

    public init(abandonAfterDays: Int = OrderSettings.defaultAbandonAfterDays) {
        self.abandonAfterDays = abandonAfterDays
    }

    /// The abandonment window in seconds.
    public var abandonmentWindow: TimeInterval { TimeInterval(abandonAfterDays) * 24 * 60 * 60 }

    public func validate() -> ValidationErrors {
        var errors = ValidationErrors()
        let range = Self.abandonAfterDaysRange
        if !range.contains(abandonAfterDays) {
            errors.add("Days before an unpaid order is abandoned must be between \(range.lowerBound) and \(range.upperBound).", for: "abandonAfterDays")
        }
        return errors
    }

    private static let abandonAfterDaysKey = "abandon_after_days"

    /// Reads the settings, using the defaults for keys never saved.
    ///
    /// - Throws: `CommerceError.corruptRecord` when a stored value cannot be read.
    public static func load(from database: Database) throws -> OrderSettings {
        var settings = OrderSettings()
        let stored = try database.scalar("SELECT value FROM settings WHERE key = ?", abandonAfterDaysKey, as: String.self)
        if let stored {
            guard let days = Int(stored), abandonAfterDaysRange.contains(days) else {
                throw CommerceError.corruptRecord(table: "settings", column: abandonAfterDaysKey, value: stored)
            }
            settings.abandonAfterDays = days
        }
        return settings
    }

    /// Validates and stores the settings.
    ///
    /// - Throws: `ValidationErrors` naming each invalid field; nothing is written then.
    public func save(to database: Database) throws {
        try validate().throwIfAny()
        try database.run(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            Self.abandonAfterDaysKey, String(abandonAfterDays)
        )
    }
}
