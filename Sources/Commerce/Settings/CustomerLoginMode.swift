/// Whether shoppers of a store have accounts, set by the merchant in Settings › General.
public enum CustomerLoginMode: String, Sendable, CaseIterable {
    /// Every visitor checks out as a guest and there are no account pages. The default for a
    /// new store.
    case disabled
    /// Guests can check out. Anyone may register and log in, and an account created after
    /// checkout takes over earlier guest orders with the same email.
    case optional
    /// Only registered customers whom the merchant approved can check out. Registration
    /// creates a pending customer.
    case required

    /// The label shown in the admin's settings form.
    public var label: String {
        switch self {
        case .disabled: return "Disabled: guest checkout only"
        case .optional: return "Optional: guests and customers can check out"
        case .required: return "Required: only approved customers can check out"
        }
    }
}
