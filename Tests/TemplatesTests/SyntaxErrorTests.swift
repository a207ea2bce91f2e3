import Testing
@testable import Templates

/// Each case loads a folder with one broken template and checks the exact error.
@Suite struct SyntaxErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let files: [String: String]
        let file: String
        let line: Int
        let column: Int
        let message: String

        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "unclosed tag at end of file", files: ["page": "<p>\n  {{ product.name </p>\n"],
             file: "page.html", line: 2, column: 3,
             message: "unclosed tag: this `{{` has no `}}` before the end of the file; add `}}` to close it"),
        Case(label: "unclosed tag before next tag", files: ["page": "{{ a }}\n<p>{{ b </p>{{ c }}"],
             file: "page.html", line: 2, column: 4,
             message: "unclosed tag: this `{{` has no `}}` before the next `{{`; add `}}` to close it"),
        Case(label: "unclosed block", files: ["page": "<ul>\n{{#each items as item}}\n<li>{{ item }}</li>\n</ul>"],
             file: "page.html", line: 2, column: 1,
             message: "`{{#each}}` is never closed; add `{{/each}}`"),
        Case(label: "unclosed comment", files: ["page": "a\n{{!-- note"],
             file: "page.html", line: 2, column: 1,
             message: "unclosed comment: add `--}}` to end the comment opened here"),
        Case(label: "unclosed string", files: ["page": "{{ t \"cart.checkout }}"],
             file: "page.html", line: 1, column: 6,
             message: "unclosed string: this `\"` has no closing `\"` on the same line"),
        Case(label: "unknown block tag", files: ["page": "a\n b {{#for x}}"],
             file: "page.html", line: 2, column: 4,
             message: "unknown tag `{{#for}}`: block tags are #if, #unless, #else, #each, #block and #layout"),
        Case(label: "unknown closing tag", files: ["page": "{{/for}}"],
             file: "page.html", line: 1, column: 1,
             message: "unknown closing tag `{{/for}}`: closing tags are /if, /unless, /each and /block"),
        Case(label: "closing layout tag", files: ["page": "{{/layout}}"],
             file: "page.html", line: 1, column: 1,
             message: "`{{#layout}}` has no closing tag; remove `{{/layout}}`"),
        Case(label: "mismatched closing tag", files: ["page": "{{#if a}}\n{{#each b as c}}\n{{/if}}"],
             file: "page.html", line: 3, column: 1,
             message: "`{{/if}}` does not match `{{#each}}` opened at 2:1; close that one first with `{{/each}}`"),
        Case(label: "closing tag without opening", files: ["page": "x {{/if}}"],
             file: "page.html", line: 1, column: 3,
             message: "`{{/if}}` has no matching `{{#if}}`"),
        Case(label: "closing tag with argument", files: ["page": "{{#if a}}{{/if a}}"],
             file: "page.html", line: 1, column: 16,
             message: "unexpected `a` after `{{/if`; closing tags take no arguments"),
        Case(label: "else outside block", files: ["page": "x{{#else}}"],
             file: "page.html", line: 1, column: 2,
             message: "`{{#else}}` must be inside `{{#if}}`, `{{#unless}}` or `{{#each}}`"),
        Case(label: "second else", files: ["page": "{{#if a}}1{{#else}}2{{#else}}3{{/if}}"],
             file: "page.html", line: 1, column: 21,
             message: "`{{#else}}` already appeared at 1:11 in this `{{#if}}`; only `{{/if}}` may follow it"),
        Case(label: "else if after else", files: ["page": "{{#if a}}1{{#else}}2{{#else if b}}3{{/if}}"],
             file: "page.html", line: 1, column: 21,
             message: "`{{#else}}` already appeared at 1:11 in this `{{#if}}`; only `{{/if}}` may follow it"),
        Case(label: "else if in each", files: ["page": "{{#each a as b}}{{#else if c}}{{/each}}"],
             file: "page.html", line: 1, column: 17,
             message: "`{{#else if}}` is not allowed in `{{#each}}`; its `{{#else}}` is for an empty list"),
        Case(label: "bare else", files: ["page": "{{#if a}}x{{else}}y{{/if}}"],
             file: "page.html", line: 1, column: 11,
             message: "`{{ else }}` is written `{{#else}}`"),
        Case(label: "empty tag", files: ["page": "a{{ }}b"],
             file: "page.html", line: 1, column: 2,
             message: "empty tag `{{ }}`: write a path such as `{{ product.name }}`, or remove the braces"),
        Case(label: "triple braces", files: ["page": "{{{ page.html }}}"],
             file: "page.html", line: 1, column: 1,
             message: "triple braces are not supported: write `{{ unescaped path }}` for trusted HTML, or `{{ path }}` for escaped text"),
        Case(label: "double dot in path", files: ["page": "<p>{{ product..name }}</p>"],
             file: "page.html", line: 1, column: 15,
             message: "invalid path `product.`: expected a name or array position after `.`"),
        Case(label: "trailing dot in path", files: ["page": "{{ product. }}"],
             file: "page.html", line: 1, column: 12,
             message: "invalid path `product.`: expected a name or array position after `.`"),
        Case(label: "dash in path", files: ["page": "{{ product.short-name }}"],
             file: "page.html", line: 1, column: 17,
             message: "invalid path `product.short-`: `-` cannot appear in a path; names use letters, digits and `_`"),
        Case(label: "two paths in one tag", files: ["page": "{{ product name }}"],
             file: "page.html", line: 1, column: 12,
             message: "unexpected `name ` after `product`"),
        Case(label: "reserved word starts path", files: ["page": "{{ as.x }}"],
             file: "page.html", line: 1, column: 4,
             message: "invalid path `as.x`: `as` is a reserved word and cannot start a path"),
        Case(label: "unknown loop property", files: ["page": "{{ loop.position }}"],
             file: "page.html", line: 1, column: 4,
             message: "invalid path `loop.position`: `loop` has only loop.index, loop.number, loop.count, loop.first, loop.last and `loop.parent` for the enclosing loop"),
        Case(label: "column counts characters", files: ["page": "Crème {{ x.. }}"],
             file: "page.html", line: 1, column: 12,
             message: "invalid path `x.`: expected a name or array position after `.`"),
        Case(label: "each without as", files: ["page": "{{#each items}}{{/each}}"],
             file: "page.html", line: 1, column: 14,
             message: "`{{#each}}` needs a variable name: write `{{#each items as item}}`"),
        Case(label: "reserved loop variable", files: ["page": "{{#each items as loop}}{{/each}}"],
             file: "page.html", line: 1, column: 18,
             message: "`loop` is a reserved word and cannot name a loop variable"),
        Case(label: "translation without key", files: ["page": "{{ t }}"],
             file: "page.html", line: 1, column: 1,
             message: "`{{ t }}` needs a key: write `{{ t \"cart.checkout\" }}`"),
        Case(label: "translation key number", files: ["page": "{{ t 5 }}"],
             file: "page.html", line: 1, column: 1,
             message: "a translation key must be a quoted string or a path, as in `{{ t \"cart.checkout\" }}`"),
        Case(label: "argument given twice", files: ["page": "{{ t \"k\" a=1 a=2 }}", ],
             file: "page.html", line: 1, column: 14,
             message: "argument `a` is given twice"),
        Case(label: "positional translation argument", files: ["page": "{{ t \"k\" count }}"],
             file: "page.html", line: 1, column: 10,
             message: "unexpected `count `: expected arguments written as `name=value`"),
        Case(label: "unescaped without path", files: ["page": "{{ unescaped }}"],
             file: "page.html", line: 1, column: 1,
             message: "`{{ unescaped }}` needs a path: write `{{ unescaped page.html }}`"),
        Case(label: "unknown partial", files: ["page": "<div>\n  {{> partials/missing product }}\n</div>"],
             file: "page.html", line: 2, column: 3,
             message: "partial \"partials/missing\" not found: there is no file partials/missing.html under the template root"),
        Case(label: "partial name with extension", files: ["page": "{{> card.html }}", "card": ""],
             file: "page.html", line: 1, column: 5,
             message: "partial name \"card.html\" ends in .html; write names without the extension, as \"card\""),
        Case(label: "partial name with parent folder", files: ["page": "{{> ../secret }}"],
             file: "page.html", line: 1, column: 5,
             message: "invalid partial name \"../secret\": names are paths under the template root such as \"partials/product-card\", with no leading `/`, `.` or `..` parts"),
        Case(label: "error inside a partial file", files: ["page": "{{> card }}", "card": "\n\n  {{#if x}}"],
             file: "card.html", line: 3, column: 3,
             message: "`{{#if}}` is never closed; add `{{/if}}`"),
        Case(label: "unknown layout", files: ["page": "{{!-- page --}}\n{{#layout \"layouts/nope\"}}"],
             file: "page.html", line: 2, column: 1,
             message: "layout \"layouts/nope\" not found: there is no file layouts/nope.html under the template root"),
        Case(label: "layout extends itself", files: ["page": "{{#layout \"page\"}}"],
             file: "page.html", line: 1, column: 1,
             message: "layout cycle: page → page; a layout cannot extend itself, directly or through others"),
        Case(label: "layout after content", files: ["page": "<p>x</p>\n{{#layout \"base\"}}", "base": ""],
             file: "page.html", line: 2, column: 1,
             message: "`{{#layout}}` must come before any other tag or text in the file (comments and whitespace may precede it)"),
        Case(label: "second layout", files: ["page": "{{#layout \"base\"}}\n{{#layout \"base\"}}", "base": ""],
             file: "page.html", line: 2, column: 1,
             message: "a template has at most one layout; \"base\" was already chosen at 1:1"),
        Case(label: "text outside block", files: ["page": "{{#layout \"base\"}}\n  Hello\n{{#block \"body\"}}x{{/block}}", "base": "{{#block \"body\"}}{{/block}}"],
             file: "page.html", line: 2, column: 3,
             message: "text outside `{{#block}}` in a template that uses a layout is never rendered; move it into a block"),
        Case(label: "tag outside block", files: ["page": "{{#layout \"base\"}}\n{{ name }}", "base": ""],
             file: "page.html", line: 2, column: 1,
             message: "`{{ name }}` outside `{{#block}}` in a template that uses a layout is never rendered; move it into a block"),
        Case(label: "stray closing tag with layout", files: ["page": "{{#layout \"base\"}}\n{{/block}}", "base": ""],
             file: "page.html", line: 2, column: 1,
             message: "`{{/block}}` has no matching `{{#block}}`"),
        Case(label: "block unknown to layout", files: [
                "page": "{{#layout \"base\"}}\n{{#block \"titel\"}}x{{/block}}",
                "base": "<title>{{#block \"title\"}}{{/block}}</title>{{#block \"body\"}}{{/block}}",
             ],
             file: "page.html", line: 2, column: 1,
             message: "block \"titel\" does not exist in layout \"base\" or the layouts it extends; known blocks: \"body\", \"title\""),
        Case(label: "duplicate block", files: ["page": "{{#block \"a\"}}{{/block}}\n{{#block \"a\"}}{{/block}}"],
             file: "page.html", line: 2, column: 1,
             message: "block \"a\" is already defined at 1:1; block names must be unique in a file"),
        Case(label: "number out of range", files: ["page": "{{#if count > 99999999999999999999}}{{/if}}"],
             file: "page.html", line: 1, column: 15,
             message: "invalid number `99999999999999999999`: write digits, optionally with `-` and a decimal part, within the range of a 64-bit integer"),
        Case(label: "missing comparison operand", files: ["page": "{{#if a == }}{{/if}}"],
             file: "page.html", line: 1, column: 12,
             message: "missing value after `==`"),
    ]

    @Test(arguments: cases)
    func loadingReportsPosition(_ testCase: Case) throws {
        let error = try #require(try loadingError(testCase.files))
        #expect(error.file == testCase.file)
        #expect(error.line == testCase.line)
        #expect(error.column == testCase.column)
        #expect(error.message == testCase.message)
    }

    @Test func layoutCycleThroughTwoFiles() throws {
        let error = try #require(try loadingError(["a": "{{#layout \"b\"}}", "b": "\n{{#layout \"a\"}}"]))
        #expect(error.description == "a.html:1:1: layout cycle: b → a → b; a layout cannot extend itself, directly or through others (1 more error in other places)")
    }

    @Test func invalidUTF8() throws {
        let folder = try TemplateFolder()
        try folder.writeBytes("page", Array("abc\nd".utf8) + [0xE9] + Array("f".utf8))
        #expect(throws: TemplateError(file: "page.html", line: 2, column: 2, message: "the file is not valid UTF-8 (byte 0xE9); save it with UTF-8 encoding")) {
            try TemplateLibrary(root: folder.path)
        }
    }

    @Test func firstOfSeveralErrorsNamesTheCount() throws {
        let error = try #require(try loadingError(["b": "{{#if}}", "a": "{{ x. }}", "ok": "fine"]))
        #expect(error.description == "a.html:1:6: invalid path `x.`: expected a name or array position after `.` (1 more error in other places)")
    }

    @Test func missingRootFolder() throws {
        #expect(throws: TemplateError(file: "/nonexistent/views", line: 0, column: 0, message: "template root not found or not a directory; pass the folder that contains the .html templates")) {
            try TemplateLibrary(root: "/nonexistent/views/")
        }
    }

    @Test func unknownTemplateName() throws {
        let folder = try TemplateFolder(["store/home": "x"])
        let library = try folder.library()
        let error = #expect(throws: TemplateError.self) {
            try library.render("store/home.html", [:])
        }
        #expect(error?.description == "store/home.html.html: template \"store/home.html\" not found: there is no file store/home.html.html under \(folder.path); names leave out the extension, as in \"store/home\"")
        #expect(library.contains("store/home"))
        #expect(!library.contains("store/other"))
    }

    @Test func errorDescriptionFormat() {
        #expect(TemplateError(file: "a.html", line: 3, column: 7, message: "bad").description == "a.html:3:7: bad")
        #expect(TemplateError(file: "a.html", line: 0, column: 0, message: "bad").description == "a.html: bad")
    }
}
