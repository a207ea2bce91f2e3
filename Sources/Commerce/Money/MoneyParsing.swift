/// A typed amount that could not be read: the input, the currency it was read for, and the reason.
public struct MoneyParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case invalidCharacter(Character)
        /// Separators in places no convention puts them: "1,2,3", "12.", "1.234 567".
        case misplacedSeparator
        case tooManyDecimalPlaces(allowed: Int)
        /// The amount has more than 18 digits in minor units, the most an `Int64` always holds.
        case tooLarge
    }

    public let input: String
    public let currencyCode: String
    public let reason: Reason

    public var description: String {
        let example = Self.example(for: currencyCode)
        switch reason {
        case .empty:
            return "The amount is empty; enter a number such as \(example)."
        case .invalidCharacter(let character):
            return "“\(input)” contains “\(character)”, which is not part of an amount; enter digits with an optional decimal separator, such as \(example)."
        case .misplacedSeparator:
            return "“\(input)” has a misplaced separator; enter the amount as \(example)."
        case .tooManyDecimalPlaces(let allowed) where allowed == 0:
            return "“\(input)” has decimals, but \(currencyCode) amounts are whole numbers; enter a whole number such as \(example)."
        case .tooManyDecimalPlaces(let allowed):
            return "“\(input)” has too many digits after the decimal separator: \(currencyCode) amounts have at most \(allowed); enter an amount such as \(example)."
        case .tooLarge:
            return "“\(input)” is too large to be an amount; enter a smaller number."
        }
    }

    private static func example(for code: String) -> String {
        guard let currency = Currency.named(code) else { return "1234.50" }
        return Money(minorUnits: 1234 * currency.scale + currency.scale / 2, currency: currency).formatted(.plain)
    }
}

extension Money {
    /// Reads an amount as a merchant types it: "19.99", "19,99", "1,234.50", "1.234,50",
    /// "1 234,50", "1999", "$19.99", "-5".
    ///
    /// Rules, in order:
    /// - Surrounding spaces, a leading minus sign, and the currency's symbol or code before or
    ///   after the number are ignored.
    /// - Spaces and apostrophes inside the number always group digits.
    /// - When both "." and "," occur, the last one is the decimal separator.
    /// - When only one of them occurs and it occurs more than once, it groups digits.
    /// - When it occurs once with exactly three digits after it, it groups digits if it is the
    ///   currency's grouping separator ("1,234" is 1234 USD but "1.234" is 1.234 BHD);
    ///   otherwise it is the decimal separator.
    /// - Grouped digits must come in groups of three (or the Indian 2-2-3 for INR), and no
    ///   more decimals than the currency's minor units are accepted: nothing is rounded.
    public static func parse(_ text: String, currency: Currency) throws(MoneyParseError) -> Money {
        func failure(_ reason: MoneyParseError.Reason) -> MoneyParseError {
            MoneyParseError(input: text, currencyCode: currency.code, reason: reason)
        }

        var body = Substring(text).trimmingSpaces()
        guard !body.isEmpty else { throw failure(.empty) }

        // The minus sign may come before or after the symbol: "-$5" and "$-5".
        var isNegative = body.removeLeadingMinusSign()
        body = body.removingAffix(currency.symbol).removingAffix(currency.code).trimmingSpaces()
        if body.removeLeadingMinusSign() {
            guard !isNegative else { throw failure(.invalidCharacter("-")) }
            isNegative = true
        }

        for character in body where !character.isASCIIDigit && !Self.separators.contains(character) {
            throw failure(.invalidCharacter(character))
        }
        guard body.contains(where: \.isASCIIDigit) else {
            throw failure(body.isEmpty ? .empty : .misplacedSeparator)
        }

        let (integerPart, fractionPart) = try split(body, currency: currency, failure: failure)
        let integerDigits = try ungroup(integerPart, currency: currency, failure: failure)
        guard fractionPart.allSatisfy(\.isASCIIDigit) else { throw failure(.misplacedSeparator) }
        guard fractionPart.count <= currency.minorUnits else {
            throw failure(.tooManyDecimalPlaces(allowed: currency.minorUnits))
        }

        let paddedFraction = fractionPart + String(repeating: "0", count: currency.minorUnits - fractionPart.count)
        let allDigits = (integerDigits + paddedFraction).drop { $0 == "0" }
        guard allDigits.count <= 18, let magnitude = Int64(allDigits.isEmpty ? "0" : String(allDigits)) else {
            throw failure(.tooLarge)
        }
        return Money(minorUnits: isNegative ? -magnitude : magnitude, currency: currency)
    }

