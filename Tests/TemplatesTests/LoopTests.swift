import Testing
@testable import Templates

@Suite struct LoopTests {
    @Test func loopPositionProperties() throws {
        let template = "{{#each items as item}}[{{ loop.index }} {{ loop.number }}/{{ loop.count }} {{ item }}{{#if loop.first}} first{{/if}}{{#if loop.last}} last{{/if}}]{{/each}}"
        let html = try render(template, ["items": ["a", "b", "c"]])
        #expect(html == "[0 1/3 a first][1 2/3 b][2 3/3 c last]")
    }

    @Test func singleElementIsFirstAndLast() throws {
        let html = try render("{{#each items as item}}{{ loop.first }} {{ loop.last }}{{/each}}", ["items": ["only"]])
        #expect(html == "true true")
    }

    @Test(arguments: [TemplateValue.array([]), .null, .dictionary([:])])
    func emptySequenceRendersElse(items: TemplateValue) throws {
        let html = try render("{{#each items as item}}{{ item }}{{#else}}none{{/each}}", ["items": items])
        #expect(html == "none")
    }

    @Test func missingSequenceRendersElse() throws {
        #expect(try render("{{#each cart.lines as line}}x{{#else}}empty cart{{/each}}") == "empty cart")
        #expect(try render("[{{#each cart.lines as line}}x{{/each}}]") == "[]")
    }

    @Test func nestedLoopsHaveTheirOwnLoop() throws {
        let template = """
        {{#each categories as category}}{{ category.name }}({{ loop.number }}):{{#each category.products as product}} {{ category.name }}/{{ product }}@{{ loop.parent.index }}.{{ loop.index }}{{#if loop.parent.last}}!{{/if}}{{/each}}
        {{/each}}
        """
        let html = try render(template, [
            "categories": [
                ["name": "Tea", "products": ["green", "black"]],
                ["name": "Cups", "products": ["mug"]],
            ],
        ])
        #expect(html == "Tea(1): Tea/green@0.0 Tea/black@0.1\nCups(2): Cups/mug@1.0!\n")
    }

    @Test func innerVariableShadowsOuterName() throws {
        let template = "{{#each items as item}}{{#each item.children as item}}{{ item }}{{/each}}|{{ item.name }};{{/each}}"
        let html = try render(template, ["items": [["name": "a", "children": [1, 2]], ["name": "b", "children": [3]]]])
        #expect(html == "12|a;3|b;")
    }

    @Test func loopVariableShadowsContextOnlyInsideLoop() throws {
        let template = "{{ product }}:{{#each products as product}}{{ product }},{{ this.product }};{{/each}}{{ product }}"
        let html = try render(template, ["product": "outer", "products": ["x", "y"]])
        #expect(html == "outer:x,outer;y,outer;outer")
    }

    @Test func loopPropertiesOutsideLoopAreEmpty() throws {
        #expect(try render("[{{ loop.index }}][{{ loop.parent.index }}]") == "[][]")
        #expect(try render("{{#each a as x}}[{{ loop.parent.index }}]{{/each}}", ["a": [1]]) == "[]")
    }

    @Test func dictionaryEntriesInKeyOrder() throws {
        let template = "{{#each sizes as size}}{{ size.key }}={{ size.value }}{{#unless loop.last}}, {{/unless}}{{/each}}"
        let html = try render(template, ["sizes": ["m": 2, "l": 1, "s": 5]])
        #expect(html == "l=1, m=2, s=5")
    }

    @Test func loopOverStringIsARenderError() throws {
        let folder = try TemplateFolder(["page": "<ul>\n{{#each product.name as letter}}{{ letter }}{{/each}}\n</ul>"])
        let library = try folder.library()
        #expect(throws: TemplateError(
            file: "page.html",
            line: 2,
            column: 1,
            message: "`{{#each product.name}}` needs an array or a dictionary, but `product.name` is a string"
        )) {
            try library.render("page", ["product": ["name": "Tea"]])
        }
    }

    @Test func elseBranchSeesOuterScope() throws {
        let html = try render("{{#each items as item}}x{{#else}}{{ message }}{{/each}}", ["items": [], "message": "Nothing"])
        #expect(html == "Nothing")
    }

    @Test func outputAfterLoopElseText() throws {
        // The jump past a loop's else part lands on the output after it, which must
        // not be joined to the else part's text.
        let template = "{{#each items as item}}<{{ item }}>{{#else}}none{{/each}}{{ tail }}"
        #expect(try render(template, ["items": ["a", "b"], "tail": "!"]) == "<a><b>!")
        #expect(try render(template, ["items": [], "tail": "!"]) == "none!")
    }

    @Test func loopVariableNamedLikeContextKey() throws {
        // `name` is bound by a loop in one template only; elsewhere it comes from the
        // context, and inside the loop the loop variable wins.
        let html = try render(
            "{{ name }}:{{#each names as name}}{{ name }},{{/each}}{{> other }}",
            ["name": "ctx", "names": ["x", "y"], "label": "L"],
            files: ["other": "{{ name }}/{{ label }}"]
        )
        #expect(html == "ctx:x,y,ctx/L")
    }

    @Test func deeplyNestedLoops() throws {
        // More frames than the renderer reserves at first (16).
        let depth = 40
        var template = ""
        for level in 0..<depth {
            template += "{{#each level\(level) as item\(level)}}"
        }
        template += (0..<depth).map { "{{ item\($0) }}" }.joined(separator: ".")
        template += String(repeating: "{{/each}}", count: depth)

        var context: [String: TemplateValue] = [:]
        for level in 0..<depth {
            context["level\(level)"] = [.int(level)]
        }
        let expected = (0..<depth).map(String.init).joined(separator: ".")
        #expect(try render(template, .dictionary(context)) == expected)
    }
}
