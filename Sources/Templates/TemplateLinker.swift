/// Links parsed templates into a `TemplateSet`: applies layouts, checks block names
/// against the layout chain, and resolves partial names to positions.
///
/// A template that cannot be linked is kept with its error instead of its body, so that
/// in reload mode the rest of the set still renders.
struct TemplateLinker {
    /// One entry per template file: its parsed form or the error that stopped parsing.
    let sources: [String: Result<ParsedTemplate, TemplateError>]

    func link() -> TemplateSet {
        let names = sources.keys.sorted()
        var indexByName: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            indexByName[name] = index
        }

        var bodies: [String: [Node]] = [:]
        var failures: [String: TemplateError] = [:]
        for name in names {
            do {
                bodies[name] = try linkTemplate(name, indexByName: indexByName)
            } catch {
                failures[name] = error
            }
        }
        propagateFailures(&failures, names: names)

        var nameTable = NameTable(bodies: bodies.values)
        let templates = names.map { name in
            let failure = failures[name]
            return CompiledTemplate(
                name: name,
                file: TemplateLinker.file(for: name),
                program: failure == nil ? TemplateProgram.compile(bodies[name] ?? [], names: &nameTable) : nil,
                failure: failure,
                dependencies: dependencies(of: name)
            )
        }
        return TemplateSet(templates: templates)
    }

    static func file(for name: String) -> String {
        name + ".html"
    }

    // MARK: - One template

    private func linkTemplate(_ name: String, indexByName: [String: Int]) throws(TemplateError) -> [Node] {
        let chain = try layoutChain(of: name)
        try checkBlockNames(chain)

        // The most derived definition of a block wins, so collect from the template
        // outwards and keep the first one seen. The outermost layout's blocks are
        // placements with defaults, not definitions.
        var definitions: [String: BlockNode] = [:]
        for template in chain.dropLast() {
            collectBlocks(template.body, into: &definitions)
        }

        var linker = BodyLinker(definitions: definitions, indexByName: indexByName)
        return try linker.link(chain[chain.count - 1].body)
    }

    /// Returns the template followed by its layout, that layout's layout, and so on.
    private func layoutChain(of name: String) throws(TemplateError) -> [ParsedTemplate] {
        guard let first = try parsed(name) else {
            throw TemplateError(file: TemplateLinker.file(for: name), line: 0, column: 0, message: "template \"\(name)\" not found")
        }
        var chain = [first]
        var current = first
        while let layout = current.layout {
            if chain.contains(where: { $0.name == layout.name }) {
                let cycle = (chain.map(\.name) + [layout.name]).joined(separator: " → ")
                throw TemplateError(layout.location, "layout cycle: \(cycle); a layout cannot extend itself, directly or through others")
            }
            guard let parent = try parsed(layout.name) else {
                throw TemplateError(layout.location, "layout \"\(layout.name)\" not found: there is no file \(TemplateLinker.file(for: layout.name)) under the template root")
            }
            chain.append(parent)
            current = parent
        }
        return chain
    }

    /// Returns the parsed template, or nil when there is no such file. Throws the error
    /// that stopped its parsing.
    private func parsed(_ name: String) throws(TemplateError) -> ParsedTemplate? {
        switch sources[name] {
        case .success(let template): return template
        case .failure(let error): throw error
        case nil: return nil
        }
    }

    /// Checks that every top-level block of a template that uses a layout exists
    /// somewhere in that layout's chain. A misspelt name would otherwise be dropped
    /// without a word.
    private func checkBlockNames(_ chain: [ParsedTemplate]) throws(TemplateError) {
        for (position, template) in chain.enumerated() where template.layout != nil {
            let ancestors = chain[(position + 1)...]
            let available = ancestors.reduce(into: Set<String>()) { $0.formUnion($1.blockNames) }
            for node in template.body {
                guard case .block(let block) = node, !available.contains(block.name) else { continue }
                let known = available.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                throw TemplateError(
                    block.location,
                    "block \"\(block.name)\" does not exist in layout \"\(ancestors.first?.name ?? "")\" or the layouts it extends; "
                        + (known.isEmpty ? "they define no blocks" : "known blocks: \(known)")
                )
            }
        }
    }

    private func collectBlocks(_ nodes: [Node], into definitions: inout [String: BlockNode]) {
        for node in nodes {
            switch node {
            case .block(let block):
                if definitions[block.name] == nil {
                    definitions[block.name] = block
                }
                collectBlocks(block.body, into: &definitions)
            case .conditional(let conditional):
                for branch in conditional.branches {
                    collectBlocks(branch.body, into: &definitions)
                }
                collectBlocks(conditional.otherwise, into: &definitions)
            case .loop(let loop):
                collectBlocks(loop.body, into: &definitions)
                collectBlocks(loop.emptyBody, into: &definitions)
            default:
                break
            }
        }
    }

    // MARK: - Across templates

    /// Marks every template that includes a failed partial as failed with the partial's
    /// error, repeating until nothing changes so that failures travel through chains of
    /// partials.
    private func propagateFailures(_ failures: inout [String: TemplateError], names: [String]) {
        var partialsByName: [String: [String]] = [:]
        for name in names where failures[name] == nil {
            partialsByName[name] = (try? layoutChain(of: name))?.flatMap(\.partialNames) ?? []
        }

        var changed = true
        while changed {
            changed = false
            for name in names where failures[name] == nil {
                let used = partialsByName[name] ?? []
                if let failedPartial = used.first(where: { failures[$0] != nil }) {
                    failures[name] = failures[failedPartial]
                    changed = true
                }
            }
        }
    }

    /// Names of the templates that can change `name`'s output, found by following layout
    /// and partial references, whether or not their files exist.
    private func dependencies(of name: String) -> [String] {
        var seen: Set<String> = [name]
        var order = [name]
        var pending = [name]
        while let current = pending.popLast() {
            guard case .success(let template)? = sources[current] else { continue }
            let referenced = (template.layout.map { [$0.name] } ?? []) + template.partialNames
            for next in referenced where !seen.contains(next) {
                seen.insert(next)
                order.append(next)
                pending.append(next)
            }
        }
        return order
    }
}

