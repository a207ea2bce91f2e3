import Foundation
import SQLite

/// The admin order list's filters. Every filter left nil or empty matches all orders.
public struct OrderFilter: Sendable, Hashable {
    public var status: OrderStatus?
    public var fulfillment: FulfillmentStatus?
    public var paymentMethodKind: PaymentMethodKind?
    /// The first UTC day of the range, inclusive.
    public var from: UTCDay?
    /// The last UTC day of the range, inclusive.
    public var to: UTCDay?
    /// An order number (with or without "#"), or part of the customer's name or email.
    public var search: String

    public init(
        status: OrderStatus? = nil,
        fulfillment: FulfillmentStatus? = nil,
        paymentMethodKind: PaymentMethodKind? = nil,
        from: UTCDay? = nil,
        to: UTCDay? = nil,
        search: String = ""
    ) {
        self.status = status
        self.fulfillment = fulfillment
        self.paymentMethodKind = paymentMethodKind
        self.from = from
        self.to = to
        self.search = search
    }

    /// Returns a message on `to` when the range ends before it starts.
    public func validationErrors() -> ValidationErrors {
        var errors = ValidationErrors()
        if let from, let to, to < from {
            errors.add("The end date \(to) is before the start date \(from); choose an end date on or after it.", for: "to")
        }
        return errors
    }

    /// Returns the WHERE clause (empty or starting with " WHERE") and its arguments, for a
    /// query over `orders`.
    func sqlCondition() -> (clause: String, arguments: [(any SQLValueConvertible)?]) {
        var conditions: [String] = []
        var arguments: [(any SQLValueConvertible)?] = []

        if let status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        if let fulfillment {
            conditions.append("fulfillment = ?")
            arguments.append(fulfillment.rawValue)
        }
        if let paymentMethodKind {
            conditions.append("payment_method_kind = ?")
            arguments.append(paymentMethodKind.rawValue)
        }
        // Stored times are fixed-width UTC text, so text comparison orders them correctly.
        if let from {
            conditions.append("placed_at >= ?")
            arguments.append(from.start)
        }
        if let to {
            conditions.append("placed_at < ?")
            arguments.append(to.adding(days: 1).start)
        }

        let term = search.trimmingCharacters(in: .whitespacesAndNewlines)
        if !term.isEmpty {
            var alternatives: [String] = []
            let digits = term.hasPrefix("#") ? String(term.dropFirst()) : term
            if let number = Int64(digits) {
                alternatives.append("number = ?")
                arguments.append(number)
            }
            // Folded on both sides, so case and accents do not matter for any letter.
            let pattern = "%" + ProductStore.escapingLikeWildcards(Database.foldForSearch(term)) + "%"
            for column in ["shipping_name", "billing_name", "email"] {
                alternatives.append("search_fold(\(column)) LIKE ? ESCAPE '\\'")
                arguments.append(pattern)
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }

        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return (clause, arguments)
    }
}
