/// A problem in a template, found while loading or while rendering.
///
/// `file` is the template's path under the library root, `.html` included
/// (`store/home.html`), so that the description reads like a compiler diagnostic.
/// `line` and `column` count from 1; both are 0 when the problem has no position in a
/// file, such as a template name that does not exist.
public struct TemplateError: Error, CustomStringConvertible, Sendable, Hashable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ location: SourceLocation, _ message: String) {
        self.init(file: location.file, line: location.line, column: location.column, message: message)
    }

    /// `file:line:column: message`, or `file: message` without a position.
    public var description: String {
        if line > 0 {
            return "\(file):\(line):\(column): \(message)"
        }
        return "\(file): \(message)"
    }
}

/// A position in a template file. `column` counts Unicode scalars, not bytes, so it
/// matches what an editor shows for non-ASCII text.
struct SourceLocation: Sendable, Equatable, Comparable {
    let file: String
    let line: Int
    let column: Int

    static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

extension TemplateError: Comparable {
    /// Orders errors by file, then position, so that "the first error" is stable.
    public static func < (lhs: TemplateError, rhs: TemplateError) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.message) < (rhs.file, rhs.line, rhs.column, rhs.message)
    }
}