/// Rewrites one body: splices each block's winning definition in place of the block and
/// gives each partial its target position.
private struct BodyLinker {
    let definitions: [String: BlockNode]
    let indexByName: [String: Int]
    /// Blocks being spliced, innermost last, to stop a block that ends up inside itself.
    var expanding: [String] = []

    mutating func link(_ nodes: [Node]) throws(TemplateError) -> [Node] {
        var result: [Node] = []
        result.reserveCapacity(nodes.count)
        for node in nodes {
            switch node {
            case .block(let block):
                let chosen = definitions[block.name] ?? block
                // Unique block names per file keep a block from containing itself, so
                // this guard only matters if that rule is ever relaxed. Without it the
                // splice would recurse until the stack overflows.
                if expanding.contains(block.name) {
                    throw TemplateError(chosen.location, "block \"\(block.name)\" ends up inside itself through the layout chain (\(expanding.joined(separator: " → ")) → \(block.name)); rename one of them")
                }
                expanding.append(block.name)
                for linked in try link(chosen.body) {
                    result.appendMerging(linked)
                }
                expanding.removeLast()

            case .partial(var partial):
                guard let target = indexByName[partial.name] else {
                    throw TemplateError(partial.location, "partial \"\(partial.name)\" not found: there is no file \(TemplateLinker.file(for: partial.name)) under the template root")
                }
                partial.target = target
                result.append(.partial(partial))

            case .conditional(var conditional):
                for index in conditional.branches.indices {
                    conditional.branches[index].body = try link(conditional.branches[index].body)
                }
                conditional.otherwise = try link(conditional.otherwise)
                result.append(.conditional(conditional))

            case .loop(var loop):
                loop.body = try link(loop.body)
                loop.emptyBody = try link(loop.emptyBody)
                result.append(.loop(loop))

            case .text, .output, .translation:
                result.appendMerging(node)
            }
        }
        return result
    }
}
