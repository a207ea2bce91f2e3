/// The stage of a store's life on the platform, stored in the catalog by raw value.
public enum StoreStatus: String, Sendable, CaseIterable, Codable {
    /// Within the 14-day trial that starts at creation; everything works.
    case trialing
    /// On a paid plan; everything works.
    case active
    /// The trial ended without a plan. Nothing is deleted: shoppers see an unavailable
    /// page and the merchant sees how to continue.
    case expired
    /// Stopped by an operator. Both the storefront and the admin are unavailable, except
    /// to operators.
    case suspended

    /// Whether shoppers may use the storefront.
    public var servesStorefront: Bool {
        self == .trialing || self == .active
    }

    /// Whether the merchant's admin works beyond the plan and upgrade pages.
    public var servesAdmin: Bool {
        self == .trialing || self == .active
    }

    public init(parsing text: String) throws(StoreStatusError) {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let status = StoreStatus(rawValue: lowered) else {
            throw StoreStatusError(text: text)
        }
        self = status
    }
}

/// A status name that matches no status.
public struct StoreStatusError: Error, Equatable, CustomStringConvertible {
    public let text: String

    public var description: String {
        let names = StoreStatus.allCases.map(\.rawValue).joined(separator: ", ")
        return "Unknown store status \"\(text)\": use one of \(names)."
    }
}
