import Foundation
import SQLite

/// A way the merchant ships orders, with a flat price in minor units of the store's currency.
public struct ShippingMethod: Sendable, Hashable, Identifiable {
    public let id: Int64
    public var name: String
    public var price: Int64
    /// The subtotal from which shipping is free (at or above it), nil when it never is.
    public var freeFromSubtotal: Int64?
    public var countries: ShippingCountries
    /// Inactive methods stay in the admin but are not offered at checkout.
    public var isActive: Bool
    /// Methods are offered in ascending position, then by id.
    public var position: Int
    public var createdAt: Date
    public var updatedAt: Date

    /// Returns what shipping costs for a cart with `subtotal`: zero at or above
    /// `freeFromSubtotal`, `price` otherwise.
    public func price(forSubtotal subtotal: Int64) -> Int64 {
        if let freeFromSubtotal, subtotal >= freeFromSubtotal {
            return 0
        }
        return price
    }

    static let columns = "id, name, price, free_from_subtotal, countries, active, position, created_at, updated_at"

    init(row: Row) throws {
        id = try row.get("id")
        name = try row.get("name")
        price = try row.get("price")
        freeFromSubtotal = try row.get("free_from_subtotal")
        let storedCountries: String? = try row.get("countries")
        countries = ShippingCountries(storedValue: storedCountries)
        isActive = try row.get("active")
        position = try row.get("position")
        createdAt = try row.get("created_at")
        updatedAt = try row.get("updated_at")
    }
}

/// The countries a shipping method delivers to.
public enum ShippingCountries: Sendable, Hashable {
    case all
    /// ISO 3166-1 alpha-2 codes, upper-case, sorted and without duplicates once stored.
    case only([String])

    /// Returns whether the method delivers to `countryCode` (any letter case).
    public func includes(_ countryCode: String) -> Bool {
        switch self {
        case .all:
            return true
        case .only(let codes):
            return codes.contains(countryCode.uppercased())
        }
    }

    /// The column value: NULL for every country, else the codes joined by commas.
    var storedValue: String? {
        switch self {
        case .all: return nil
        case .only(let codes): return codes.joined(separator: ",")
        }
    }

    init(storedValue: String?) {
        guard let storedValue else {
            self = .all
            return
        }
        self = .only(storedValue.split(separator: ",").map(String.init))
    }
}

/// A shipping method offered for one cart, with the price that cart pays.
public struct ShippingOption: Sendable, Hashable {
    public let method: ShippingMethod
    public let price: Int64

    /// Whether the cart reached the method's free-shipping subtotal.
    public var isFree: Bool { price == 0 && method.price > 0 }
}

/// The fields a merchant edits in the shipping method form.
public struct ShippingMethodInput: Sendable, Hashable {
    public var name: String
    public var price: Int64
    public var freeFromSubtotal: Int64?
    public var countries: ShippingCountries
    public var isActive: Bool
    public var position: Int

    public init(
        name: String,
        price: Int64,
        freeFromSubtotal: Int64? = nil,
        countries: ShippingCountries = .all,
        isActive: Bool = true,
        position: Int = 0
    ) {
        self.name = name
        self.price = price
        self.freeFromSubtotal = freeFromSubtotal
        self.countries = countries
        self.isActive = isActive
        self.position = position
    }

    /// Creates the input of an existing method, to prefill the edit form.
    public init(_ method: ShippingMethod) {
        self.init(
            name: method.name,
            price: method.price,
            freeFromSubtotal: method.freeFromSubtotal,
            countries: method.countries,
            isActive: method.isActive,
            position: method.position
        )
    }
}

extension ShippingMethodInput {
    public static let maximumNameLength = 100
    public static let maximumPosition = 10_000

    /// Returns a message for each invalid field (`name`, `price`, `freeFromSubtotal`,
    /// `countries`, `position`). `currency` is used to show amounts in the messages.
    public func validationErrors(currency: Currency) -> ValidationErrors {
        normalizedAndValidated(currency: currency).1
    }

    /// Returns the input with the name trimmed and country codes upper-cased, sorted and
    /// unique, plus a message for each invalid field.
    func normalizedAndValidated(currency: Currency) -> (ShippingMethodInput, ValidationErrors) {
        var input = self
        var errors = ValidationErrors()

        input.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if input.name.isEmpty {
            errors.add("Name is required, for example Standard delivery.", for: "name")
        } else if input.name.count > Self.maximumNameLength {
            errors.add("Name must be at most \(Self.maximumNameLength) characters; it has \(input.name.count).", for: "name")
        } else if input.name.containsControlCharacters {
            errors.add("Name must not contain line breaks or control characters.", for: "name")
        }

        let highestPrice = Money(minorUnits: ProductInput.priceLimit - 1, currency: currency).formatted()
        if price < 0 {
            errors.add("Price must be 0 or more.", for: "price")
        } else if price >= ProductInput.priceLimit {
            errors.add("Price must be at most \(highestPrice).", for: "price")
        }

        if let freeFromSubtotal {
            if freeFromSubtotal < 0 {
                errors.add("Free shipping threshold must be 0 or more, or empty for none.", for: "freeFromSubtotal")
            } else if freeFromSubtotal >= ProductInput.priceLimit {
                errors.add("Free shipping threshold must be at most \(highestPrice), or empty for none.", for: "freeFromSubtotal")
            }
        }

        if case .only(let codes) = countries {
            var normalized = Set<String>()
            var unknown: [String] = []
            for code in codes {
                if let country = Country.named(code) {
                    normalized.insert(country.code)
                } else {
                    unknown.append(code.trimmingCharacters(in: .whitespaces))
                }
            }
            if !unknown.isEmpty {
                let list = unknown.map { "“\($0)”" }.joined(separator: ", ")
                errors.add("\(list) \(unknown.count == 1 ? "is not an" : "are not") ISO 3166-1 country code\(unknown.count == 1 ? "" : "s"); choose countries from the list.", for: "countries")
            } else if normalized.isEmpty {
                errors.add("Choose at least one country, or choose all countries.", for: "countries")
            }
            input.countries = .only(normalized.sorted())
        }

        if position < 0 || position > Self.maximumPosition {
            errors.add("Position must be between 0 and \(formatWithGrouping(Self.maximumPosition)).", for: "position")
        }
        return (input, errors)
    }
}
