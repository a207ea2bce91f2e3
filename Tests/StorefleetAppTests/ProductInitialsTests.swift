import Testing
@testable import StorefleetApp

@Suite struct ProductInitialsTests {
    @Test(arguments: [
        ("Titanium Camp Mug", "TC"),
        ("  enamel-coated pot", "EC"),
        ("3-Season Tent", "3S"),
        ("Mug", "M"),
        ("Café Éclair", "CÉ"),
        ("東京 tea", "東T"),
        ("— ... !!", ""),
        ("", ""),
    ])
    func initialsOfTitle(title: String, expected: String) {
        #expect(StorefrontController.initials(of: title) == expected)
    }
}
