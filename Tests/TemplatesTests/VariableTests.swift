import Testing
@testable import Templates

@Suite struct VariableTests {
    @Test func dottedPathReachesNestedValues() throws {
        let context: TemplateValue = ["order": ["customer": ["address": ["city": "Lisbon"]]]]
        #expect(try render("{{ order.customer.address.city }}", context) == "Lisbon")
        #expect(try render("{{order.customer.address.city}}", context) == "Lisbon")
    }

    @Test func arrayPositionsAndProperties() throws {
        let context: TemplateValue = ["items": [["name": "first"], ["name": "second"], ["name": "third"]]]
        #expect(try render("{{ items.1.name }}", context) == "second")
        #expect(try render("{{ items.count }}", context) == "3")
        #expect(try render("{{ items.first.name }}/{{ items.last.name }}", context) == "first/third")
        #expect(try render("{{ items.isEmpty }}", context) == "false")
        #expect(try render("{{ items.isEmpty }}", ["items": []]) == "true")
    }

    @Test func missingValuesRenderEmpty() throws {
        let context: TemplateValue = ["product": ["name": "Tea", "tags": ["a"]], "nothing": .null]
        #expect(try render("[{{ missing }}]", context) == "[]")
        #expect(try render("[{{ product.price }}]", context) == "[]")
        #expect(try render("[{{ product.name.length }}]", context) == "[]")
        #expect(try render("[{{ product.tags.5 }}]", context) == "[]")
        #expect(try render("[{{ product.tags.other }}]", context) == "[]")
        #expect(try render("[{{ nothing }}]", context) == "[]")
        #expect(try render("[{{ nothing.deeper }}]", context) == "[]")
    }

    @Test func contextThatIsNotADictionary() throws {
        #expect(try render("{{ this }}", "just text") == "just text")
        #expect(try render("[{{ name }}]", "just text") == "[]")
        #expect(try render("{{ this.name }}", ["name": "Tea"]) == "Tea")
    }

    @Test func literalsRenderThemselves() throws {
        #expect(try render("{{ \"a \\\"quoted\\\" <word>\" }}") == "a &quot;quoted&quot; &lt;word&gt;")
        #expect(try render("{{ 42 }} {{ -1.5 }} {{ true }} [{{ null }}]") == "42 -1.5 true []")
    }

    @Test func keysMayStartWithUnderscoreAndHoldDigits() throws {
        #expect(try render("{{ _private.line2 }}", ["_private": ["line2": "ok"]]) == "ok")
    }

    @Test func valueConvertibleTypes() throws {
        struct Product: TemplateValueConvertible {
            let name: String
            let priceMinor: Int
            let tags: [String]
            let note: String?
            var templateValue: TemplateValue {
                TemplateValue(fields: ["name": name, "priceMinor": priceMinor, "tags": tags, "note": note])
            }
        }
        let product = Product(name: "Tea", priceMinor: 450, tags: ["green"], note: nil)
        let html = try render(
            "{{ product.name }} {{ product.priceMinor }} {{ product.tags.0 }} [{{ product.note }}]",
            ["product": product.templateValue]
        )
        #expect(html == "Tea 450 green []")
        #expect(TemplateValue(Int64(7)) == .int(7))
        #expect(TemplateValue(["a": 1.5]) == .dictionary(["a": .double(1.5)]))
        #expect(TemplateValue(Optional<String>.none) == .null)
        #expect(TemplateValue("x")["missing"] == nil)
    }
}
