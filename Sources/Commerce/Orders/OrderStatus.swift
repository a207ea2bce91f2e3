/// The payment state of an order.
public enum OrderStatus: String, Sendable, CaseIterable {
    /// Placed; the shopper has not paid yet or staff have not confirmed the payment.
    case pendingPayment = "pending_payment"
    case paid
    /// Canceled by staff; its stock was put back.
    case canceled
    /// Never paid within the store's abandonment window; its stock was put back.
    case abandoned

    /// The label the admin shows.
    public var label: String {
        switch self {
        case .pendingPayment: return "Pending payment"
        case .paid: return "Paid"
        case .canceled: return "Canceled"
        case .abandoned: return "Abandoned"
        }
    }

    /// Whether the order still counts: not canceled and not abandoned.
    public var isOpen: Bool { self == .pendingPayment || self == .paid }
}

/// The delivery state of an order.
public enum FulfillmentStatus: String, Sendable, CaseIterable {
    case unfulfilled
    /// Handed to a carrier, with a tracking number.
    case shipped
    case delivered

    /// The label the admin shows.
    public var label: String {
        switch self {
        case .unfulfilled: return "Unfulfilled"
        case .shipped: return "Shipped"
        case .delivered: return "Delivered"
        }
    }
}
