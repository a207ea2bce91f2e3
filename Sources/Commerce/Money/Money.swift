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
    ///
    /// Product lists format two prices per product, so the text is put together in a
    /// buffer on the stack and becomes a string in one step. Results of up to 15 bytes
    /// allocate nothing, because Swift keeps those inside the string value.
    public func formatted(_ style: FormatStyle = .symbol) -> String {
        let prefix: (String, String)
        let suffix: (String, String)
        switch style {
        case .plain:
            prefix = ("", "")
            suffix = ("", "")
        case .code:
            prefix = (currency.code, noBreakSpace)
            suffix = ("", "")
        case .symbol:
            switch currency.symbolPosition {
            case .before:
                prefix = (currency.symbol, currency.spaceAfterSymbol ? noBreakSpace : "")
                suffix = ("", "")
            case .after:
                prefix = ("", "")
                suffix = (noBreakSpace, currency.symbol)
            }
        }
        let groupSeparator = style == .plain ? "" : currency.groupingSeparator
        let decimalSeparator = currency.minorUnits > 0 ? currency.decimalSeparator : ""
        // At most 20 digits, 9 separators between them (Indian grouping) and the other
        // parts at their own length.
        let capacity = 21 + prefix.0.utf8.count + prefix.1.utf8.count + 9 * groupSeparator.utf8.count
            + decimalSeparator.utf8.count + suffix.0.utf8.count + suffix.1.utf8.count

        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let start = buffer.baseAddress!
            var end = start
            if minorUnits < 0 {
                end.initialize(to: UInt8(ascii: "-"))
                end += 1
            }
            end = Money.copy(prefix.0, to: end)
            end = Money.copy(prefix.1, to: end)
            end = writeNumber(to: end, groupSeparator: groupSeparator, decimalSeparator: decimalSeparator)
            end = Money.copy(suffix.0, to: end)
            end = Money.copy(suffix.1, to: end)
            return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
    }

    /// Writes the amount's magnitude at `destination`, grouped with `groupSeparator`
    /// unless it is empty, and returns where the written bytes end.
    private func writeNumber(to destination: UnsafeMutablePointer<UInt8>, groupSeparator: String, decimalSeparator: String) -> UnsafeMutablePointer<UInt8> {
        // `magnitude` is a UInt64, so Int64.min does not overflow here.
        let magnitude = minorUnits.magnitude
        let scale = UInt64(currency.scale)
        var whole = magnitude / scale
        let separator = groupSeparator.utf8.count

        // The whole part from its last digit back into a scratch area at the end of the
        // number's room, then moved to `destination`.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { scratch in
            let scratchEnd = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + scratch.count
            var cursor = scratchEnd
            var inGroup = 0
            var groupSize = 3
            repeat {
                if inGroup == groupSize && separator > 0 {
                    cursor -= separator
                    _ = Money.copy(groupSeparator, to: cursor)
                    inGroup = 0
                    if currency.groupingStyle == .indian {
                        groupSize = 2
                    }
                }
                cursor -= 1
                cursor.initialize(to: UInt8(ascii: "0") + UInt8(whole % 10))
                whole /= 10
                inGroup += 1
            } while whole > 0

            let wholeLength = scratchEnd - cursor
            destination.initialize(from: cursor, count: wholeLength)
            var end = destination + wholeLength
            guard currency.minorUnits > 0 else { return end }

            end = Money.copy(decimalSeparator, to: end)
            var fraction = magnitude % scale
            var digit = end + currency.minorUnits
            while digit > end {
                digit -= 1
                digit.initialize(to: UInt8(ascii: "0") + UInt8(fraction % 10))
                fraction /= 10
            }
            return end + currency.minorUnits
        }
    }

    /// Copies the UTF-8 bytes of `text` to `destination` and returns where they end.
    @inline(__always)
    private static func copy(_ text: String, to destination: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            if let source = bytes.baseAddress {
                destination.initialize(from: source, count: bytes.count)
            }
            return bytes.count
        }
        if let copied {
            return destination + copied
        }
        var end = destination
        for byte in text.utf8 {
            end.initialize(to: byte)
            end += 1
        }
        return end
    }

    public var description: String { formatted(.code) }
}

let noBreakSpace = "\u{00A0}"
