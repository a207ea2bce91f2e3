import Foundation

/// The behaviour behind a payment method kind. Each row of `payment_methods` is handled by
/// the processor registered for its kind in `PaymentProcessors.registered`.
///
/// Storefleet ships only manual methods (`ManualPaymentProcessor`), which need no outside
/// service: the order waits in `pendingPayment` until staff mark it paid.
///
/// Adding an online processor (a card processor, for example) takes four steps:
///
/// 1. Declare its kind: `extension PaymentMethodKind { static let card = PaymentMethodKind(rawValue: "card") }`.
/// 2. Implement this protocol. `initialStatus` stays `.pendingPayment`, and `nextStep(for:method:)`
///    creates the processor's payment session and returns `.redirect(to:)` with its URL.
/// 3. Add it to `PaymentProcessors.registered`, and insert its `payment_methods` row
///    (disabled) in a new `StoreSchema` migration.
/// 4. In the app, handle the processor's return or webhook request: verify it with the
///    processor, then call `OrderStore.markPaid(id:by:reference:composeMails:)` with actor
///    `.system` and the processor's transaction id as the reference. Checkout itself does
///    not change: the order, its stock and its number are committed before the redirect,
///    and an order never paid is abandoned after `OrderSettings.abandonAfterDays`.
public protocol PaymentProcessor: Sendable {
    var kind: PaymentMethodKind { get }
    /// The name a new store shows until the merchant renames the method.
    var defaultDisplayName: String { get }
    /// The status a new order starts in.
    var initialStatus: OrderStatus { get }
    /// Whether the method needs instructions before it can be enabled (bank details, for
    /// example), because the shopper cannot pay without them.
    var requiresInstructions: Bool { get }

    /// Returns the text the shopper sees after ordering and in order mails, or nil for none.
    /// Checkout copies it into the order, so later edits of `method` do not change what an
    /// earlier order says.
    func instructions(for order: Order, method: PaymentMethod) -> String?

    /// Returns what the storefront does right after the order is placed.
    func nextStep(for order: Order, method: PaymentMethod) throws -> PaymentNextStep
}

/// What the storefront does after placing an order.
public enum PaymentNextStep: Sendable, Equatable {
    /// Show the order status page with the payment instructions.
    case showOrder
    /// Send the shopper to an online processor's payment page.
    case redirect(to: URL)
}

/// A payment method that needs no outside service. The merchant's own instructions text is
/// all the shopper gets, so it stays in the store's language.
public struct ManualPaymentProcessor: PaymentProcessor {
    public let kind: PaymentMethodKind
    public let defaultDisplayName: String
    public let requiresInstructions: Bool

    public var initialStatus: OrderStatus { .pendingPayment }

    public func instructions(for order: Order, method: PaymentMethod) -> String? {
        let text = method.instructions.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    public func nextStep(for order: Order, method: PaymentMethod) throws -> PaymentNextStep {
        .showOrder
    }
}

/// The processors this version knows, by kind.
public enum PaymentProcessors {
    public static let bankTransfer = ManualPaymentProcessor(kind: .bankTransfer, defaultDisplayName: "Bank transfer", requiresInstructions: true)
    public static let cashOnDelivery = ManualPaymentProcessor(kind: .cashOnDelivery, defaultDisplayName: "Cash on delivery", requiresInstructions: false)
    public static let payInStore = ManualPaymentProcessor(kind: .payInStore, defaultDisplayName: "Pay in store", requiresInstructions: false)

    /// Every processor, in the order the admin lists their kinds. Add new processors here.
    public static let registered: [any PaymentProcessor] = [bankTransfer, cashOnDelivery, payInStore]

    /// Returns the processor for `kind`, or nil when this version has none (a row written
    /// by a newer version); checkout does not offer such a method.
    public static func processor(for kind: PaymentMethodKind) -> (any PaymentProcessor)? {
        registered.first { $0.kind == kind }
    }
}
