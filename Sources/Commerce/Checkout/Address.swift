import Foundation

/// A postal address as checkout collects it, for shipping or billing.
public struct Address: Sendable, Hashable {
    public static let maximumNameLength = 100
    public static let maximumLineLength = 200
    public static let maximumCityLength = 100
    public static let maximumPostalCodeLength = 20
    public static let maximumRegionLength = 100

    /// The recipient's full name.
    public var name: String
    public var line1: String
    /// Apartment, suite, floor; may be empty.
    public var line2: String
    public var city: String
    public var postalCode: String
    /// State, province, county or prefecture; required only where `Country.regionIsRequired`.
    public var region: String
    /// ISO 3166-1 alpha-2 code.
    public var country: String

    public init(
        name: String,
        line1: String,
        line2: String = "",
        city: String,
        postalCode: String,
        region: String = "",
        country: String
    ) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.region = region
        self.country = country
    }

    /// The English name of `country`, or the code itself when it is unknown.
    public var countryName: String { Country.named(country)?.name ?? country }

    /// Returns the address with every field trimmed and the country code upper-cased, plus
    /// a message for each invalid field, keyed `<prefix>.name`, `<prefix>.line1` and so on.
    /// `label` begins each English message ("Shipping", "Billing"). Each message names its
    /// field through the translation key `checkout.label.<prefix>.<field>`, whose English
    /// text is `label` followed by the field's title.
    func normalizedAndValidated(prefix: String, label: String) -> (Address, ValidationErrors) {
        var errors = ValidationErrors()
        var address = self
        address.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        address.line1 = line1.trimmingCharacters(in: .whitespacesAndNewlines)
        address.line2 = line2.trimmingCharacters(in: .whitespacesAndNewlines)
        address.city = city.trimmingCharacters(in: .whitespacesAndNewlines)
        address.postalCode = postalCode.trimmingCharacters(in: .whitespacesAndNewlines)
        address.region = region.trimmingCharacters(in: .whitespacesAndNewlines)
        address.country = country.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()

        let country = Country.named(address.country)
        let isUS = country?.code == "US"
        let checks: [(field: String, labelName: String, value: String, title: String, maximum: Int, required: Bool)] = [
            ("name", "name", address.name, "full name", Self.maximumNameLength, true),
            ("line1", "line1", address.line1, "address", Self.maximumLineLength, true),
            ("line2", "line2", address.line2, "second address line", Self.maximumLineLength, false),
            ("city", "city", address.city, "city", Self.maximumCityLength, true),
            ("postalCode", "postalCode", address.postalCode, "postal code", Self.maximumPostalCodeLength, !(country?.postalCodeIsOptional ?? false)),
            ("region", isUS ? "state" : "region", address.region, isUS ? "state" : "region", Self.maximumRegionLength, country?.regionIsRequired ?? false),
        ]
        for check in checks {
            let key = "\(prefix).\(check.field)"
            let field = TranslatableMessage.Argument.translated(key: "checkout.label.\(prefix).\(check.labelName)")
            let fieldName = "\(label) \(check.title)"
            if check.value.isEmpty {
                if check.required {
                    errors.add(TranslatableMessage("field.error.required", ["field": field], english: "\(fieldName) is required."), for: key)
                }
            } else if check.value.count > check.maximum {
                errors.add(TranslatableMessage(
                    "field.error.tooLong", ["field": field, "maximum": .number(check.maximum), "count": .number(check.value.count)],
                    english: "\(fieldName) must be at most \(check.maximum) characters; it has \(check.value.count)."
                ), for: key)
            } else if check.value.containsControlCharacters {
                errors.add(TranslatableMessage(
                    "field.error.controlCharacters", ["field": field],
                    english: "\(fieldName) must not contain line breaks or control characters."
                ), for: key)
            }
        }

        let postalKey = "\(prefix).postalCode"
        if !address.postalCode.isEmpty && errors[postalKey].isEmpty {
            let field = TranslatableMessage.Argument.translated(key: "checkout.label.\(prefix).postalCode")
            let code = address.postalCode
            let format = country.flatMap { PostalCodeFormat.byCountry[$0.code] }
            if !PostalCodeFormat.hasPostalCodeCharacters(code) {
                if let format {
                    errors.add(TranslatableMessage(
                        "checkout.error.postalCodeCharactersExample", ["field": field, "code": .text(code), "example": .text(format.example)],
                        english: "\(label) postal code “\(code)” may contain only letters, digits, spaces and hyphens; this country's look like \(format.example)."
                    ), for: postalKey)
                } else {
                    errors.add(TranslatableMessage(
                        "checkout.error.postalCodeCharacters", ["field": field, "code": .text(code)],
                        english: "\(label) postal code “\(code)” may contain only letters, digits, spaces and hyphens."
                    ), for: postalKey)
                }
            } else if let format {
                if let written = format.normalized(code) {
                    address.postalCode = written
                } else {
                    errors.add(TranslatableMessage(
                        "checkout.error.postalCodeFormat", ["field": field, "code": .text(code), "example": .text(format.example)],
                        english: "\(label) postal code “\(code)” does not have the form of this country's postal codes, such as \(format.example)."
                    ), for: postalKey)
                }
            }
        }

        let countryField = TranslatableMessage.Argument.translated(key: "checkout.label.\(prefix).country")
        if address.country.isEmpty {
            errors.add(TranslatableMessage(
                "checkout.error.countryRequired", ["field": countryField],
                english: "\(label) country is required; choose one from the list."
            ), for: "\(prefix).country")
        } else if country == nil {
            errors.add(TranslatableMessage(
                "checkout.error.countryUnknown", ["field": countryField, "code": .text(address.country)],
                english: "\(label) country “\(address.country)” is not an ISO 3166-1 country code; choose one from the list."
            ), for: "\(prefix).country")
        }
        return (address, errors)
    }
}
