/// A block tag whose closing tag has not been read yet, with what it has collected.
struct OpenBlock {
    enum Kind {
        case ifBlock, unlessBlock, eachBlock, block

        init?(keyword: String) {
            switch keyword {
            case "if": self = .ifBlock
            case "unless": self = .unlessBlock
            case "each": self = .eachBlock
            case "block": self = .block
            default: return nil
            }
        }

        var keyword: String {
            switch self {
            case .ifBlock: return "if"
            case .unlessBlock: return "unless"
            case .eachBlock: return "each"
            case .block: return "block"
            }
        }
    }

    let kind: Kind
    let location: SourceLocation
    /// The nodes of the section being read (the current branch, loop body or else part).
    var section: [Node] = []
    var elseLocation: SourceLocation?

    // #if and #unless: finished branches, and the condition of the section being read
    // (nil once inside the final `{{#else}}`).
    var branches: [ConditionalNode.Branch] = []
    var pendingCondition: Expression?
    var pendingNegated = false

    // #each
    var loopSequence: Expression?
    var loopSequenceSource = ""
    var loopVariable = ""
    var loopBody: [Node] = []

    // #block
    var blockName = ""

    func finish() -> Node {
        switch kind {
        case .ifBlock, .unlessBlock:
            var branches = self.branches
            var otherwise: [Node] = []
            if let condition = pendingCondition {
                branches.append(ConditionalNode.Branch(condition: condition, negated: pendingNegated, body: section))
            } else {
                otherwise = section
            }
            return .conditional(ConditionalNode(branches: branches, otherwise: otherwise))

        case .eachBlock:
            let hasElse = elseLocation != nil
            return .loop(LoopNode(
                sequence: loopSequence ?? .literal(.null),
                sequenceSource: loopSequenceSource,
                variable: loopVariable,
                body: hasElse ? loopBody : section,
                emptyBody: hasElse ? section : [],
                location: location
            ))

        case .block:
            return .block(BlockNode(name: blockName, body: section, location: location))
        }
    }
}
