import Testing
@testable import Templates

@Suite struct PartialTests {
    @Test func partialWithoutContextSeesCallerScope() throws {
        let html = try render(
            "{{#each items as item}}{{> partials/line }}{{/each}}",
            ["items": ["a", "b"], "prefix": "#"],
            files: ["partials/line": "{{ prefix }}{{ loop.number }}={{ item }};"]
        )
        #expect(html == "#1=a;#2=b;")
    }

    @Test func partialWithContextStartsFromThatValue() throws {
        let html = try render(
            "{{#each products as product}}{{> partials/product-card product }}{{/each}}",
            ["products": [["name": "Tea", "price": "€4"], ["name": "Mug", "price": "€9"]], "name": "Store name"],
            files: ["partials/product-card": "<b>{{ name }}</b> {{ price }} [{{ product.name }}][{{ loop.index }}]\n"]
        )
        #expect(html == "<b>Tea</b> €4 [][]\n<b>Mug</b> €9 [][]\n")
    }

    @Test func namedArgumentsAreVisibleInPartial() throws {
        let html = try render(
            "{{#each products as product}}{{> card product position=loop.number currency=store.currency label=\"Buy\" }}{{/each}}",
            ["products": [["name": "Tea"], ["name": "Mug"]], "store": ["currency": "EUR"]],
            files: ["card": "{{ position }}. {{ name }} ({{ currency }}) {{ label }}\n"]
        )
        #expect(html == "1. Tea (EUR) Buy\n2. Mug (EUR) Buy\n")
    }

    @Test func argumentsWithoutContextKeepCallerScope() throws {
        let html = try render(
            "{{> greeting who=user.name }} / {{ who }}",
            ["user": ["name": "Ana"], "greeting": "Hello"],
            files: ["greeting": "{{ greeting }}, {{ who }}"]
        )
        #expect(html == "Hello, Ana / ")
    }

    @Test func argumentsDoNotSeeEachOther() throws {
        let html = try render(
            "{{> pair a=b b=a }}",
            ["a": "A", "b": "B"],
            files: ["pair": "{{ a }}{{ b }}"]
        )
        #expect(html == "BA")
    }

    @Test func quotedPartialNameAndNesting() throws {
        let html = try render(
            "<ul>{{> \"lists/outer\" }}</ul>",
            ["entries": ["x", "y"]],
            files: [
                "lists/outer": "{{#each entries as entry}}{{> lists/inner entry }}{{/each}}",
                "lists/inner": "<li>{{ this }}</li>",
            ]
        )
        #expect(html == "<ul><li>x</li><li>y</li></ul>")
    }

    @Test func recursivePartialRendersTree() throws {
        let tree: TemplateValue = [
            "name": "All",
            "children": [
                ["name": "Tea", "children": [["name": "Green", "children": []]]],
                ["name": "Cups", "children": []],
            ],
        ]
        let html = try render(
            "{{> category tree }}",
            ["tree": tree],
            files: ["category": "{{ name }}{{#if children}}({{#each children as child}}{{> category child }}{{#unless loop.last}},{{/unless}}{{/each}}){{/if}}"]
        )
        #expect(html == "All(Tea(Green),Cups)")
    }

    @Test func endlessRecursionIsARenderError() throws {
        let folder = try TemplateFolder(["page": "{{> loop-forever }}", "loop-forever": "x\n {{> loop-forever }}"])
        let library = try folder.library()
        let error = #expect(throws: TemplateError.self) {
            try library.render("page", [:])
        }
        #expect(error?.file == "loop-forever.html")
        #expect(error?.line == 2)
        #expect(error?.column == 2)
        #expect(error?.message.hasPrefix("partials are nested more than 100 deep") == true)
    }

    @Test func partialRendersDirectlyToo() throws {
        let folder = try TemplateFolder(["partials/badge": "<span>{{ text }}</span>"])
        #expect(try folder.library().render("partials/badge", ["text": "New"]) == "<span>New</span>")
    }

    @Test func recursivePartialWithArgumentsManyLevelsDeep() throws {
        // Each level pushes an argument frame, well past the renderer's first 16.
        let html = try render(
            "{{> level node=tree }}",
            ["tree": (1...30).reversed().reduce(TemplateValue.null) { child, number in ["number": .int(number), "child": child] }],
            files: ["level": "{{ node.number }}{{#if node.child}},{{> level node=node.child }}{{/if}}"]
        )
        #expect(html == (1...30).map(String.init).joined(separator: ","))
    }

    @Test func argumentReadingUnboundNameGetsNothing() throws {
        // While arguments are evaluated, the ones already done sit in unnamed frames; a
        // name that nothing binds must not find them.
        let html = try render(
            "{{> pair a=\"A\" b=unknown c=a }}",
            ["a": "context a"],
            files: ["pair": "{{ a }}[{{ b }}][{{ c }}]"]
        )
        #expect(html == "A[][context a]")
    }

    @Test func computedValueAsPartialContext() throws {
        // A loop property is computed, not stored in the context; as a partial's context
        // it prints through `this`, and names resolved in it are missing.
        let html = try render(
            "{{#each items as item}}{{> number loop.number }}{{> number loop.last }}{{/each}}",
            ["items": ["a", "b"]],
            files: ["number": "[{{ this }}{{ item }}{{ this.count }}]"]
        )
        #expect(html == "[1][false][2][true]")
    }
}
