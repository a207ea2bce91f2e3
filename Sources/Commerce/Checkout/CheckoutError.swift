/// A reason checkout could not quote or place an order. Field errors are `ValidationErrors`.
public enum CheckoutError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cart cookie's token matches no cart: it expired, or the order was already placed
    /// from it in another tab.
    case cartNotFound
    case emptyCart
    /// The prices, quantities or shipping changed after the shopper confirmed. Show
    /// `newQuote` and ask them to confirm again; nothing was written.
    case pricesChanged(newQuote: CheckoutQuote)
    /// Too few units are left of these products; nothing was written, and the stock of the
    /// other lines is untouched.
    case soldOut(productTitles: [String])
    /// The merchant hid these products since they were added to the cart.
    case productsUnavailable(productTitles: [String])
    /// The store sells only to registered, approved customers, and no customer is logged in.
    case customerAccountRequired
    /// This submission repeats one that already placed `order` from the same cart and
    /// quote, such as a second click on "Place order"; nothing was written.
    case alreadyPlaced(Order)

    public var description: String { message.english }

    /// The message for the shopper, with its translation key.
    public var message: TranslatableMessage {
        switch self {
        case .cartNotFound:
            return TranslatableMessage(
                "checkout.error.cartNotFound",
                english: "Your cart has expired or the order was already placed; add the products to your cart again."
            )
        case .emptyCart:
            return TranslatableMessage("checkout.error.emptyCart", english: "Your cart is empty; add a product before checking out.")
        case .pricesChanged:
            return TranslatableMessage(
                "checkout.error.pricesChanged",
                english: "Your cart, its prices or the shipping changed since you reviewed your order; check the new total and confirm again."
            )
        case .soldOut(let titles):
            let products = Self.list(titles)
            return TranslatableMessage(
                "checkout.error.soldOut", ["products": .quotedList(titles)],
                english: "Not enough stock is left of \(products). Your cart is unchanged; lower the quantities or remove these products."
            )
        case .productsUnavailable(let titles):
            let products = Self.list(titles)
            return TranslatableMessage(
                "checkout.error.unavailable", ["products": .quotedList(titles)],
                english: "\(products) can no longer be bought. Your cart is unchanged; remove these products to continue."
            )
        case .customerAccountRequired:
            return TranslatableMessage(
                "checkout.error.customerAccountRequired",
                english: "This store sells only to registered customers; log in or create an account to check out."
            )
        case .alreadyPlaced(let order):
            return TranslatableMessage(
                "checkout.error.alreadyPlaced", ["number": .text(String(order.number))],
                english: "This checkout was already placed as order #\(order.number); its status page shows it."
            )
        }
    }

    /// Quotes each title in English quotation marks and separates them with commas, as
    /// the app does for `.quotedList` in English.
    private static func list(_ titles: [String]) -> String {
        titles.map { "“\($0)”" }.joined(separator: ", ")
    }
}
