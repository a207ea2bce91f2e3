import Commerce
import HTTPServer
import Templates

/// The order list's filters as the query string carries them, shared by the list page and
/// the CSV export so both read and link the same parameters: `status`, `fulfillment`,
/// `payment`, `from`, `to` (YYYY-MM-DD, UTC) and `q`.
struct AdminOrderFilterQuery {
    static let maximumSearchLength = 200

    var status: String
    var fulfillment: String
    var payment: String
    var from: String
    var to: String
    var search: String

    init(_ query: FormParameters) {
        status = Self.trimmed(query["status"])
        fulfillment = Self.trimmed(query["fulfillment"])
        payment = Self.trimmed(query["payment"])
        from = Self.trimmed(query["from"])
        to = Self.trimmed(query["to"])
        search = Self.trimmed(query["q"])
    }

    private static func trimmed(_ value: String?) -> String {
        (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The parameters to keep on pagination and export links, empty ones included (the
    /// `Pagination` type drops those).
    var pairs: [(String, String)] {
        [("status", status), ("fulfillment", fulfillment), ("payment", payment), ("from", from), ("to", to), ("q", search)]
    }

    /// Whether any filter or search is set, so the page can offer to clear them.
    var isActive: Bool {
        pairs.contains { !$0.1.isEmpty }
    }

    /// The query string of `pairs` without empty values, starting with `?`, or empty.
    var queryString: String {
        let nonEmpty = pairs.filter { !$0.1.isEmpty }
        guard !nonEmpty.isEmpty else { return "" }
        return "?" + nonEmpty.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }.joined(separator: "&")
    }

    /// Reads the parameters into a filter, adding a message on each one that cannot be read,
    /// keyed by the parameter's name, so a hand-edited link gets a message instead of a 500.
    ///
    /// - Parameter paymentKinds: the kinds the store has methods for. Any other `payment`
    ///   value is reported.
    func filter(paymentKinds: [PaymentMethodKind], errors: inout ValidationErrors) -> OrderFilter {
        var filter = OrderFilter()

        if !status.isEmpty {
            if let value = OrderStatus(rawValue: status) {
                filter.status = value
            } else {
                let choices = OrderStatus.allCases.map { "\($0.rawValue) (\($0.label))" }.joined(separator: ", ")
                errors.add("Status “\(status)” is unknown; choose one of \(choices), or any status.", for: "status")
            }
        }
        if !fulfillment.isEmpty {
            if let value = FulfillmentStatus(rawValue: fulfillment) {
                filter.fulfillment = value
            } else {
                let choices = FulfillmentStatus.allCases.map { "\($0.rawValue) (\($0.label))" }.joined(separator: ", ")
                errors.add("Fulfillment “\(fulfillment)” is unknown; choose one of \(choices), or any fulfillment.", for: "fulfillment")
            }
        }
        if !payment.isEmpty {
            let kind = PaymentMethodKind(rawValue: payment)
            if paymentKinds.contains(kind) {
                filter.paymentMethodKind = kind
            } else {
                errors.add("Payment method “\(payment)” is unknown; choose one from the list, or any payment method.", for: "payment")
            }
        }

        filter.from = day(from, label: "From date", field: "from", errors: &errors)
        filter.to = day(to, label: "To date", field: "to", errors: &errors)

        if search.count > Self.maximumSearchLength {
            errors.add("Search must be at most \(Self.maximumSearchLength) characters; it has \(search.count).", for: "q")
        } else {
            filter.search = search
        }

        errors.merge(filter.validationErrors())
        return filter
    }

    private func day(_ text: String, label: String, field: String, errors: inout ValidationErrors) -> UTCDay? {
        guard !text.isEmpty else { return nil }
        guard let day = UTCDay(text) else {
            errors.add("\(label) “\(text)” is not a valid date; enter it as YYYY-MM-DD, such as 2026-03-01.", for: field)
            return nil
        }
        return day
    }
}
