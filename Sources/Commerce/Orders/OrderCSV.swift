import Foundation
import SQLite

/// The admin's order export: every order a filter matches, one row each, as CSV.
///
/// The output follows RFC 4180: a header row, CRLF line ends, and fields that contain a
/// comma, a double quote, CR or LF enclosed in double quotes with inner quotes doubled.
/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (CSV or
/// formula injection, as OWASP describes it). Such a cell, and one starting with a tab or
/// CR, therefore gets a leading `'`, which spreadsheets show as text. Amounts are plain
/// decimal numbers with a dot ("1234.50") and times are UTC ("2026-03-01 12:00:00").
public struct OrderCSV {
    public static let header = [
        "Number", "Placed at (UTC)", "Status", "Fulfillment", "Email", "Name",
        "Address line 1", "Address line 2", "City", "Postal code", "Region", "Country",
        "Items", "Subtotal", "Shipping", "Total", "Currency",
        "Payment method", "Payment reference", "Shipping method", "Carrier", "Tracking number", "Notes",
    ]

    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Writes the header and then one record per order matching `filter`, newest first.
    /// Each record, with its CRLF, goes to `output` as soon as it is read, so the export
    /// never keeps every order in memory. All records come from one read transaction, so
    /// they are consistent with each other.
    ///
    /// - Throws: `ValidationErrors` when the filter's date range ends before it starts.
    public func write(filter: OrderFilter = OrderFilter(), to output: (String) -> Void) throws {
        try filter.validationErrors().throwIfAny()
        let (clause, arguments) = filter.sqlCondition()

        try database.transaction(.deferred) { database in
            output(Self.record(Self.header))
            _ = try database.query(
                """
                SELECT number, placed_at, status, fulfillment, email, shipping_name, shipping_line1, shipping_line2,
                    shipping_city, shipping_postal_code, shipping_region, shipping_country,
                    (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_lines.order_id = orders.id) AS item_count,
                    subtotal, shipping_price, total, currency_code, payment_method_name, payment_reference,
                    shipping_method_name, carrier, tracking_number, notes
                FROM orders\(clause)
                ORDER BY placed_at DESC, id DESC
                """,
                arguments: StatementArguments(arguments),
                map: { row in output(Self.record(try Self.fields(of: row))) }
            )
        }
    }

    private static func fields(of row: Row) throws -> [String] {
        let currencyCode: String = try row.get("currency_code")
        let minorUnits = Currency.named(currencyCode)?.minorUnits ?? 2
        let placedAt: Date = try row.get("placed_at")
        let statusText: String = try row.get("status")
        let fulfillmentText: String = try row.get("fulfillment")

        return [
            String(try row.get("number", as: Int64.self)),
            Self.timestamp(placedAt),
            OrderStatus(rawValue: statusText)?.label ?? statusText,
            FulfillmentStatus(rawValue: fulfillmentText)?.label ?? fulfillmentText,
            try row.get("email"),
            try row.get("shipping_name"),
            try row.get("shipping_line1"),
            try row.get("shipping_line2"),
            try row.get("shipping_city"),
            try row.get("shipping_postal_code"),
            try row.get("shipping_region"),
            try row.get("shipping_country"),
            String(try row.get("item_count", as: Int.self)),
            Self.decimal(try row.get("subtotal"), minorUnits: minorUnits),
            Self.decimal(try row.get("shipping_price"), minorUnits: minorUnits),
            Self.decimal(try row.get("total"), minorUnits: minorUnits),
            currencyCode,
            try row.get("payment_method_name"),
            try row.get("payment_reference", as: String?.self) ?? "",
            try row.get("shipping_method_name"),
            try row.get("carrier", as: String?.self) ?? "",
            try row.get("tracking_number", as: String?.self) ?? "",
            try row.get("notes"),
        ]
    }

    /// Joins `fields` into one CSV record ending in CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// Returns `text` as one CSV field: protected against formula injection, then quoted
    /// when RFC 4180 requires it.
    public static func field(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        let needsQuotes = value.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `amount` minor units as a plain decimal with a dot: 123450 with 2 minor units is "1234.50".
    static func decimal(_ amount: Int64, minorUnits: Int) -> String {
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        guard minorUnits > 0 else { return sign + String(magnitude) }

        var scale: UInt64 = 1
        for _ in 0..<minorUnits {
            scale *= 10
        }
        let fraction = String(magnitude % scale)
        let padding = String(repeating: "0", count: minorUnits - fraction.count)
        return sign + String(magnitude / scale) + "." + padding + fraction
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    private static func timestamp(_ date: Date) -> String {
        let day = UTCDay(date)
        let seconds = Int(date.timeIntervalSince(day.start))
        return day.description + String(format: " %02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }
}
