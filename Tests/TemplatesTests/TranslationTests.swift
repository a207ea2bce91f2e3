import Synchronization
import Testing
@testable import Templates

@Suite struct TranslationTests {
    @Test func withoutTranslatorTheKeyIsRendered() throws {
        #expect(try render("<button>{{ t \"cart.checkout\" }}</button>") == "<button>cart.checkout</button>")
        #expect(try render("{{ t \"cart.items\" count=cart.count }}", ["cart": ["count": 3]]) == "cart.items")
        #expect(try render("{{ t \"a<b\" }}") == "a&lt;b")
    }

    @Test func translatorReceivesKeyAndArguments() throws {
        let calls = Mutex<[String]>([])
        let translator: TemplateTranslator = { key, arguments in
            let described = arguments.keys.sorted().map { "\($0)=\(arguments[$0]!)" }.joined(separator: ",")
            calls.withLock { $0.append("\(key)|\(described)") }
            return "T(\(key))"
        }
        let html = try render(
            "{{ t \"cart.items\" count=cart.count name=\"x\" missing=nothing }} {{ t \"cart.checkout\" }}",
            ["cart": ["count": 3]],
            translator: translator
        )
        #expect(html == "T(cart.items) T(cart.checkout)")
        #expect(calls.withLock { $0 } == [
            "cart.items|count=int(3),missing=null,name=string(\"x\")",
            "cart.checkout|",
        ])
    }

    @Test func translationIsEscaped() throws {
        let html = try render("{{ t \"greeting\" name=user.name }}", ["user": ["name": "<Ana>"]], translator: { key, arguments in
            guard case .string(let name)? = arguments["name"] else { return key }
            return "Hello, \(name) & welcome"
        })
        #expect(html == "Hello, &lt;Ana&gt; &amp; welcome")
    }

    @Test func keyFromAPath() throws {
        let html = try render(
            "{{#each orders as order}}{{ t order.statusKey }};{{/each}}",
            ["orders": [["statusKey": "order.paid"], ["statusKey": "order.shipped"], [:]]],
            translator: { key, _ in key.uppercased() }
        )
        #expect(html == "ORDER.PAID;ORDER.SHIPPED;;")
    }

    @Test func argumentsSeeLoopValues() throws {
        let html = try render(
            "{{#each items as item}}{{ t \"position\" number=loop.number item=item }} {{/each}}",
            ["items": ["a", "b"]],
            translator: { _, arguments in
                guard case .int(let number)? = arguments["number"], case .string(let item)? = arguments["item"] else { return "?" }
                return "\(item)#\(number)"
            }
        )
        #expect(html == "a#1 b#2 ")
    }

    @Test func keyWithoutArgumentsTranslatedOncePerRender() throws {
        let calls = Mutex<[String]>([])
        let translator: TemplateTranslator = { key, arguments in
            calls.withLock { $0.append(arguments.isEmpty ? key : "\(key)+\(arguments.count)") }
            return "<\(key)>"
        }
        let folder = try TemplateFolder([
            "page": "{{#each items as item}}{{ t \"buy\" }} {{ t \"count\" n=loop.number }} {{ t item }};{{/each}}",
        ])
        let library = try folder.library()
        let context: TemplateValue = ["items": ["buy", "other", "buy"]]

        let html = try library.render("page", context, translator: translator)
        #expect(html == "&lt;buy&gt; &lt;count&gt; &lt;buy&gt;;&lt;buy&gt; &lt;count&gt; &lt;other&gt;;&lt;buy&gt; &lt;count&gt; &lt;buy&gt;;")
        // The translator is called once for "buy", whether the key comes from a literal
        // or a path, and for a translation with arguments every time.
        #expect(calls.withLock { $0 } == ["buy", "count+1", "count+1", "other", "count+1"])

        // The next render calls the translator again.
        _ = try library.render("page", context, translator: translator)
        #expect(calls.withLock { $0.count } == 10)
    }

    @Test func reusedTranslationInPlainText() throws {
        let folder = try TemplateFolder(["page": "{{ t \"x\" }}|{{ t \"x\" }}"])
        let library = try folder.library()
        let translator: TemplateTranslator = { _, _ in "a & b" }
        #expect(try library.renderPlainText("page", [:], translator: translator) == "a & b|a & b")
        #expect(try library.render("page", [:], translator: translator) == "a &amp; b|a &amp; b")
    }

    @Test func nonStringKeyIsARenderError() throws {
        let folder = try TemplateFolder(["page": "{{ t code }}"])
        let library = try folder.library()
        #expect(throws: TemplateError(file: "page.html", line: 1, column: 1, message: "the translation key is an integer, but it must be a string")) {
            try library.render("page", ["code": 5])
        }
    }
}
