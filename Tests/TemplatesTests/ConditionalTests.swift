import Testing
@testable import Templates

@Suite struct ConditionalTests {
    static let truthiness: [(TemplateValue, Bool)] = [
        (.null, false),
        (false, false),
        (true, true),
        (0, false),
        (1, true),
        (-1, true),
        (0.0, false),
        (.double(.nan), false),
        (0.25, true),
        ("", false),
        (" ", true),
        ("false", true),
        ("0", true),
        ([], false),
        ([0], true),
        ([:], false),
        (["k": .null], true),
        (.trustedHTML(""), false),
        (.trustedHTML("<br>"), true),
    ]

    @Test(arguments: truthiness)
    func ifAndUnlessFollowTruthiness(value: TemplateValue, isTrue: Bool) throws {
        let context: TemplateValue = ["value": value]
        #expect(try render("{{#if value}}yes{{#else}}no{{/if}}", context) == (isTrue ? "yes" : "no"))
        #expect(try render("{{#unless value}}no{{#else}}yes{{/unless}}", context) == (isTrue ? "yes" : "no"))
    }

    @Test func missingValueIsFalse() throws {
        #expect(try render("{{#if cart.isEmpty}}empty{{#else}}full{{/if}}") == "full")
        #expect(try render("{{#unless customer.name}}guest{{/unless}}") == "guest")
    }

    @Test func ifWithoutElseRendersNothingWhenFalse() throws {
        #expect(try render("[{{#if value}}shown{{/if}}]", ["value": false]) == "[]")
    }

    @Test func elseIfChainTakesFirstTrueBranch() throws {
        let template = """
        {{#if status == "paid"}}Paid{{#else if status == "pending"}}Pending{{#else if status}}Other: {{ status }}{{#else}}None{{/if}}
        """
        #expect(try render(template, ["status": "paid"]) == "Paid")
        #expect(try render(template, ["status": "pending"]) == "Pending")
        #expect(try render(template, ["status": "refunded"]) == "Other: refunded")
        #expect(try render(template, [:]) == "None")
    }

    @Test func unlessWithElseIf() throws {
        let template = "{{#unless stock}}Sold out{{#else if stock < 5}}Only {{ stock }} left{{#else}}In stock{{/unless}}"
        #expect(try render(template, ["stock": 0]) == "Sold out")
        #expect(try render(template, ["stock": 3]) == "Only 3 left")
        #expect(try render(template, ["stock": 30]) == "In stock")
    }

    @Test func nestedConditionals() throws {
        let template = "{{#if a}}A{{#if b}}B{{#else}}-{{/if}}{{#else}}{{#unless b}}neither{{/unless}}{{/if}}"
        #expect(try render(template, ["a": true, "b": true]) == "AB")
        #expect(try render(template, ["a": true, "b": false]) == "A-")
        #expect(try render(template, ["a": false, "b": false]) == "neither")
        #expect(try render(template, ["a": false, "b": true]) == "")
    }

    static let comparisons: [(String, Bool)] = [
        ("status == \"paid\"", true),
        ("status != \"paid\"", false),
        ("\"paid\" == status", true),
        ("count == 3", true),
        ("count == 3.0", true),
        ("count != 4", true),
        ("count < 4", true),
        ("count <= 3", true),
        ("count > 3", false),
        ("count >= 3", true),
        ("price > 2", true),
        ("price < 2.5", false),
        ("count == \"3\"", false),
        ("count < \"4\"", false),
        ("count >= \"4\"", false),
        ("missing == null", true),
        ("missing != null", false),
        ("missing == 0", false),
        ("missing < 1", false),
        ("flag == true", true),
        ("flag == false", false),
        ("status < \"pending\"", true),
        ("status > \"Paid\"", true),
        ("html == \"<b>\"", true),
        ("list == list", true),
        ("count==3", true),
    ]

    @Test(arguments: comparisons)
    func comparison(expression: String, expected: Bool) throws {
        let context: TemplateValue = [
            "status": "paid",
            "count": 3,
            "price": 2.5,
            "flag": true,
            "html": .trustedHTML("<b>"),
            "list": [1, 2],
        ]
        #expect(try render("{{#if \(expression)}}true{{#else}}false{{/if}}", context) == (expected ? "true" : "false"))
    }

    @Test func comparisonPrintsAsBoolean() throws {
        #expect(try render("{{ a == b }}", ["a": 1, "b": 1]) == "true")
    }

    @Test func textBeforeEveryKindOfBranch() throws {
        // Text before an output or a conditional's first branch runs as one step with
        // it; later branches and whatever follows a block are jump targets and must
        // still run on their own.
        let template = """
        a{{#if x}}b{{ x }}{{#else if y}}c{{ y }}{{#else}}d{{/if}}{{ x }}e{{#unless y}}f{{/unless}}{{ y }}g
        """
        #expect(try render(template, ["x": "X", "y": "Y"]) == "abXXeYg")
        #expect(try render(template, ["y": "Y"]) == "acYeYg")
        #expect(try render(template, [:]) == "adefg")
    }

    @Test func nestedConditionalsAfterText() throws {
        let template = "[{{#if a}}1{{#if b}}2{{ b }}{{#else}}3{{/if}}{{ a }}{{/if}}]{{#if c}}c{{/if}}"
        #expect(try render(template, ["a": "A", "b": "B", "c": true]) == "[12BA]c")
        #expect(try render(template, ["a": "A"]) == "[13A]")
        #expect(try render(template, [:]) == "[]")
    }
}
