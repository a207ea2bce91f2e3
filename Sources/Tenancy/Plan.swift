/// The platform's subscription plans, stored in the catalog by their raw value.
public enum Plan: String, Sendable, CaseIterable, Codable {
    case plus
    case pro
    case premium

    /// The name shown to merchants and operators.
    public var displayName: String {
        switch self {
        case .plus: "Plus"
        case .pro: "Pro"
        case .premium: "Premium"
        }
    }

    public var limits: PlanLimits {
        switch self {
        case .plus:
            PlanLimits(
                staffAccounts: .upTo(2),
                products: .upTo(1_000),
                customDomains: .upTo(1),
                jsonAPI: .unavailable
            )
        case .pro:
            PlanLimits(
                staffAccounts: .upTo(5),
                products: .upTo(10_000),
                customDomains: .upTo(3),
                jsonAPI: .available(requestsPerMinute: 240)
            )
        case .premium:
            PlanLimits(
                staffAccounts: .unlimited,
                products: .unlimited,
                customDomains: .upTo(10),
                jsonAPI: .available(requestsPerMinute: 600)
            )
        }
    }

    /// Whether the plan includes `feature`.
    public func includes(_ feature: PlanFeature) -> Bool {
        switch feature {
        case .customerAccounts, .customerCategories, .analytics:
            true
        case .jsonAPI:
            limits.jsonAPI != .unavailable
        }
    }

    /// Parses a plan name case-insensitively, as typed on the command line or in a form.
    public init(parsing text: String) throws(PlanError) {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let plan = Plan(rawValue: lowered) else {
            throw PlanError(text: text)
        }
        self = plan
    }
}

/// Features that a plan may include or leave out.
public enum PlanFeature: String, Sendable, CaseIterable {
    case customerAccounts
    case customerCategories
    case analytics
    case jsonAPI
}

/// The countable limits of one plan.
public struct PlanLimits: Sendable, Equatable {
    public var staffAccounts: PlanLimit
    public var products: PlanLimit
    public var customDomains: PlanLimit
    public var jsonAPI: JSONAPIAccess
}

/// The maximum count of one kind of thing that a plan allows.
public enum PlanLimit: Sendable, Equatable, CustomStringConvertible {
    case upTo(Int)
    case unlimited

    /// Whether a store that has `currentCount` of the thing may add one more.
    public func allowsAdding(to currentCount: Int) -> Bool {
        switch self {
        case .upTo(let maximum): currentCount < maximum
        case .unlimited: true
        }
    }

    public var description: String {
        switch self {
        case .upTo(let maximum): String(maximum)
        case .unlimited: "unlimited"
        }
    }
}

/// Whether a plan includes the customer and order JSON API, and at what rate.
public enum JSONAPIAccess: Sendable, Equatable {
    case unavailable
    case available(requestsPerMinute: Int)
}

/// A plan name that matches no plan.
public struct PlanError: Error, Equatable, CustomStringConvertible {
    public let text: String

    public var description: String {
        let names = Plan.allCases.map(\.rawValue).joined(separator: ", ")
        return "Unknown plan \"\(text)\": use one of \(names)."
    }
}
