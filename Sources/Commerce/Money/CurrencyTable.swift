// The supported currencies. Minor units are those of ISO 4217 (the list maintained by SIX),
// even where everyday prices use fewer (COP and IDR have 2). Symbol placement and separators
// follow the currency's main locale: Chile writes "$15.000", Germany "1.234,50 €", Switzerland
// "CHF 1’234.50", India "₹1,23,456.50".

extension Currency {
    static let table: [Currency] = [
        // Dollars and pesos written with "$".
        Currency(code: "USD", name: "US Dollar", minorUnits: 2, symbol: "$"),
        Currency(code: "CAD", name: "Canadian Dollar", minorUnits: 2, symbol: "$"),
        Currency(code: "AUD", name: "Australian Dollar", minorUnits: 2, symbol: "$"),
        Currency(code: "NZD", name: "New Zealand Dollar", minorUnits: 2, symbol: "$"),
        Currency(code: "SGD", name: "Singapore Dollar", minorUnits: 2, symbol: "$"),
        Currency(code: "HKD", name: "Hong Kong Dollar", minorUnits: 2, symbol: "HK$"),
        Currency(code: "TWD", name: "New Taiwan Dollar", minorUnits: 2, symbol: "NT$"),
        Currency(code: "MXN", name: "Mexican Peso", minorUnits: 2, symbol: "$"),
        Currency(code: "CLP", name: "Chilean Peso", minorUnits: 0, symbol: "$",
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "ARS", name: "Argentine Peso", minorUnits: 2, symbol: "$", spaceAfterSymbol: true,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "COP", name: "Colombian Peso", minorUnits: 2, symbol: "$", spaceAfterSymbol: true,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "UYU", name: "Peso Uruguayo", minorUnits: 2, symbol: "$", spaceAfterSymbol: true,
                 groupingSeparator: ".", decimalSeparator: ","),

        // Other Americas.
        Currency(code: "BRL", name: "Brazilian Real", minorUnits: 2, symbol: "R$", spaceAfterSymbol: true,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "PEN", name: "Sol", minorUnits: 2, symbol: "S/", spaceAfterSymbol: true),
        Currency(code: "CRC", name: "Costa Rican Colon", minorUnits: 2, symbol: "₡",
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),

        // Europe.
        Currency(code: "EUR", name: "Euro", minorUnits: 2, symbol: "€", symbolPosition: .after,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "GBP", name: "Pound Sterling", minorUnits: 2, symbol: "£"),
        Currency(code: "CHF", name: "Swiss Franc", minorUnits: 2, symbol: "CHF", spaceAfterSymbol: true,
                 groupingSeparator: "’", decimalSeparator: "."),
        Currency(code: "SEK", name: "Swedish Krona", minorUnits: 2, symbol: "kr", symbolPosition: .after,
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "NOK", name: "Norwegian Krone", minorUnits: 2, symbol: "kr", symbolPosition: .after,
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "DKK", name: "Danish Krone", minorUnits: 2, symbol: "kr.", symbolPosition: .after,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "ISK", name: "Iceland Krona", minorUnits: 0, symbol: "kr", symbolPosition: .after,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "PLN", name: "Zloty", minorUnits: 2, symbol: "zł", symbolPosition: .after,
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "CZK", name: "Czech Koruna", minorUnits: 2, symbol: "Kč", symbolPosition: .after,
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "HUF", name: "Forint", minorUnits: 2, symbol: "Ft", symbolPosition: .after,
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "RON", name: "Romanian Leu", minorUnits: 2, symbol: "lei", symbolPosition: .after,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "UAH", name: "Hryvnia", minorUnits: 2, symbol: "₴", symbolPosition: .after,
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "TRY", name: "Turkish Lira", minorUnits: 2, symbol: "₺",
                 groupingSeparator: ".", decimalSeparator: ","),

        // Asia and Oceania.
        Currency(code: "JPY", name: "Yen", minorUnits: 0, symbol: "¥"),
        Currency(code: "CNY", name: "Yuan Renminbi", minorUnits: 2, symbol: "¥"),
        Currency(code: "KRW", name: "Won", minorUnits: 0, symbol: "₩"),
        Currency(code: "INR", name: "Indian Rupee", minorUnits: 2, symbol: "₹", groupingStyle: .indian),
        Currency(code: "THB", name: "Baht", minorUnits: 2, symbol: "฿"),
        Currency(code: "IDR", name: "Rupiah", minorUnits: 2, symbol: "Rp", spaceAfterSymbol: true,
                 groupingSeparator: ".", decimalSeparator: ","),
        Currency(code: "MYR", name: "Malaysian Ringgit", minorUnits: 2, symbol: "RM"),
        Currency(code: "PHP", name: "Philippine Peso", minorUnits: 2, symbol: "₱"),
        Currency(code: "VND", name: "Dong", minorUnits: 0, symbol: "₫", symbolPosition: .after,
                 groupingSeparator: ".", decimalSeparator: ","),

        // Middle East and Africa. The dinars of Bahrain, Kuwait, Oman, Jordan and Tunisia
        // have 1000 fils or millimes, hence 3 minor units.
        Currency(code: "BHD", name: "Bahraini Dinar", minorUnits: 3, symbol: "BD", spaceAfterSymbol: true),
        Currency(code: "KWD", name: "Kuwaiti Dinar", minorUnits: 3, symbol: "KD", spaceAfterSymbol: true),
        Currency(code: "OMR", name: "Rial Omani", minorUnits: 3, symbol: "OMR", spaceAfterSymbol: true),
        Currency(code: "JOD", name: "Jordanian Dinar", minorUnits: 3, symbol: "JD", spaceAfterSymbol: true),
        Currency(code: "TND", name: "Tunisian Dinar", minorUnits: 3, symbol: "DT", spaceAfterSymbol: true),
        Currency(code: "ILS", name: "New Israeli Sheqel", minorUnits: 2, symbol: "₪", symbolPosition: .after),
        Currency(code: "AED", name: "UAE Dirham", minorUnits: 2, symbol: "AED", spaceAfterSymbol: true),
        Currency(code: "SAR", name: "Saudi Riyal", minorUnits: 2, symbol: "SAR", spaceAfterSymbol: true),
        Currency(code: "EGP", name: "Egyptian Pound", minorUnits: 2, symbol: "E£"),
        Currency(code: "ZAR", name: "Rand", minorUnits: 2, symbol: "R",
                 groupingSeparator: noBreakSpace, decimalSeparator: ","),
        Currency(code: "NGN", name: "Naira", minorUnits: 2, symbol: "₦"),
        Currency(code: "KES", name: "Kenyan Shilling", minorUnits: 2, symbol: "KSh"),
    ]
}
