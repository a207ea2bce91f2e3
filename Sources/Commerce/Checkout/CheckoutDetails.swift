import Foundation

/// The details a shopper enters at checkout. Prices and quantities are deliberately absent,
/// because they come from the cart and the products, never from the form.
public struct CheckoutDetails: Sendable, Hashable {
    public static let maximumNotesLength = 1_000

    public var email: String
    public var shippingAddress: Address
    /// Nil when the billing address is the shipping address, as it is by default.
    public var billingAddress: Address?
    public var shippingMethodID: Int64?
    public var paymentMethodID: Int64?
    /// The shopper's notes to the merchant; may be empty.
    public var notes: String

    public init(
        email: String,
        shippingAddress: Address,
        billingAddress: Address? = nil,
        shippingMethodID: Int64?,
        paymentMethodID: Int64?,
        notes: String = ""
    ) {
        self.email = email
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.shippingMethodID = shippingMethodID
        self.paymentMethodID = paymentMethodID
        self.notes = notes
    }

    /// The address to bill: `billingAddress`, or the shipping address when it is nil.
    public var effectiveBillingAddress: Address { billingAddress ?? shippingAddress }

    /// Returns a message for each field that fails a check needing no database, keyed
    /// `email`, `shipping.name` … `shipping.country`, `billing.name` … `billing.country`,
    /// `shippingMethod`, `paymentMethod` and `notes`. `Checkout` adds the checks of the
    /// chosen methods against the store.
    public func validationErrors() -> ValidationErrors {
        normalizedAndValidated().1
    }

    /// The details as the order stores them: every text trimmed, the country code and
    /// postal codes of a known shape written as their country writes them.
    public var normalized: CheckoutDetails {
        normalizedAndValidated().0
    }

    /// Returns the details with every text trimmed (notes keep their inner line breaks)
    /// and a translatable message for each invalid field.
    func normalizedAndValidated() -> (CheckoutDetails, ValidationErrors) {
        var details = self
        var errors = ValidationErrors()

        switch EmailAddress.validate(email) {
        case .success(let address): details.email = address
        case .failure(let invalid): errors.add(invalid.translatable(labelKey: "checkout.label.email", label: "Email"), for: "email")
        }

        let (shipping, shippingErrors) = shippingAddress.normalizedAndValidated(prefix: "shipping", label: "Shipping")
        details.shippingAddress = shipping
        errors.merge(shippingErrors)

        if let billingAddress {
            let (billing, billingErrors) = billingAddress.normalizedAndValidated(prefix: "billing", label: "Billing")
            details.billingAddress = billing
            errors.merge(billingErrors)
        }

        if shippingMethodID == nil {
            errors.add(TranslatableMessage("checkout.error.chooseShippingMethod", english: "Choose a shipping method."), for: "shippingMethod")
        }
        if paymentMethodID == nil {
            errors.add(TranslatableMessage("checkout.error.choosePaymentMethod", english: "Choose a payment method."), for: "paymentMethod")
        }

        details.notes = notes.trimmingCharacters(in: .whitespacesAndNewlines)
        if details.notes.count > Self.maximumNotesLength {
            errors.add(TranslatableMessage(
                "checkout.error.notesTooLong",
                ["maximum": .number(Self.maximumNotesLength), "count": .number(details.notes.count)],
                english: "Order notes must be at most \(formatWithGrouping(Self.maximumNotesLength)) characters; they have \(formatWithGrouping(details.notes.count))."
            ), for: "notes")
        } else if details.notes.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !["\n", "\r", "\t"].contains($0) }) {
            errors.add(TranslatableMessage("checkout.error.notesControlCharacters", english: "Order notes must not contain control characters."), for: "notes")
        }
        return (details, errors)
    }
}
