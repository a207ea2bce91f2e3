/// An ISO 4217 currency with the conventions used to show its amounts.
///
/// Each currency carries one display convention, the one of the locale where it is most
/// used (CLDR data for that locale): its symbol, where the symbol goes, and the grouping and
/// decimal separators. A store has exactly one currency, so a plain "$" reads correctly to
/// that store's shoppers. Use `Money.formatted(.code)` where several currencies could meet.
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    public enum SymbolPosition: Sendable, Hashable {
        /// "$19.99", or "CHF 19.90" when `spaceAfterSymbol` is set.
        case before
        /// "19,99 €" (always with a no-break space between amount and symbol).
        case after
    }

    public enum GroupingStyle: Sendable, Hashable {
        /// Groups of three: 1,234,567.
        case thousands
        /// The Indian system: the last group has three digits, earlier groups two (12,34,567).
        case indian
    }

    /// Three upper-case letters, such as "USD".
    public let code: String
    public let name: String
    /// Digits after the decimal separator, which is also the power of ten between a major
    /// and a minor unit (2 for USD cents, 0 for JPY, 3 for BHD fils).
    public let minorUnits: Int
    public let symbol: String
    public let symbolPosition: SymbolPosition
    public let spaceAfterSymbol: Bool
    public let groupingSeparator: String
    public let decimalSeparator: String
    public let groupingStyle: GroupingStyle

    public init(
        code: String,
        name: String,
        minorUnits: Int,
        symbol: String,
        symbolPosition: SymbolPosition = .before,
        spaceAfterSymbol: Bool = false,
        groupingSeparator: String = ",",
        decimalSeparator: String = ".",
        groupingStyle: GroupingStyle = .thousands
    ) {
        precondition((0...4).contains(minorUnits), "ISO 4217 minor units are 0 to 4")
        self.code = code
        self.name = name
        self.minorUnits = minorUnits
        self.symbol = symbol
        self.symbolPosition = symbolPosition
        self.spaceAfterSymbol = spaceAfterSymbol
        self.groupingSeparator = groupingSeparator
        self.decimalSeparator = decimalSeparator
        self.groupingStyle = groupingStyle
    }

    /// Minor units in one major unit: 100 for USD, 1 for JPY, 1000 for BHD.
    public var scale: Int64 {
        var result: Int64 = 1
        for _ in 0..<minorUnits {
            result *= 10
        }
        return result
    }

    public var description: String { code }

    /// Returns the currency with ISO 4217 code `code` (any letter case), or nil when the
    /// table does not contain it.
    public static func named(_ code: String) -> Currency? {
        byCode[code.uppercased()]
    }

    /// Every currency the platform supports, sorted by code.
    public static let all: [Currency] = table.sorted { $0.code < $1.code }

    private static let byCode: [String: Currency] = Dictionary(
        uniqueKeysWithValues: table.map { ($0.code, $0) }
    )

    public static let usd = named("USD")!
    public static let eur = named("EUR")!
}
