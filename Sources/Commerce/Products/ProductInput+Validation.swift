import Foundation

extension ProductInput {
    public static let maximumTitleLength = 200
    public static let maximumDescriptionLength = 20_000
    public static let maximumSKULength = 64
    /// Prices must be below 10^12 minor units (ten billion in a two-decimal currency), which
    /// keeps any order total of realistic size far from `Int64` overflow.
    public static let priceLimit: Int64 = 1_000_000_000_000
    public static let maximumStock = 1_000_000_000

    /// Returns a message for each field that fails a check needing no database, so a form
    /// can show every problem at once even before it can be saved.
    public func validationErrors(currency: Currency) -> ValidationErrors {
        normalizedAndValidated(currency: currency).1
    }

    /// Returns the input with text fields trimmed, and a message for each field that fails a
    /// check needing no database (uniqueness is checked by `ProductStore`). `currency` is used
    /// only to show the price limit in the message.
    func normalizedAndValidated(currency: Currency) -> (ProductInput, ValidationErrors) {
        var input = self
        var errors = ValidationErrors()

        input.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if input.title.isEmpty {
            errors.add("Title is required.", for: "title")
        } else if input.title.count > Self.maximumTitleLength {
            errors.add("Title must be at most \(Self.maximumTitleLength) characters; it has \(input.title.count).", for: "title")
        } else if input.title.containsControlCharacters {
            errors.add("Title must not contain line breaks or control characters.", for: "title")
        }

        input.slug = slug.trimmingCharacters(in: .whitespacesAndNewlines)
        if !input.slug.isEmpty && !Slug.isValid(input.slug) {
            errors.add(
                "Address “\(input.slug)” may contain only lower-case letters a–z, digits and single hyphens between them, at most \(Slug.maximumLength) characters (for example trail-mug); or leave it empty to derive it from the title.",
                for: "slug"
            )
        }

        input.description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if input.description.count > Self.maximumDescriptionLength {
            errors.add("Description must be at most \(formatWithGrouping(Self.maximumDescriptionLength)) characters; it has \(formatWithGrouping(input.description.count)).", for: "description")
        }

        let highestPrice = Money(minorUnits: Self.priceLimit - 1, currency: currency).formatted()
        if price < 0 {
            errors.add("Price must be 0 or more.", for: "price")
        } else if price >= Self.priceLimit {
            errors.add("Price must be at most \(highestPrice).", for: "price")
        }

        if let compareAtPrice {
            if compareAtPrice >= Self.priceLimit {
                errors.add("Compare-at price must be at most \(highestPrice).", for: "compareAtPrice")
            } else if compareAtPrice <= price {
                errors.add("Compare-at price must be higher than the price, or empty.", for: "compareAtPrice")
            }
        }

        input.sku = sku.trimmingCharacters(in: .whitespacesAndNewlines)
        if input.sku.count > Self.maximumSKULength {
            errors.add("SKU must be at most \(Self.maximumSKULength) characters; it has \(input.sku.count).", for: "sku")
        } else if input.sku.containsControlCharacters {
            errors.add("SKU must not contain line breaks or control characters.", for: "sku")
        }

        if stock < 0 {
            errors.add("Stock must be 0 or more.", for: "stock")
        } else if stock > Self.maximumStock {
            errors.add("Stock must be at most \(formatWithGrouping(Self.maximumStock)).", for: "stock")
        }
        return (input, errors)
    }
}

extension String {
    var containsControlCharacters: Bool {
        unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
