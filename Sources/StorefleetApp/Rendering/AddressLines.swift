import Commerce
import Templates

extension Address {
    /// Returns the address's lines as the post of its country writes them: the name,
    /// the street lines, the locality, and the country's name in `language`. Empty parts
    /// are left out. The locality line follows the country's convention: "New York, NY
    /// 10001" in the United States, "Toronto ON M5V 2T6" in Canada and Australia, the
    /// postcode on a line of its own in the United Kingdom, and "28013 Madrid" with the
    /// region below it elsewhere.
    func lines(language: String) -> [String] {
        let join = { (parts: [String], separator: String) in
            parts.filter { !$0.isEmpty }.joined(separator: separator)
        }
        let locality: [String]
        switch country.uppercased() {
        case "US":
            locality = [join([city, join([region, postalCode], " ")], ", ")]
        case "CA", "AU":
            locality = [join([city, region, postalCode], " ")]
        case "GB":
            locality = [city, region, postalCode]
        default:
            locality = [join([postalCode, city], " "), region]
        }
        let countryName = Translations.countryName(country, language: language)
        return ([name, line1, line2] + locality + [countryName]).filter { !$0.isEmpty }
    }

    /// Returns `lines(language:)` as a template array, one string per line.
    func linesValue(language: String) -> TemplateValue {
        .array(lines(language: language).map(TemplateValue.string))
    }
}
