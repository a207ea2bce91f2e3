/// A change an order's current state does not allow.
public enum OrderError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTransition(number: Int64, action: OrderAction, status: OrderStatus, fulfillment: FulfillmentStatus)

    public var description: String {
        switch self {
        case .invalidTransition(let number, let action, let status, let fulfillment):
            return Self.message(number: number, action: action, status: status, fulfillment: fulfillment)
        }
    }

    private static func message(number: Int64, action: OrderAction, status: OrderStatus, fulfillment: FulfillmentStatus) -> String {
        let order = "Order \(number)"
        switch (action, status, fulfillment) {
        case (.cancel, .canceled, _):
            return "\(order) is already canceled; nothing was changed."
        case (_, .canceled, _):
            return "\(order) is canceled, so it cannot be \(action.pastParticiple); nothing was changed."
        case (_, .abandoned, _):
            return "\(order) was abandoned unpaid and its stock released, so it cannot be \(action.pastParticiple); ask the shopper to order again."
        case (.markPaid, .paid, _):
            return "\(order) is already marked as paid."
        case (.ship, _, .shipped), (.ship, _, .delivered):
            return "\(order) has already shipped; correct the tracking details with a note if they were wrong."
        case (.markDelivered, _, .unfulfilled):
            return "\(order) has not shipped yet; ship it with a carrier and tracking number first."
        case (.markDelivered, _, .delivered):
            return "\(order) is already marked as delivered."
        case (.cancel, _, .shipped), (.cancel, _, .delivered):
            return "\(order) has already shipped, so it cannot be canceled."
        default:
            return "\(order) is \(status.label.lowercased()) and \(fulfillment.label.lowercased()), so it cannot be \(action.pastParticiple)."
        }
    }
}

/// The changes staff can make to an order's status.
public enum OrderAction: String, Sendable, CaseIterable {
    case markPaid
    case ship
    case markDelivered
    case cancel

    var pastParticiple: String {
        switch self {
        case .markPaid: return "marked as paid"
        case .ship: return "shipped"
        case .markDelivered: return "marked as delivered"
        case .cancel: return "canceled"
        }
    }
}
