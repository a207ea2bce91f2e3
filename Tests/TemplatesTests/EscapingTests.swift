import Testing
@testable import Templates

@Suite struct EscapingTests {
    @Test(arguments: [
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("\"", "&quot;"),
        ("'", "&#39;"),
    ])
    func specialCharacterIsEscaped(character: String, reference: String) throws {
        #expect(try render("{{ value }}", ["value": .string(character)]) == reference)
        #expect(try render("{{ value }}", ["value": .string("a\(character)b")]) == "a\(reference)b")
    }

    @Test func allSpecialCharactersTogether() throws {
        let html = try render("<p>{{ value }}</p>", ["value": "<a href=\"x\" title='y'>Tom & Jerry</a>"])
        #expect(html == "<p>&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;</p>")
    }

    @Test func plainAndNonASCIITextUnchanged() throws {
        let text = "Crème brûlée — 日本茶 🍵 100% {curly} = ok"
        #expect(try render("{{ value }}", ["value": .string(text)]) == text)
        #expect(try render("[{{ value }}]", ["value": ""]) == "[]")
    }

    @Test func specialCharactersAtBothEnds() throws {
        let html = try render("{{ value }}", ["value": "<<middle>>"])
        #expect(html == "&lt;&lt;middle&gt;&gt;")
    }

    @Test func attackInQuotedAttributesIsInert() throws {
        let attack = "\"><script>alert('x')</script><a b='"
        let html = try render(
            "<a title=\"{{ value }}\" data-note='{{ value }}'>x</a>",
            ["value": .string(attack)]
        )
        let escaped = "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;a b=&#39;"
        #expect(html == "<a title=\"\(escaped)\" data-note='\(escaped)'>x</a>")
        #expect(!html.contains("<script>"))
    }

    @Test func unescapedTagWritesRawHTML() throws {
        let html = try render("<div>{{ unescaped page.html }}</div>", ["page": ["html": "<b>Bold & \"quoted\"</b>"]])
        #expect(html == "<div><b>Bold & \"quoted\"</b></div>")
    }

    @Test func trustedHTMLValueIsNotEscaped() throws {
        let html = try render("{{ badge }}|{{ unescaped badge }}", ["badge": .trustedHTML("<span class=\"new\">New</span>")])
        #expect(html == "<span class=\"new\">New</span>|<span class=\"new\">New</span>")
    }

    @Test func numbersAndBooleansPrintAsText() throws {
        let html = try render(
            "{{ zero }} {{ negative }} {{ smallest }} {{ largest }} {{ half }} {{ whole }} {{ yes }} {{ no }}",
            [
                "zero": 0,
                "negative": -42,
                "smallest": .int(Int.min),
                "largest": .int(Int.max),
                "half": 0.5,
                "whole": 2.0,
                "yes": true,
                "no": false,
            ]
        )
        #expect(html == "0 -42 \(Int.min) \(Int.max) 0.5 2.0 true false")
    }

