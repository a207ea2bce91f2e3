import Testing
@testable import Templates

/// A render writes into the storage of the array it returns, sized from the largest
/// earlier render of the template. These tests cover output that outgrows that storage.
@Suite struct OutputSizeTests {
    private let template = "{{#each items as item}}<li>{{ item }}</li>{{/each}}"

    private func context(itemCount: Int) -> TemplateValue {
        ["items": .array((0..<itemCount).map { .string("item \($0) & more") })]
    }

    private func expectedPage(itemCount: Int) -> String {
        (0..<itemCount).map { "<li>item \($0) &amp; more</li>" }.joined()
    }

    @Test func pageLargerThanFirstReservation() throws {
        let folder = try TemplateFolder(["page": template])
        let library = try folder.library()

        // The first render reserves 4 KB, and this page is about 60 KB.
        let bytes = try library.renderBytes("page", context(itemCount: 2_000))

        #expect(String(decoding: bytes, as: UTF8.self) == expectedPage(itemCount: 2_000))
    }

    @Test func pageGrowingBetweenRenders() throws {
        let folder = try TemplateFolder(["page": template])
        let library = try folder.library()

        let small = try library.render("page", context(itemCount: 3))
        let large = try library.render("page", context(itemCount: 500))
        let smallAgain = try library.render("page", context(itemCount: 3))
        let largeAgain = try library.render("page", context(itemCount: 500))

        #expect(small == expectedPage(itemCount: 3))
        #expect(large == expectedPage(itemCount: 500))
        #expect(smallAgain == expectedPage(itemCount: 3))
        #expect(largeAgain == expectedPage(itemCount: 500))
    }

    @Test func emptyPageAfterLargePage() throws {
        let folder = try TemplateFolder(["page": template])
        let library = try folder.library()

        _ = try library.renderBytes("page", context(itemCount: 300))
        let empty = try library.renderBytes("page", context(itemCount: 0))

        #expect(empty.isEmpty)
    }

    @Test func failedRenderReturnsErrorAfterOutput() throws {
        let folder = try TemplateFolder(["page": "{{#each items as item}}<li>{{ item }}</li>{{/each}}{{ items }}"])
        let library = try folder.library()

        #expect(throws: TemplateError.self) {
            _ = try library.renderBytes("page", context(itemCount: 400))
        }
    }
}
