import Synchronization

/// All templates under one folder, parsed once and rendered many times.
///
/// Names are paths under the root without `.html`: `store/home` is `ROOT/store/home.html`.
///
/// Thread safety: the class is `Sendable` without `@unchecked`. In production mode it
/// holds one immutable `TemplateSet`, so concurrent renders share the compiled programs
/// and take no lock. Each render writes only to its own buffer, apart from a size hint
/// that is a relaxed atomic. In reload mode a `Mutex` guards the current set while a render checks the files;
/// a change builds a new set, and renders already running keep the one they started with.
public final class TemplateLibrary: Sendable {
    /// The folder the templates were loaded from, without a trailing `/`.
    public let root: String
    public let reloadOnChange: Bool
    private let fixedSet: TemplateSet?
    private let reloader: Reloader?

    /// Loads and parses every `*.html` file under `root`, then checks partial and layout
    /// references across files.
    ///
    /// - Parameter reloadOnChange: When true (development), each render first compares
    ///   the `stat` of the template's files (its own, its layouts', its partials') with
    ///   what was loaded and reloads the changed ones. When false (production), files
    ///   are read only here.
    /// - Throws: `TemplateError` for the first problem by file name and position, such as
    ///   a syntax error, an unknown partial or layout, or a layout cycle. The message
    ///   ends with the number of further errors, if any.
    public init(root: String, reloadOnChange: Bool = false) throws(TemplateError) {
        let directory = try TemplateDirectory(root: root)
        self.root = directory.root
        self.reloadOnChange = reloadOnChange

        let (sources, _) = try directory.load()
        let set = TemplateLinker(sources: sources.mapValues(\.parsed)).link()
        let failures = set.failures
        if let first = failures.first {
            guard failures.count > 1 else { throw first }
            let others = failures.count - 1
            throw TemplateError(
                file: first.file,
                line: first.line,
                column: first.column,
                message: first.message + " (\(others) more error\(others == 1 ? "" : "s") in other places)"
            )
        }

        if reloadOnChange {
            fixedSet = nil
            reloader = Reloader(directory: directory, sources: sources, set: set)
        } else {
            fixedSet = set
            reloader = nil
        }
    }

    /// Names of all templates, sorted.
    public var templateNames: [String] {
        (try? currentSet(rendering: nil))?.templates.map(\.name) ?? []
    }

    /// Returns whether a template with this name exists (in reload mode, after checking
    /// the files).
    public func contains(_ name: String) -> Bool {
        (try? currentSet(rendering: name))?[name] != nil
    }

    /// Renders a template to a string.
    ///
    /// - Parameters:
    ///   - name: The path under the root without `.html`, such as `store/home`.
    ///   - context: The value that paths in the template start from, usually a dictionary.
    ///   - translator: Resolves `{{ t "key" }}` tags; without one the key itself is shown.
    /// - Throws: `TemplateError` when the name is unknown, when the template failed to
    ///   load in reload mode, or when a value cannot be rendered (an array printed as
    ///   text, `{{#each}}` over a string, partials nested too deep). The error gives
    ///   the file, line and column of the tag.
    public func render(_ name: String, _ context: TemplateValue, translator: TemplateTranslator? = nil) throws(TemplateError) -> String {
        String(decoding: try renderBytes(name, context, translator: translator), as: UTF8.self)
    }

    /// Renders a template to UTF-8 bytes, the form a response body needs, without
    /// building a `String`. The buffer is reserved from the largest earlier render of
    /// the same template, so a page is written without reallocating.
    public func renderBytes(_ name: String, _ context: TemplateValue, translator: TemplateTranslator? = nil) throws(TemplateError) -> [UInt8] {
        try renderBytes(name, context, translator: translator, escapesOutput: true)
    }

    /// Renders a template as plain text: values and translations are written without HTML
    /// escaping. For the text part of a mail, never for a page.
    public func renderPlainText(_ name: String, _ context: TemplateValue, translator: TemplateTranslator? = nil) throws(TemplateError) -> String {
        String(decoding: try renderBytes(name, context, translator: translator, escapesOutput: false), as: UTF8.self)
    }

    private func renderBytes(
        _ name: String,
        _ context: TemplateValue,
        translator: TemplateTranslator?,
        escapesOutput: Bool
    ) throws(TemplateError) -> [UInt8] {
        let set = try currentSet(rendering: name)
        guard let template = set[name] else {
            throw notFoundError(name)
        }
        guard let program = template.program else {
            throw template.failure ?? notFoundError(name)
        }

        // The page is rendered straight into the storage of the array returned, which saves
        // allocating and copying a second page-sized buffer. Only a render that outgrows
        // the reserved capacity moves to a buffer of its own and is copied at the end.
        let hint = template.sizeHint.load(ordering: .relaxed)
        var failure: TemplateError?
        var size = 0
        var overflow: [UInt8]?
        let bytes = [UInt8](unsafeUninitializedCapacity: hint > 0 ? hint + hint / 8 : 4096) { memory, initializedCount in
            initializedCount = 0
            var renderer = Renderer(set: set, translator: translator, escapesOutput: escapesOutput, writingInto: memory)
            do throws(TemplateError) {
                try renderer.render(program.tables, context: context)
            } catch {
                failure = error
                return
            }
            size = renderer.outputCount
            if renderer.isOutputInLentMemory {
                initializedCount = size
            } else {
                overflow = renderer.finish()
            }
        }
        if let failure {
            throw failure
        }

        if size > hint {
            template.sizeHint.store(size, ordering: .relaxed)
        }
        return overflow ?? bytes
    }

    private func currentSet(rendering name: String?) throws(TemplateError) -> TemplateSet {
        if let fixedSet {
            return fixedSet
        }
        guard let reloader else {
            preconditionFailure("a TemplateLibrary has either a fixed set or a reloader")
        }
        return try reloader.currentSet(rendering: name)
    }

    private func notFoundError(_ name: String) -> TemplateError {
        var message = "template \"\(name)\" not found: there is no file \(TemplateLinker.file(for: name)) under \(root)"
        if name.hasSuffix(".html") {
            message += "; names leave out the extension, as in \"\(name.dropLast(5))\""
        }
        return TemplateError(file: TemplateLinker.file(for: name), line: 0, column: 0, message: message)
    }
}

/// The mutable part of a library in reload mode.
private final class Reloader: Sendable {
    private struct State: Sendable {
        var sources: [String: TemplateSource]
        var set: TemplateSet
    }

    private let directory: TemplateDirectory
    private let state: Mutex<State>

    init(directory: TemplateDirectory, sources: [String: TemplateSource], set: TemplateSet) {
        self.directory = directory
        self.state = Mutex(State(sources: sources, set: set))
    }

    /// Returns the set to render `name` from, reloading first when one of the files the
    /// template depends on changed, appeared or disappeared. With a nil or unknown name
    /// every file is checked.
    func currentSet(rendering name: String?) throws(TemplateError) -> TemplateSet {
        try state.withLock { (state: inout State) throws(TemplateError) -> TemplateSet in
            if isStale(state, rendering: name) {
                let (sources, changed) = try directory.load(reusing: state.sources)
                if changed {
                    state.sources = sources
                    state.set = TemplateLinker(sources: sources.mapValues(\.parsed)).link()
                }
            }
            return state.set
        }
    }

    private func isStale(_ state: State, rendering name: String?) -> Bool {
        guard let name, let template = state.set[name] else { return true }
        for dependency in template.dependencies {
            let current = FileSignature(path: directory.path(for: dependency))
            if current != state.sources[dependency]?.signature {
                return true
            }
        }
        return false
    }
}
