/// Which code handles a payment method, stored in `payment_methods.kind` and copied into
/// every order.
///
/// A struct rather than an enum so that a payment processor added later (see
/// `PaymentProcessor`) declares its own kind without changing this type, and so that a file
/// written by a newer version, with a kind this version does not know, still loads.
public struct PaymentMethodKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The shopper transfers the total to the merchant's bank account, following the
    /// instructions the merchant wrote.
    public static let bankTransfer = PaymentMethodKind(rawValue: "bank_transfer")
    /// The shopper pays the carrier on delivery.
    public static let cashOnDelivery = PaymentMethodKind(rawValue: "cash_on_delivery")
    /// The shopper pays at the merchant's shop, usually when collecting the order.
    public static let payInStore = PaymentMethodKind(rawValue: "pay_in_store")

    public var description: String { rawValue }
}
