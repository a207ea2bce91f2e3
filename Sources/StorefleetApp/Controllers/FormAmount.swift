import Commerce

/// Reading an amount a merchant typed into an admin form.
enum FormAmount {
    /// Parses `text` in `currency` into minor units. When it cannot be read, adds
    /// "`label`: reason" to `errors` under `field` and returns nil. An empty optional field
    /// returns nil without a message.
    static func parse(
        _ text: String,
        currency: Currency,
        label: String,
        field: String,
        isOptional: Bool = false,
        errors: inout ValidationErrors
    ) -> Int64? {
        if isOptional && text.trimmingCharacters(in: .whitespaces).isEmpty {
            return nil
        }
        do {
            return try Money.parse(text, currency: currency).minorUnits
        } catch {
            if case .empty = error.reason {
                // "Price is empty; enter …" rather than "Price: The amount is empty; enter …".
                let advice = error.description.drop { $0 != ";" }
                errors.add("\(label) is empty\(advice)", for: field)
            } else {
                errors.add("\(label): \(error.description)", for: field)
            }
            return nil
        }
    }
}