    @Test func arrayAsTextIsARenderError() throws {
        let folder = try TemplateFolder(["page": "<p>\n  {{ products }}</p>"])
        let library = try folder.library()
        #expect(throws: TemplateError(
            file: "page.html",
            line: 2,
            column: 6,
            message: "`products` is an array, which has no text form; print one of its members, or loop over it with `{{#each products as item}}`"
        )) {
            try library.render("page", ["products": [1, 2]])
        }
    }

    /// Escapes one character at a time, the obvious way, to check the word-at-a-time
    /// escaper against.
    private static func referenceEscape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    @Test func everySpecialByteAtEveryPosition() throws {
        // Values of 1 to 24 bytes cover short values, whole 8-byte words, and the
        // overlapping last word of a long value, with the special byte in each place.
        let folder = try TemplateFolder(["page": "[{{ value }}]"])
        let library = try folder.library()
        for length in 1...24 {
            for position in 0..<length {
                for special in ["&", "<", ">", "\"", "'"] {
                    var characters = Array(repeating: "a", count: length)
                    characters[position] = special
                    let value = characters.joined()
                    let html = try library.render("page", ["value": .string(value)])
                    #expect(html == "[\(EscapingTests.referenceEscape(value))]", "value \(value)")
                }
            }
        }
    }

    @Test func neighboursOfSpecialBytesStayPlain() throws {
        // Bytes that differ from a special one in the bits the escaper sets before
        // comparing: `=` and `?` beside `<` and `>`, `%` beside `&` and `'`, `!` and `#`
        // beside `"`, and high bytes of UTF-8 sequences.
        let folder = try TemplateFolder(["page": "{{ value }}"])
        let library = try folder.library()
        let values = [
            "=?=?=?=?=?=?=?=?", "%%%%%%%%%%%%%%%%", "!#!#!#!#!#!#!#!#", "<=>?&%'!\"#",
            "\u{A6}\u{A7}\u{BC}\u{BE}\u{E2}\u{82}", "Crème brûlée & « thé » <vert>", "€€€€'€€€€\"",
        ]
        for value in values {
            #expect(try library.render("page", ["value": .string(value)]) == EscapingTests.referenceEscape(value))
        }
    }

    @Test func longAndShortStringsAndTrustedHTML() throws {
        // Strings of up to 15 UTF-8 bytes live inside the String value; longer ones in
        // separate storage. Both are read in place.
        let folder = try TemplateFolder(["page": "{{ short }}|{{ long }}|{{ shortHTML }}|{{ longHTML }}|{{ unescaped long }}"])
        let library = try folder.library()
        let long = String(repeating: "<b>&", count: 10)
        let html = try library.render("page", [
            "short": "<b>&",
            "long": .string(long),
            "shortHTML": .trustedHTML("<i>x</i>"),
            "longHTML": .trustedHTML("<span class=\"badge\">New & hot</span>"),
        ])
        let escapedLong = String(repeating: "&lt;b&gt;&amp;", count: 10)
        #expect(html == "&lt;b&gt;&amp;|\(escapedLong)|<i>x</i>|<span class=\"badge\">New & hot</span>|\(long)")
    }

    @Test func outputLargerThanFirstBuffer() throws {
        // The first render of a template reserves 4 KiB; this page needs far more, and
        // the second render starts from the size of the first.
        let folder = try TemplateFolder(["page": "{{#each rows as row}}<p>{{ row }}</p>{{/each}}"])
        let library = try folder.library()
        let rows = (0..<2_000).map { TemplateValue.string("row \($0) & more") }
        let expected = (0..<2_000).map { "<p>row \($0) &amp; more</p>" }.joined()
        #expect(try library.render("page", ["rows": .array(rows)]) == expected)
        #expect(try library.render("page", ["rows": .array(rows)]) == expected)
    }

    @Test func dictionaryAsTextIsARenderError() throws {
        let folder = try TemplateFolder(["page": "{{ unescaped store }}"])
        let library = try folder.library()
        let error = #expect(throws: TemplateError.self) {
            try library.render("page", ["store": ["name": "x"]])
        }
        #expect(error?.description.hasPrefix("page.html:1:14: `store` is a dictionary") == true)
    }
}

@Suite struct PlainTextRenderingTests {
    @Test func plainTextWritesValuesAndTranslationsUnescaped() throws {
        let root = try TemplateFolder()
        try root.write("emails/note", "Hi {{ name }}, {{ t \"greeting\" who=name }} {{ unescaped extra }}")
        let library = try root.library()
        let translator: TemplateTranslator = { key, arguments in
            "\(key) for \(arguments["who"].map { "\($0)" } ?? "")"
        }

        let text = try library.renderPlainText("emails/note", ["name": "Tom & <Jerry>", "extra": "a<b"], translator: translator)
        #expect(text.hasPrefix("Hi Tom & <Jerry>, greeting for "))
        #expect(text.hasSuffix(" a<b"))
        #expect(!text.contains("&amp;"))
    }

    @Test func htmlRenderingStillEscapesAfterPlainText() throws {
        let root = try TemplateFolder()
        try root.write("page", "{{ name }}")
        let library = try root.library()

        #expect(try library.renderPlainText("page", ["name": "a&b"]) == "a&b")
        #expect(try library.render("page", ["name": "a&b"]) == "a&amp;b")
    }
}