    private static let separators: Set<Character> = [".", ",", " ", "\u{00A0}", "\u{202F}", "'", "’"]
    private static let spaceSeparators: Set<Character> = [" ", "\u{00A0}", "\u{202F}"]
    private static let apostropheSeparators: Set<Character> = ["'", "’"]

    /// Splits the number at its decimal separator, if it has one.
    private static func split(
        _ body: Substring,
        currency: Currency,
        failure: (MoneyParseError.Reason) -> MoneyParseError
    ) throws(MoneyParseError) -> (integer: Substring, fraction: Substring) {
        let lastDot = body.lastIndex(of: ".")
        let lastComma = body.lastIndex(of: ",")

        let decimalIndex: Substring.Index?
        switch (lastDot, lastComma) {
        case (nil, nil):
            decimalIndex = nil
        case let (dot?, comma?):
            decimalIndex = max(dot, comma)
        case let (only?, nil), let (nil, only?):
            let separator = body[only]
            let digitsAfter = body.distance(from: body.index(after: only), to: body.endIndex)
            let occurrences = body.filter { $0 == separator }.count
            if occurrences > 1 {
                decimalIndex = nil
            } else if digitsAfter == 3 && currency.groupingSeparator == String(separator) {
                decimalIndex = nil
            } else {
                decimalIndex = only
            }
        }

        guard let decimalIndex else { return (body, "") }
        let fraction = body[body.index(after: decimalIndex)...]
        guard !fraction.isEmpty else { throw failure(.misplacedSeparator) }
        return (body[..<decimalIndex], fraction)
    }

    /// Removes grouping separators after checking that they sit between groups of three
    /// digits (or Indian 2-2-3 groups for currencies written that way).
    private static func ungroup(
        _ integerPart: Substring,
        currency: Currency,
        failure: (MoneyParseError.Reason) -> MoneyParseError
    ) throws(MoneyParseError) -> String {
        guard integerPart.contains(where: { !$0.isASCIIDigit }) else {
            return String(integerPart)
        }

        // Every separator in the integer part must be of one kind: "1.234 567" is rejected.
        let separatorKinds = Set(integerPart.filter { !$0.isASCIIDigit }.map { character -> Character in
            if spaceSeparators.contains(character) { return " " }
            if apostropheSeparators.contains(character) { return "'" }
            return character
        })
        guard separatorKinds.count == 1 else { throw failure(.misplacedSeparator) }

        let groups = integerPart.split(omittingEmptySubsequences: false) { !$0.isASCIIDigit }
        let sizes = groups.map(\.count)
        guard let first = sizes.first, let last = sizes.last, first > 0, last == 3 else {
            throw failure(.misplacedSeparator)
        }

        let middle = sizes.dropFirst().dropLast()
        let thousands = first <= 3 && middle.allSatisfy { $0 == 3 }
        let indian = currency.groupingStyle == .indian && first <= 2 && middle.allSatisfy { $0 == 2 }
        guard thousands || indian else { throw failure(.misplacedSeparator) }

        return groups.joined()
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) })
        else { return self[endIndex...] }
        return self[start...end]
    }

    /// Drops `affix` (compared without letter case) from the start, or else from the end.
    fileprivate func removingAffix(_ affix: String) -> Substring {
        let lowered = affix.lowercased()
        if prefix(affix.count).lowercased() == lowered {
            return dropFirst(affix.count)
        }
        if suffix(affix.count).lowercased() == lowered {
            return dropLast(affix.count)
        }
        return self
    }

    /// Removes a leading minus sign (ASCII or U+2212) and the spaces after it, and returns
    /// whether there was one.
    fileprivate mutating func removeLeadingMinusSign() -> Bool {
        guard let first, first == "-" || first == "\u{2212}" else { return false }
        self = dropFirst().trimmingSpaces()
        return true
    }
}
