import Testing
@testable import Templates

@Suite struct CommentAndWhitespaceTests {
    @Test func commentsAreRemoved() throws {
        #expect(try render("a{{!-- hidden {{ tag }} and }} braces --}}b") == "ab")
        #expect(try render("a{{! short note }}b") == "ab")
        #expect(try render("a{{!-- spans\nlines {{#if x}} --}}b") == "ab")
        #expect(try render("a{{!----}}b") == "ab")
    }

    @Test func commentedTagsAreNotParsed() throws {
        // An unknown tag and an unclosed block inside a comment are not errors.
        #expect(try render("{{!-- {{#unknown}} {{#if x}} --}}ok") == "ok")
    }

    @Test func tildeTrimsWhitespaceBeside() throws {
        #expect(try render("<p>  \n {{~ name ~}} \n </p>", ["name": "x"]) == "<p>x</p>")
        #expect(try render("a   {{~ name }}   b", ["name": "x"]) == "ax   b")
        #expect(try render("a   {{ name ~}}   b", ["name": "x"]) == "a   xb")
        #expect(try render("a \n {{~!-- note --~}} \n b") == "ab")
    }

    @Test func standaloneBlockLinesLeaveNoBlankLines() throws {
        let template = """
        <ul>
          {{#each items as item}}
          <li>{{ item }}</li>
          {{/each}}
          {{!-- note --}}
        </ul>

        """
        #expect(try render(template, ["items": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
    }

    @Test func valueTagsAloneOnALineKeepTheirLine() throws {
        #expect(try render("a\n  {{ name }}\nb", ["name": "x"]) == "a\n  x\nb")
        #expect(try render("a\n  {{ t \"k\" }}\nb") == "a\n  k\nb")
    }

    @Test func standalonePartialLineIsReplacedByPartial() throws {
        #expect(try render("a\n  {{> p }}\nb", files: ["p": "P1\nP2\n"]) == "a\nP1\nP2\nb")
        #expect(try render("a\n{{> p }}\nb", files: ["p": "P"]) == "a\nPb")
        #expect(try render("a {{> p }}\nb", files: ["p": "P"]) == "a P\nb")
    }

    @Test func inlineBlockTagsKeepSurroundingText() throws {
        #expect(try render("a {{#if x}}b{{/if}} c\n", ["x": true]) == "a b c\n")
        #expect(try render("a\n{{#if x}}b{{/if}}\nc", ["x": false]) == "a\n\nc")
    }

    @Test func standaloneTagsAtFileEdgesAndWithCRLF() throws {
        #expect(try render("{{#if x}}\r\nyes\r\n{{/if}}", ["x": true]) == "yes\r\n")
        #expect(try render("  {{#if x}}  \nyes\n  {{/if}}  ", ["x": true]) == "yes\n")
    }

    @Test func escapedBracesAreLiteral() throws {
        #expect(try render("\\{{ name }} {{ name }}", ["name": "x"]) == "{{ name }} x")
    }
}

@Suite struct ByteOrderMarkTests {
    @Test func leadingByteOrderMarkIsDropped() throws {
        let folder = try TemplateFolder(["base": "<b>{{#block \"x\"}}{{/block}}</b>"])
        try folder.writeBytes("page", [0xEF, 0xBB, 0xBF] + Array("{{#layout \"base\"}}{{#block \"x\"}}é{{/block}}".utf8))
        try folder.writeBytes("broken", [0xEF, 0xBB, 0xBF] + Array("ab {{ x.. }}".utf8))
        // The column is counted after the mark, as an editor shows it.
        #expect(throws: TemplateError(file: "broken.html", line: 1, column: 9, message: "invalid path `x.`: expected a name or array position after `.`")) {
            try TemplateLibrary(root: folder.path)
        }

        try folder.remove("broken")
        #expect(try folder.library().render("page", [:]) == "<b>é</b>")
    }
}
