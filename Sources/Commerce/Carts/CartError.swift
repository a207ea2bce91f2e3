/// Cart failures that belong to no form field. Quantity problems are `ValidationErrors` on
/// the `quantity` field instead.
public enum CartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cookie's token matches no cart: it expired, or it never existed.
    case notFound
    /// The product exists but is hidden from shoppers.
    case productUnavailable(title: String)
    /// The cart already has `limit` different products.
    case tooManyLines(limit: Int)

    public var description: String {
        switch self {
        case .notFound:
            return "Your cart has expired or was emptied; add the products again."
        case .productUnavailable(let title):
            return "“\(title)” is no longer available, so it cannot be added to the cart."
        case .tooManyLines(let limit):
            return "A cart can hold at most \(limit) different products; remove some or check out first."
        }
    }
}
