import Testing
@testable import Commerce

private let nbsp = "\u{00A0}"

private func money(_ minorUnits: Int64, _ code: String) -> Money {
    Money(minorUnits: minorUnits, currency: Currency.named(code)!)
}

@Suite struct CurrencyTableTests {
    @Test func tableHasCommonCurrencies() {
        #expect(Currency.all.count >= 30)
        let expectedMinorUnits = [
            "USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CLP": 0, "KRW": 0, "BHD": 3, "KWD": 3,
            "CAD": 2, "AUD": 2, "MXN": 2, "BRL": 2, "ARS": 2, "COP": 2, "PEN": 2, "CHF": 2,
            "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "INR": 2, "CNY": 2,
        ]
        for (code, minorUnits) in expectedMinorUnits {
            #expect(Currency.named(code)?.minorUnits == minorUnits, "\(code)")
        }
    }

    @Test func codesAreUniqueAndUpperCase() {
        let codes = Currency.all.map(\.code)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(code.count == 3, "\(code)")
            #expect(code == code.uppercased(), "\(code)")
        }
    }

    @Test func lookupIgnoresCaseAndRejectsUnknown() {
        #expect(Currency.named("usd") == Currency.usd)
        #expect(Currency.named("XXX") == nil)
        #expect(Currency.named("") == nil)
    }
}

@Suite struct MoneyFormattingTests {
    @Test(arguments: [
        (1999, "USD", "$19.99"),
        (5, "USD", "$0.05"),
        (0, "USD", "$0.00"),
        (123456789, "USD", "$1,234,567.89"),
        (1999, "JPY", "¥1,999"),
        (15000, "CLP", "$15.000"),
        (123450, "EUR", "1.234,50\(nbsp)€"),
        (1999, "GBP", "£19.99"),
        (1234567, "BHD", "BD\(nbsp)1,234.567"),
        (123450, "CHF", "CHF\(nbsp)1’234.50"),
        (123450, "SEK", "1\(nbsp)234,50\(nbsp)kr"),
        (12345650, "INR", "₹1,23,456.50"),
        (1234567890, "INR", "₹1,23,45,678.90"),
        (123450, "BRL", "R$\(nbsp)1.234,50"),
        (100, "KRW", "₩100"),
        (-500, "USD", "-$5.00"),
        (-123450, "EUR", "-1.234,50\(nbsp)€"),
    ] as [(Int64, String, String)])
    func symbolStyle(minorUnits: Int64, code: String, expected: String) {
        #expect(money(minorUnits, code).formatted() == expected)
    }

    @Test func codeStyle() {
        #expect(money(1999, "USD").formatted(.code) == "USD\(nbsp)19.99")
        #expect(money(123450, "EUR").formatted(.code) == "EUR\(nbsp)1.234,50")
        #expect(money(-1999, "JPY").formatted(.code) == "-JPY\(nbsp)1,999")
    }

    @Test func plainStyleHasNoGrouping() {
        #expect(money(123450, "USD").formatted(.plain) == "1234.50")
        #expect(money(123450, "EUR").formatted(.plain) == "1234,50")
        #expect(money(15000, "CLP").formatted(.plain) == "15000")
        #expect(money(1234, "BHD").formatted(.plain) == "1.234")
    }

    @Test func extremeAmountsDoNotOverflow() {
        #expect(money(.min, "USD").formatted() == "-$92,233,720,368,547,758.08")
        #expect(money(.max, "JPY").formatted() == "¥9,223,372,036,854,775,807")
    }

    /// Every currency in every style, for amounts of every digit count, against a plain
    /// string-building version of the same rules.
    @Test func everyCurrencyMatchesTheReferenceFormatting() {
        var amounts: [Int64] = [0, 1, -1, .max, .min]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            amounts += [power - 1, power, power + 7, -(power - 1), -power]
        }
        for currency in Currency.all {
            for amount in amounts {
                let value = Money(minorUnits: amount, currency: currency)
                for style in [Money.FormatStyle.symbol, .code, .plain] {
                    #expect(value.formatted(style) == referenceFormatting(value, style), "\(currency.code) \(amount) \(style)")
                }
            }
        }
    }

    private func referenceFormatting(_ value: Money, _ style: Money.FormatStyle) -> String {
        let currency = value.currency
        let magnitude = value.minorUnits.magnitude
        let scale = UInt64(currency.scale)
        var whole = String(magnitude / scale)
        if style != .plain {
            var groups: [String] = []
            var size = 3
            while whole.count > size {
                groups.insert(String(whole.suffix(size)), at: 0)
                whole = String(whole.dropLast(size))
                if currency.groupingStyle == .indian {
                    size = 2
                }
            }
            groups.insert(whole, at: 0)
            whole = groups.joined(separator: currency.groupingSeparator)
        }
        var number = whole
        if currency.minorUnits > 0 {
            let fraction = String(magnitude % scale)
            number += currency.decimalSeparator + String(repeating: "0", count: currency.minorUnits - fraction.count) + fraction
        }
        let sign = value.minorUnits < 0 ? "-" : ""
        switch style {
        case .plain:
            return sign + number
        case .code:
            return sign + currency.code + nbsp + number
        case .symbol:
            if currency.symbolPosition == .after {
                return sign + number + nbsp + currency.symbol
            }
            return sign + currency.symbol + (currency.spaceAfterSymbol ? nbsp : "") + number
        }
    }
}

