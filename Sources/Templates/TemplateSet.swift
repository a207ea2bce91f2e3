import Synchronization

/// One template ready to render: its layouts applied and its partials resolved to
/// positions in the same `TemplateSet`.
///
/// Sendable without locks: every stored property is immutable except `sizeHint`, which
/// is an atomic.
final class CompiledTemplate: Sendable {
    let name: String
    let file: String
    /// Nil exactly when `failure` is set.
    let program: TemplateProgram?
    /// Why this template cannot render: its own error, or that of a layout or partial it
    /// uses.
    let failure: TemplateError?
    /// Names of every template whose file can change this one's output: itself, its
    /// layouts, and its partials transitively, including names that have no file yet.
    let dependencies: [String]
    /// The largest output seen so far in bytes, so the next render reserves its buffer
    /// once. Relaxed ordering is enough because a stale value only costs a reallocation.
    let sizeHint = Atomic<Int>(0)

    init(name: String, file: String, program: TemplateProgram?, failure: TemplateError?, dependencies: [String]) {
        self.name = name
        self.file = file
        self.program = program
        self.failure = failure
        self.dependencies = dependencies
    }
}

/// Every template under a root, linked together. Immutable after creation, so one
/// instance is shared by all rendering threads; reload mode builds a new one instead of
/// changing the current one.
///
/// `@unchecked Sendable` is safe because `programTables` is written once, in `init`,
/// and only read afterwards. The tables in it point into programs that `templates`
/// keeps alive until `deinit` frees the buffer.
final class TemplateSet: @unchecked Sendable {
    let templates: [CompiledTemplate]
    let indexByName: [String: Int]
    /// The program tables of `templates`, by the same position; nil for a template that
    /// failed. A partial call reads its target here, which retains nothing.
    let programTables: UnsafeMutableBufferPointer<ProgramTables?>

    init(templates: [CompiledTemplate]) {
        self.templates = templates
        var indexByName: [String: Int] = [:]
        for (index, template) in templates.enumerated() {
            indexByName[template.name] = index
        }
        self.indexByName = indexByName
        programTables = .allocate(capacity: templates.count)
        _ = programTables.initialize(fromContentsOf: templates.map { $0.program?.tables })
    }

    deinit {
        programTables.deinitialize()
        programTables.deallocate()
    }

    subscript(name: String) -> CompiledTemplate? {
        indexByName[name].map { templates[$0] }
    }

    /// Every failure, ordered by file and position, without the copies that dependent
    /// templates carry.
    var failures: [TemplateError] {
        Array(Set(templates.compactMap(\.failure))).sorted()
    }
}
