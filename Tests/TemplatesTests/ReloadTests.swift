import Testing
@testable import Templates

/// Every rewrite below changes the file's length, so the change shows in `stat` even on
/// a file system whose timestamps are coarser than the test's pace.
@Suite struct ReloadTests {
    @Test func reloadModePicksUpChangedPage() throws {
        let folder = try TemplateFolder(["page": "v1 {{ name }}"])
        let library = try folder.library(reloadOnChange: true)
        #expect(try library.render("page", ["name": "x"]) == "v1 x")

        try folder.write("page", "version 2 {{ name }}")
        #expect(try library.render("page", ["name": "x"]) == "version 2 x")
    }

    @Test func productionModeKeepsFirstParse() throws {
        let folder = try TemplateFolder(["page": "v1 {{ name }}", "part": "p1"])
        let library = try folder.library()
        try folder.write("page", "version 2 {{ name }}")
        try folder.remove("part")
        try folder.write("new", "new")

        #expect(try library.render("page", ["name": "x"]) == "v1 x")
        #expect(try library.render("part", [:]) == "p1")
        #expect(!library.contains("new"))
    }

    @Test func changedPartialAndLayoutReload() throws {
        let folder = try TemplateFolder([
            "page": "{{#layout \"frame\"}}{{#block \"main\"}}{{> card }}{{/block}}",
            "frame": "<main>{{#block \"main\"}}{{/block}}</main>",
            "card": "card v1",
        ])
        let library = try folder.library(reloadOnChange: true)
        #expect(try library.render("page", [:]) == "<main>card v1</main>")

        try folder.write("card", "card version 2")
        #expect(try library.render("page", [:]) == "<main>card version 2</main>")

        try folder.write("frame", "<section>{{#block \"main\"}}{{/block}}</section>")
        #expect(try library.render("page", [:]) == "<section>card version 2</section>")
    }

    @Test func deletedPartialIsRenderErrorWithPosition() throws {
        let folder = try TemplateFolder(["page": "<p>\n  {{> card }}</p>", "card": "card"])
        let library = try folder.library(reloadOnChange: true)
        #expect(try library.render("page", [:]) == "<p>\n  card</p>")

        try folder.remove("card")
        #expect(throws: TemplateError(
            file: "page.html",
            line: 2,
            column: 3,
            message: "partial \"card\" not found: there is no file card.html under the template root"
        )) {
            try library.render("page", [:])
        }

        try folder.write("card", "card is back")
        #expect(try library.render("page", [:]) == "<p>\n  card is back</p>")
    }

    @Test func syntaxErrorAppearsAndIsFixed() throws {
        let folder = try TemplateFolder(["page": "ok", "other": "other"])
        let library = try folder.library(reloadOnChange: true)

        try folder.write("page", "\n{{#if x}}never closed")
        #expect(throws: TemplateError(file: "page.html", line: 2, column: 1, message: "`{{#if}}` is never closed; add `{{/if}}`")) {
            try library.render("page", [:])
        }
        #expect(try library.render("other", [:]) == "other")

        try folder.write("page", "fixed")
        #expect(try library.render("page", [:]) == "fixed")
    }

    @Test func brokenPartialFailsItsUsers() throws {
        let folder = try TemplateFolder(["page": "[{{> card }}]", "card": "card"])
        let library = try folder.library(reloadOnChange: true)

        try folder.write("card", "{{ a.. }}")
        #expect(throws: TemplateError(file: "card.html", line: 1, column: 6, message: "invalid path `a.`: expected a name or array position after `.`")) {
            try library.render("page", [:])
        }
    }

    @Test func newTemplateFileIsFound() throws {
        let folder = try TemplateFolder(["page": "page"])
        let library = try folder.library(reloadOnChange: true)
        #expect(!library.contains("later/page"))

        try folder.write("later/page", "later")
        #expect(try library.render("later/page", [:]) == "later")
        #expect(library.templateNames == ["later/page", "page"])
    }

    @Test func hiddenFilesAreIgnored() throws {
        let folder = try TemplateFolder(["page": "page", ".backup/page": "{{#if", "drafts/.page": "{{#if"])
        let library = try folder.library(reloadOnChange: true)
        #expect(library.templateNames == ["page"])
    }
}
