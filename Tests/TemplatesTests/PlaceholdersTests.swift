import Testing
import Templates

/// `Placeholders.fill`, which the app's translations and the benchmark's translator use
/// for `{name}` placeholders.
@Suite struct PlaceholdersTests {
    @Test func fillsEveryKindOfValue() {
        let arguments: [String: TemplateValue] = [
            "name": "Ana", "count": 3, "ratio": 0.5, "open": true, "html": .trustedHTML("<b>"),
            "nothing": .null, "list": [1, 2],
        ]
        let text = "{name} has {count} items ({ratio}), open: {open}, {html}, [{nothing}] [{list}]"
        #expect(Placeholders.fill(text, with: arguments) == "Ana has 3 items (0.5), open: true, <b>, [] []")
    }

    @Test func keepsPlaceholdersWithoutAnArgument() {
        #expect(Placeholders.fill("© {year} {store}", with: ["year": 2026]) == "© 2026 {store}")
        #expect(Placeholders.fill("{missing}", with: ["other": 1]) == "{missing}")
    }

    @Test func returnsTheTextUnchangedWithoutArgumentsOrPlaceholders() {
        #expect(Placeholders.fill("{count} products", with: [:]) == "{count} products")
        #expect(Placeholders.fill("No products yet.", with: ["count": 1]) == "No products yet.")
        #expect(Placeholders.fill("", with: ["count": 1]) == "")
    }

    @Test func neverExpandsPlaceholdersInsideAnArgument() {
        // With one replacement pass per argument, the result depended on the order in
        // which the dictionary listed its keys.
        let arguments: [String: TemplateValue] = ["name": "{count} {name}", "count": 2]
        for _ in 0..<20 {
            #expect(Placeholders.fill("Hello {name}, you have {count}", with: arguments) == "Hello {count} {name}, you have 2")
        }
    }

    @Test func treatsUnmatchedAndNestedBracesAsText() {
        #expect(Placeholders.fill("a { b {count}", with: ["count": 1]) == "a { b 1")
        #expect(Placeholders.fill("{ {count}}", with: ["count": 1]) == "{ 1}")
        #expect(Placeholders.fill("{count", with: ["count": 1]) == "{count")
        #expect(Placeholders.fill("}{count}{", with: ["count": 1]) == "}1{")
        #expect(Placeholders.fill("{}", with: ["": "empty"]) == "empty")
    }

    @Test func keepsTextInOtherScriptsIntact() {
        let arguments: [String: TemplateValue] = ["producto": "Té verde", "número": 7]
        #expect(Placeholders.fill("«{producto}» — nº {número} ✓", with: arguments) == "«Té verde» — nº 7 ✓")
        #expect(Placeholders.fill("{producto}{producto}", with: arguments) == "Té verdeTé verde")
    }
}