@Suite struct MoneyParsingTests {
    @Test(arguments: [
        ("19.99", "USD", 1999),
        ("19,99", "USD", 1999),
        ("1,234.50", "USD", 123450),
        ("1999", "USD", 199900),
        ("1,234", "USD", 123400),
        ("1,234,567", "USD", 123456700),
        ("  $19.99 ", "USD", 1999),
        ("19.99 USD", "USD", 1999),
        ("usd 19.9", "USD", 1990),
        (".5", "USD", 50),
        ("0", "USD", 0),
        ("-5", "USD", -500),
        ("-$5", "USD", -500),
        ("$-5", "USD", -500),
        ("1.234,50", "EUR", 123450),
        ("1 234,50", "EUR", 123450),
        ("1\u{00A0}234,50 €", "EUR", 123450),
        ("19,99", "EUR", 1999),
        ("1.234", "EUR", 123400),
        ("1999", "JPY", 1999),
        ("1,999", "JPY", 1999),
        ("¥1,999", "JPY", 1999),
        ("15.000", "CLP", 15000),
        ("$15.000", "CLP", 15000),
        ("1.234", "BHD", 1234),
        ("1,234.567", "BHD", 1234567),
        ("1’234.50", "CHF", 123450),
        ("1'234.50", "CHF", 123450),
        ("1,23,456.50", "INR", 12345650),
        ("123,456.50", "INR", 12345650),
        ("999999999999999999", "JPY", 999_999_999_999_999_999),
    ] as [(String, String, Int64)])
    func acceptedInput(text: String, code: String, expected: Int64) throws {
        let currency = Currency.named(code)!
        #expect(try Money.parse(text, currency: currency) == Money(minorUnits: expected, currency: currency))
    }

    @Test(arguments: [
        ("", "USD", MoneyParseError.Reason.empty),
        ("   ", "USD", .empty),
        ("$", "USD", .empty),
        ("abc", "USD", .invalidCharacter("a")),
        ("19.99€", "USD", .invalidCharacter("€")),
        ("1e5", "USD", .invalidCharacter("e")),
        ("--5", "USD", .invalidCharacter("-")),
        ("-$-5", "USD", .invalidCharacter("-")),
        ("19.999", "USD", .tooManyDecimalPlaces(allowed: 2)),
        ("1.234", "USD", .tooManyDecimalPlaces(allowed: 2)),
        ("1,234", "EUR", .tooManyDecimalPlaces(allowed: 2)),
        ("19.99", "JPY", .tooManyDecimalPlaces(allowed: 0)),
        ("15,000", "CLP", .tooManyDecimalPlaces(allowed: 0)),
        ("1.2345", "BHD", .tooManyDecimalPlaces(allowed: 3)),
        ("12.", "USD", .misplacedSeparator),
        (",", "USD", .misplacedSeparator),
        ("1,2,3", "USD", .misplacedSeparator),
        ("12,34,567", "USD", .misplacedSeparator),
        (",123", "USD", .misplacedSeparator),
        ("1.234 567,00", "EUR", .misplacedSeparator),
        ("1,234.5.6", "USD", .misplacedSeparator),
        ("1.234,5.6", "USD", .misplacedSeparator),
        ("1234,567.00", "USD", .misplacedSeparator),
        ("9999999999999999999", "JPY", .tooLarge),
        ("100000000000000000", "USD", .tooLarge),
    ] as [(String, String, MoneyParseError.Reason)])
    func rejectedInput(text: String, code: String, reason: MoneyParseError.Reason) {
        let currency = Currency.named(code)!
        #expect(throws: MoneyParseError(input: text, currencyCode: code, reason: reason)) {
            try Money.parse(text, currency: currency)
        }
    }

    @Test func errorMessagesNameInputAndFix() {
        let tooPrecise = MoneyParseError(input: "19.999", currencyCode: "USD", reason: .tooManyDecimalPlaces(allowed: 2))
        #expect(tooPrecise.description == "“19.999” has too many digits after the decimal separator: USD amounts have at most 2; enter an amount such as 1234.50.")

        let wholeOnly = MoneyParseError(input: "19.99", currencyCode: "JPY", reason: .tooManyDecimalPlaces(allowed: 0))
        #expect(wholeOnly.description == "“19.99” has decimals, but JPY amounts are whole numbers; enter a whole number such as 1234.")

        let euroEmpty = MoneyParseError(input: "", currencyCode: "EUR", reason: .empty)
        #expect(euroEmpty.description == "The amount is empty; enter a number such as 1234,50.")
    }

    @Test func formattedAmountsParseBackInEveryCurrency() throws {
        let amounts: [Int64] = [0, 1, 7, 99, 100, 1234, 99_999, 1_234_567, 987_654_321_012, -1_234_567]
        for currency in Currency.all {
            for amount in amounts {
                for style in [Money.FormatStyle.plain, .symbol, .code] {
                    let original = Money(minorUnits: amount, currency: currency)
                    let text = original.formatted(style)
                    #expect(try Money.parse(text, currency: currency) == original, "\(currency.code) \(style) \(text)")
                }
            }
        }
    }
}
