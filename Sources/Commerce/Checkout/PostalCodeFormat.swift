/// The shapes a country's postal codes take, for the countries whose codes have one
/// simple shape, so that checkout catches a mistyped code before a parcel is sent to it.
///
/// A shape is written with `9` for a digit, `A` for a letter (either case), and any other
/// character for itself. A space in a shape may also be left out, as many shoppers type
/// "M5V2T6" for "M5V 2T6". Countries not listed here accept any code of letters, digits,
/// spaces and hyphens.
struct PostalCodeFormat {
    let shapes: [String]
    /// A real code of the country, shown in the error message.
    let example: String

    static let byCountry: [String: PostalCodeFormat] = [
        "AR": PostalCodeFormat(shapes: ["9999", "A9999AAA"], example: "C1002AAA"),
        "AT": PostalCodeFormat(shapes: ["9999"], example: "1010"),
        "AU": PostalCodeFormat(shapes: ["9999"], example: "2000"),
        "BE": PostalCodeFormat(shapes: ["9999"], example: "1000"),
        "BR": PostalCodeFormat(shapes: ["99999-999", "99999999"], example: "01310-100"),
        "CA": PostalCodeFormat(shapes: ["A9A 9A9"], example: "M5V 2T6"),
        "CH": PostalCodeFormat(shapes: ["9999"], example: "8001"),
        "CL": PostalCodeFormat(shapes: ["9999999"], example: "8320000"),
        "CN": PostalCodeFormat(shapes: ["999999"], example: "100000"),
        "CO": PostalCodeFormat(shapes: ["999999"], example: "110111"),
        "DE": PostalCodeFormat(shapes: ["99999"], example: "10115"),
        "DK": PostalCodeFormat(shapes: ["9999"], example: "1050"),
        "ES": PostalCodeFormat(shapes: ["99999"], example: "28013"),
        "FR": PostalCodeFormat(shapes: ["99999"], example: "75001"),
        "GB": PostalCodeFormat(shapes: ["A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA"], example: "SW1A 1AA"),
        "IN": PostalCodeFormat(shapes: ["999999"], example: "110001"),
        "IT": PostalCodeFormat(shapes: ["99999"], example: "00184"),
        "JP": PostalCodeFormat(shapes: ["999-9999", "9999999"], example: "100-0001"),
        "KR": PostalCodeFormat(shapes: ["99999"], example: "03187"),
        "MX": PostalCodeFormat(shapes: ["99999"], example: "06000"),
        "NL": PostalCodeFormat(shapes: ["9999 AA"], example: "1012 AB"),
        "NO": PostalCodeFormat(shapes: ["9999"], example: "0150"),
        "NZ": PostalCodeFormat(shapes: ["9999"], example: "6011"),
        "PE": PostalCodeFormat(shapes: ["99999"], example: "15001"),
        "PL": PostalCodeFormat(shapes: ["99-999"], example: "00-950"),
        "PT": PostalCodeFormat(shapes: ["9999-999"], example: "1000-001"),
        "SE": PostalCodeFormat(shapes: ["999 99"], example: "111 22"),
        "US": PostalCodeFormat(shapes: ["99999", "99999-9999"], example: "10001"),
        "UY": PostalCodeFormat(shapes: ["99999"], example: "11000"),
    ]

    /// Returns `code` as the country writes it, with upper-case letters and the shape's
    /// space, such as "M5V 2T6" for "m5v2t6". Returns nil when it has none of the shapes.
    func normalized(_ code: String) -> String? {
        let scalars = Array(code.unicodeScalars)
        for shape in shapes {
            if let written = Self.write(scalars, as: Array(shape.unicodeScalars)) {
                return written
            }
        }
        return nil
    }

    private static func write(_ code: [Unicode.Scalar], as shape: [Unicode.Scalar]) -> String? {
        var written = String.UnicodeScalarView()
        var position = 0
        for symbol in shape {
            if symbol == " " {
                // A space the shopper may leave out; the written code has it.
                if position < code.count && code[position] == " " {
                    position += 1
                }
                written.append(" ")
                continue
            }
            guard position < code.count else { return nil }
            let character = code[position]
            switch symbol {
            case "9":
                guard character.properties.numericType == .decimal, character.isASCII else { return nil }
                written.append(character)
            case "A":
                guard character.isASCII, character.properties.isAlphabetic else { return nil }
                written.append(contentsOf: character.properties.uppercaseMapping.unicodeScalars)
            default:
                guard character == symbol else { return nil }
                written.append(character)
            }
            position += 1
        }
        return position == code.count ? String(written) : nil
    }

    /// Returns whether `code` consists of letters, digits, spaces and hyphens, with at
    /// least one letter or digit: what every country's postal codes are made of.
    static func hasPostalCodeCharacters(_ code: String) -> Bool {
        var hasAlphanumeric = false
        for scalar in code.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal {
                hasAlphanumeric = true
            } else if scalar != " " && scalar != "-" {
                return false
            }
        }
        return hasAlphanumeric
    }
}
