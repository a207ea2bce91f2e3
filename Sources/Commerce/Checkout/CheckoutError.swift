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

    public var description: String {
        switch self {
        case .cartNotFound:
            return "Your cart has expired or the order was already placed; add the products to your cart again."
        case .emptyCart:
            return "Your cart is empty; add a product before checking out."
        case .pricesChanged:
            return "Prices or shipping changed since you reviewed your order; check the new total and confirm again."
        case .soldOut(let titles):
            return "Not enough stock is left of \(Self.list(titles)); change the quantities in your cart and try again."
        case .productsUnavailable(let titles):
            return "\(Self.list(titles)) \(titles.count == 1 ? "is" : "are") no longer available; remove \(titles.count == 1 ? "it" : "them") from your cart and try again."
        case .customerAccountRequired:
            return "This store sells only to registered customers; log in or create an account to check out."
        }
    }

    private static func list(_ titles: [String]) -> String {
        let quoted = titles.map { "“\($0)”" }
        guard quoted.count > 1 else { return quoted.first ?? "a product" }
        return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
    }
}
