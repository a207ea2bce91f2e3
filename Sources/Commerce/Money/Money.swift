/// An amount of money: an integer count of the currency's minor units (cents for USD, yen
/// for JPY, fils for BHD), so sums and comparisons are exact.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public enum FormatStyle: Sendable {
        /// The currency's symbol, grouping and separators: "$19.99", "19,99 €", "¥1,999".
        case symbol
        /// The ISO code before the number: "USD 19.99", "EUR 19,99".
        case code
        /// The number alone, without grouping: "1234.50", "1234,50". `Money.parse` reads it
        /// back, which makes it the value to put in a form field.
        case plain
    }

    /// Formats the amount with the currency's own convention (see `Currency`). Spaces in the
    /// result are no-break spaces (U+00A0) so an amount never wraps across lines. A negative
    /// amount puts its minus sign first: "-$5.00".
    public func formatted(_ style: FormatStyle = .symbol) -> String {
        let sign = minorUnits < 0 ? "-" : ""
        let number = formattedNumber(grouped: style != .plain)

        switch style {
        case .plain:
            return sign + number
        case .code:
            return sign + currency.code + noBreakSpace + number
        case .symbol:
            switch currency.symbolPosition {
            case .before:
                let gap = currency.spaceAfterSymbol ? noBreakSpace : ""
                return sign + currency.symbol + gap + number
            case .after:
                return sign + number + noBreakSpace + currency.symbol
            }
        }
    }

    public var description: String { formatted(.code) }

    private func formattedNumber(grouped: Bool) -> String {
        // `magnitude` is a UInt64, so Int64.min does not overflow here.
        let magnitude = minorUnits.magnitude
        let scale = UInt64(currency.scale)
        let major = String(magnitude / scale)
        var result = grouped ? group(major) : major

        if currency.minorUnits > 0 {
            let minor = String(magnitude % scale)
            let padding = String(repeating: "0", count: currency.minorUnits - minor.count)
            result += currency.decimalSeparator + padding + minor
        }
        return result
    }

    /// Inserts the grouping separator into a run of digits.
    private func group(_ digits: String) -> String {
        var groups: [Substring] = []
        var end = digits.endIndex
        var groupSize = 3

        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -groupSize, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.append(digits[start..<end])
            end = start
            if currency.groupingStyle == .indian {
                groupSize = 2
            }
        }
        return groups.reversed().joined(separator: currency.groupingSeparator)
    }
}

let noBreakSpace = "\u{00A0}"
