/// Reads the inside of one tag: words, names, literals, paths and comparisons.
///
/// Every error points at the column of the character that is wrong, not at the tag.
struct TagReader {
    let source: SourceText
    private(set) var position: Int
    let end: Int

    /// Words that cannot start a path, because the tag grammar gives them a meaning.
    static let reservedWords: Set<String> = [
        "true", "false", "null", "this", "loop", "t", "unescaped", "else", "as",
    ]

    init(source: SourceText, content: Range<Int>) {
        self.source = source
        self.position = content.lowerBound
        self.end = content.upperBound
    }

    private var bytes: [UInt8] { source.bytes }

    var isAtEnd: Bool { position >= end }

    var peek: UInt8? { position < end ? bytes[position] : nil }

    var location: SourceLocation { source.location(at: position) }

    func location(at offset: Int) -> SourceLocation { source.location(at: offset) }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The rest of the tag as written, for messages.
    var remainingText: String { text(position..<end) }

    mutating func advance(by count: Int = 1) {
        position += count
    }

    mutating func skipWhitespace() {
        while position < end && TagScanner.isWhitespace(bytes[position]) {
            position += 1
        }
    }

    /// Consumes `literal` and returns true when the next characters are `literal`.
    mutating func consume(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard position + utf8.count <= end, Array(bytes[position..<(position + utf8.count)]) == utf8 else {
            return false
        }
        position += utf8.count
        return true
    }

