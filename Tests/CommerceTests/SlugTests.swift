import Testing
import Foundation
import Commerce

@Suite struct SlugTests {
    @Test(arguments: [
        ("Trail Mug", "trail-mug"),
        ("  Enamel Camp Mug — 12 oz  ", "enamel-camp-mug-12-oz"),
        ("Café Crème Brûlée", "cafe-creme-brulee"),
        ("Straße Ørsted", "strasse-orsted"),
        ("Привет мир", "privet-mir"),
        ("100% Arabica!!", "100-arabica"),
        ("---", "product"),
        ("🙂", "product"),
        ("", "product"),
    ])
    func makeFromTitle(title: String, expected: String) {
        #expect(Slug.make(from: title) == expected)
    }

    @Test func makeCutsLongTitlesAtWordBoundary() {
        let title = String(repeating: "wool ", count: 40)
        let slug = Slug.make(from: title)
        #expect(slug.count <= Slug.maximumLength)
        #expect(slug.hasSuffix("wool"))
        #expect(Slug.isValid(slug))
    }

    @Test func numberedStaysWithinMaximum() {
        let base = String(repeating: "a", count: Slug.maximumLength)
        let numbered = Slug.numbered(base, 12)
        #expect(numbered.count == Slug.maximumLength)
        #expect(numbered.hasSuffix("-12"))
        #expect(Slug.numbered("mug", 2) == "mug-2")
    }

    @Test(arguments: ["a", "mug", "trail-mug-2", "12-oz"])
    func validSlugs(slug: String) {
        #expect(Slug.isValid(slug))
    }

    @Test(arguments: ["", "-mug", "mug-", "trail--mug", "Mug", "mug_2", "mug 2", "café", "a/b", String(repeating: "a", count: 101)])
    func invalidSlugs(slug: String) {
        #expect(!Slug.isValid(slug))
    }
}
