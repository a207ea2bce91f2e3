import Testing
@testable import Templates

@Suite struct TemplateFieldsTests {
    @Test func literalKeepsOrderAndValues() {
        let fields: TemplateFields = ["slug": "tea", "name": "Tea", "price": 450]
        #expect(fields.keys == ["slug", "name", "price"])
        #expect(fields.count == 3)
        #expect(fields["name"] == .string("Tea"))
        #expect(fields["price"] == .int(450))
        #expect(fields["missing"] == nil)
        #expect(!fields.isEmpty)
        #expect(TemplateFields().isEmpty)
    }

    @Test func repeatedKeyKeepsLastValue() throws {
        let fields: TemplateFields = ["name": "first", "slug": "s", "name": "last"]
        #expect(fields["name"] == .string("last"))
        #expect(fields.count == 2)
        #expect(fields.keys == ["slug", "name"])
        #expect(fields.dictionary == ["name": .string("last"), "slug": .string("s")])
        #expect(fields == ["slug": "s", "name": "last"])

        let value: TemplateValue = ["name": "first", "name": "last"]
        #expect(value["name"] == .string("last"))
        #expect(try render("{{ name }}", value) == "last")
        #expect(try render("{{#each this as entry}}{{ entry.key }}={{ entry.value }};{{/each}}", value) == "name=last;")
    }

    @Test func subscriptSetReplacesAppendsAndRemoves() {
        var fields: TemplateFields = ["a": 1, "b": 2]
        fields["a"] = 10
        fields["c"] = 3
        #expect(fields.keys == ["a", "b", "c"])
        #expect(fields["a"] == .int(10))

        fields["b"] = nil
        #expect(fields.keys == ["a", "c"])
        #expect(fields["b"] == nil)

        fields["absent"] = nil
        #expect(fields.count == 2)
    }

    @Test func removingRepeatedKeyRemovesEveryCopy() {
        var fields: TemplateFields = ["a": 1, "b": 2, "a": 3]
        fields["a"] = nil
        #expect(fields["a"] == nil)
        #expect(fields.keys == ["b"])
    }

    @Test func equalityIgnoresOrder() {
        let one: TemplateFields = ["a": 1, "b": "x"]
        #expect(one == ["b": "x", "a": 1])
        #expect(one != ["a": 1])
        #expect(one != ["a": 1, "b": "y"])
        #expect(one != ["a": 1, "c": "x"])
        #expect(TemplateValue.fields(one) == ["b": "x", "a": 1])
    }

    @Test func dictionaryConstructorsAgree() {
        let swiftDictionary: [String: TemplateValue] = ["name": "Tea", "tags": ["green"], "price": 4.5]
        let fromStatic = TemplateValue.dictionary(swiftDictionary)
        let fromFields = TemplateValue.fields(TemplateFields(swiftDictionary))
        let fromLiteral: TemplateValue = ["price": 4.5, "name": "Tea", "tags": ["green"]]
        let fromConvertible = TemplateValue(fields: ["name": "Tea", "tags": ["green"], "price": 4.5])
        let fromSwiftConversion = TemplateValue(swiftDictionary)

        #expect(fromStatic == fromLiteral)
        #expect(fromFields == fromLiteral)
        #expect(fromConvertible == fromLiteral)
        #expect(fromSwiftConversion == fromLiteral)
        #expect(fromStatic["tags"] == ["green"])
    }

    @Test func keysCompareByContentNotStorage() throws {
        // A key built at run time is stored apart from the template's copy of it; a
        // long one lives on the heap. Both must still match.
        let longKey = String(repeating: "k", count: 20)
        let builtShort = ["na", "me"].joined()
        let builtLong = String(longKey.reversed().reversed())
        let context = TemplateValue.fields(TemplateFields([builtShort: "short", builtLong: "long"]))
        #expect(try render("{{ name }} {{ \(longKey) }}", context) == "short long")
    }

    @Test func keysOfEqualLengthStayApart() throws {
        let context: TemplateValue = ["slug": "a-slug", "name": "A name", "abcd": "other"]
        #expect(try render("{{ slug }}|{{ name }}|{{ abcd }}", context) == "a-slug|A name|other")
    }

    @Test func equivalentSpellingsOfDifferentLengthDiffer() {
        // "é" precomposed is 2 UTF-8 bytes, "e" with a combining accent 3; Swift's ==
        // finds them equal, but keys of different length never match.
        let fields: TemplateFields = ["caf\u{E9}": 1, "cafe\u{301}": 2, "with-dash": 3]
        #expect(fields.count == 3)
        #expect(fields["caf\u{E9}"] == .int(1))
        #expect(fields["cafe\u{301}"] == .int(2))
        #expect(fields["with-dash"] == .int(3))
        #expect(fields.dictionary.count == 2)
    }

    @Test func valueOffsetMatchesTupleLayout() {
        #expect(TemplateFields.valueOffset == MemoryLayout<(String, TemplateValue)>.offset(of: \(String, TemplateValue).1))
    }

    @Test func emptyFieldsAreFalseAndLoopToElse() throws {
        #expect(try render("{{#if value}}yes{{#else}}no{{/if}}", ["value": .fields(TemplateFields())]) == "no")
        #expect(try render("{{#each value as entry}}x{{#else}}none{{/each}}", ["value": .fields([:])]) == "none")
    }
}