    // MARK: - Words and names

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isIdentifierContinuation(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte)
    }

    /// Reads `[A-Za-z_][A-Za-z0-9_]*`, or returns nil without moving.
    mutating func readIdentifier() -> String? {
        guard let first = peek, TagReader.isIdentifierStart(first) else { return nil }
        let start = position
        while let byte = peek, TagReader.isIdentifierContinuation(byte) {
            position += 1
        }
        return text(start..<position)
    }

    /// Returns whether the next word is `word` followed by whitespace or the end of the tag.
    func startsWithWord(_ word: String) -> Bool {
        var copy = self
        guard copy.readIdentifier() == word else { return false }
        return copy.isAtEnd || TagScanner.isWhitespace(copy.bytes[copy.position])
    }

    /// Reads a template name, quoted (`"layouts/store"`) or bare (`partials/card`).
    /// `what` names the tag for messages ("partial", "layout", "block").
    mutating func readTemplateName(what: String) throws(TemplateError) -> (name: String, location: SourceLocation) {
        let start = position
        let startLocation = location
        let name: String
        if peek == UInt8(ascii: "\"") {
            name = try readString()
        } else {
            while let byte = peek, TagReader.isNameCharacter(byte) {
                position += 1
            }
            name = text(start..<position)
        }

        guard !name.isEmpty else {
            throw TemplateError(startLocation, "missing \(what) name: write it after the tag keyword, for example \(TagReader.example(for: what))")
        }
        if what == "block" {
            return (name, startLocation)
        }
        if name.hasSuffix(".html") {
            throw TemplateError(startLocation, "\(what) name \"\(name)\" ends in .html; write names without the extension, as \"\(name.dropLast(5))\"")
        }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasPrefix("/") || segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw TemplateError(startLocation, "invalid \(what) name \"\(name)\": names are paths under the template root such as \"partials/product-card\", with no leading `/`, `.` or `..` parts")
        }
        return (name, startLocation)
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        isIdentifierContinuation(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".")
    }

    private static func example(for what: String) -> String {
        switch what {
        case "layout": return "{{#layout \"layouts/store\"}}"
        case "block": return "{{#block \"content\"}}"
        default: return "{{> partials/product-card product }}"
        }
    }

    // MARK: - Literals

    /// Reads a double-quoted string. `\"` and `\\` are the only escapes.
    mutating func readString() throws(TemplateError) -> String {
        let quoteLocation = location
        position += 1
        var result: [UInt8] = []
        while let byte = peek {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: result, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw TemplateError(location(at: position - 1), "unknown escape in string: only `\\\"` and `\\\\` are allowed")
                }
                result.append(escaped)
                position += 1
            default:
                result.append(byte)
            }
        }
        throw TemplateError(quoteLocation, "unclosed string: this `\"` has no closing `\"`")
    }

    /// Reads an integer or decimal number, with an optional leading `-`.
    mutating func readNumber() throws(TemplateError) -> TemplateValue {
        let start = position
        let startLocation = location
        if peek == UInt8(ascii: "-") {
            position += 1
        }
        while let byte = peek, TagReader.isDigit(byte) {
            position += 1
        }
        var isDecimal = false
        if peek == UInt8(ascii: "."), position + 1 < end, TagReader.isDigit(bytes[position + 1]) {
            isDecimal = true
            position += 1
            while let byte = peek, TagReader.isDigit(byte) {
                position += 1
            }
        }
        let literal = text(start..<position)
        if isDecimal, let value = Double(literal) {
            return .double(value)
        }
        if !isDecimal, let value = Int(literal) {
            return .int(value)
        }
        throw TemplateError(startLocation, "invalid number `\(literal)`: write digits, optionally with `-` and a decimal part, within the range of a 64-bit integer")
    }

    // MARK: - Expressions

    /// Reads `operand`, or `operand op operand` with one comparison operator.
    mutating func readExpression() throws(TemplateError) -> Expression {
        let left = try readOperand()
        skipWhitespace()
        guard let comparison = readComparisonOperator() else { return left }
        skipWhitespace()
        guard !isAtEnd else {
            throw TemplateError(location, "missing value after `\(comparison.rawValue)`")
        }
        let right = try readOperand()
        return .comparison(left, comparison, right)
    }

    private mutating func readComparisonOperator() -> ComparisonOperator? {
        for candidate: ComparisonOperator in [.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] {
            if consume(candidate.rawValue) {
                return candidate
            }
        }
        return nil
    }

    /// Reads a literal or a path.
    mutating func readOperand() throws(TemplateError) -> Expression {
        guard let byte = peek else {
            throw TemplateError(location, "missing value: expected a path such as `product.name` or a literal")
        }
        if byte == UInt8(ascii: "\"") {
            return .literal(.string(try readString()))
        }
        if TagReader.isDigit(byte) || byte == UInt8(ascii: "-") {
            return .literal(try readNumber())
        }
        if TagReader.isIdentifierStart(byte) {
            return try readPath()
        }
        throw TemplateError(location, "unexpected `\(TagReader.describe(byte))`: expected a path such as `product.name`, a quoted string or a number")
    }

    /// Reads `name(.member)*`, where a member is a name or array position digits.
    mutating func readPath() throws(TemplateError) -> Expression {
        let start = position
        let startLocation = location
        guard let head = readIdentifier() else {
            throw TemplateError(startLocation, "invalid path: a path starts with a letter or `_`")
        }

        var members: [PathMember] = []
        var memberNames: [String] = []
        while peek == UInt8(ascii: ".") {
            position += 1
            if let name = readIdentifier() {
                members.append(.key(name))
                memberNames.append(name)
                continue
            }
            if let byte = peek, TagReader.isDigit(byte) {
                let digitsStart = position
                while let digit = peek, TagReader.isDigit(digit) {
                    position += 1
                }
                guard let index = Int(text(digitsStart..<position)) else {
                    throw TemplateError(location(at: digitsStart), "invalid path `\(text(start..<position))`: the array position is too large")
                }
                members.append(.index(index))
                memberNames.append(String(index))
                continue
            }
            throw TemplateError(location, "invalid path `\(text(start..<position))`: expected a name or array position after `.`")
        }
        if let byte = peek, !TagScanner.isWhitespace(byte), !TagReader.isOperatorStart(byte) {
            throw TemplateError(location, "invalid path `\(text(start..<position))\(TagReader.describe(byte))`: `\(TagReader.describe(byte))` cannot appear in a path; names use letters, digits and `_`")
        }

        switch head {
        case "true" where members.isEmpty: return .literal(.bool(true))
        case "false" where members.isEmpty: return .literal(.bool(false))
        case "null" where members.isEmpty: return .literal(.null)
        case "this": return .context(members: members)
        case "loop": return try loopProperty(memberNames, startLocation: startLocation, source: text(start..<position))
        case "true", "false", "null", "t", "unescaped", "else", "as":
            throw TemplateError(startLocation, "invalid path `\(text(start..<position))`: `\(head)` is a reserved word and cannot start a path")
        default: return .variable(name: head, members: members)
        }
    }

    private func loopProperty(_ names: [String], startLocation: SourceLocation, source: String) throws(TemplateError) -> Expression {
        var parentSteps = 0
        while parentSteps < names.count && names[parentSteps] == "parent" {
            parentSteps += 1
        }
        let known = LoopProperty.allCases.map { "loop.\($0.rawValue)" }.joined(separator: ", ")
        guard parentSteps == names.count - 1, let property = LoopProperty(rawValue: names[parentSteps]) else {
            throw TemplateError(startLocation, "invalid path `\(source)`: `loop` has only \(known) and `loop.parent` for the enclosing loop")
        }
        return .loopProperty(parentSteps: parentSteps, property)
    }

    private static func isOperatorStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "=") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
    }

    static func describe(_ byte: UInt8) -> String {
        byte < 0x80 ? String(UnicodeScalar(byte)) : "non-ASCII character"
    }

    // MARK: - Named arguments

    /// Returns whether the next characters are `name=` (not `name==`).
    func atNamedArgument() -> Bool {
        var copy = self
        guard copy.readIdentifier() != nil, copy.peek == UInt8(ascii: "=") else { return false }
        copy.position += 1
        return copy.peek != UInt8(ascii: "=")
    }

    /// Reads `name=value name=value …` up to the end of the tag.
    mutating func readNamedArguments() throws(TemplateError) -> [NamedArgument] {
        var arguments: [NamedArgument] = []
        skipWhitespace()
        while !isAtEnd {
            let argumentLocation = location
            guard atNamedArgument(), let name = readIdentifier() else {
                throw TemplateError(argumentLocation, "unexpected `\(remainingText)`: expected arguments written as `name=value`")
            }
            if TagReader.reservedWords.contains(name) {
                throw TemplateError(argumentLocation, "`\(name)` is a reserved word and cannot name an argument")
            }
            if arguments.contains(where: { $0.name == name }) {
                throw TemplateError(argumentLocation, "argument `\(name)` is given twice")
            }
            position += 1
            arguments.append(NamedArgument(name: name, value: try readOperand()))
            skipWhitespace()
        }
        return arguments
    }

    /// Throws unless only whitespace is left in the tag.
    mutating func expectEnd(after what: String) throws(TemplateError) {
        skipWhitespace()
        guard isAtEnd else {
            throw TemplateError(location, "unexpected `\(remainingText)` after \(what)")
        }
    }
}

extension TagReader {
    /// Returns whether the tag starts with `#word`.
    func startsWithHashWord(_ word: String) -> Bool {
        var copy = self
        guard copy.consume("#") else { return false }
        return copy.readIdentifier() == word
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !TagScanner.isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !TagScanner.isWhitespace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
