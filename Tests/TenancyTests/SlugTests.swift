import Testing
@testable import Tenancy

@Suite struct SlugTests {
    @Test(arguments: ["a", "demo", "my-shop", "shop42", "42shop", "a-b-c", "x1", String(repeating: "a", count: 63)])
    func acceptsValidSlug(_ text: String) throws {
        let slug = try Slug(text)
        #expect(slug.value == text)
    }

    @Test(arguments: [
        ("", SlugError.Reason.empty),
        ("..", .invalidCharacter("a dot")),
        (".x", .invalidCharacter("a dot")),
        ("a.b", .invalidCharacter("a dot")),
        ("%2e%2e", .invalidCharacter("the character \"%\"")),
        ("a/b", .invalidCharacter("a slash")),
        ("a\\b", .invalidCharacter("a slash")),
        ("Demo", .invalidCharacter("the upper-case letter \"D\"")),
        ("DEMO", .invalidCharacter("the upper-case letter \"D\"")),
        ("my shop", .invalidCharacter("a space")),
        (" demo", .invalidCharacter("a space")),
        ("my_shop", .invalidCharacter("an underscore")),
        ("café", .invalidCharacter("a character outside a-z")),
        ("a\u{0}b", .invalidCharacter("a control character")),
        ("demo\n", .invalidCharacter("a control character")),
        ("-demo", .hyphenAtEnd),
        ("demo-", .hyphenAtEnd),
        ("-", .hyphenAtEnd),
        ("xn--bcher-kva", .doubleHyphenInThirdPlace),
        ("ab--cd", .doubleHyphenInThirdPlace),
        (String(repeating: "a", count: 64), .tooLong(64)),
        (String(repeating: "b", count: 300), .tooLong(300)),
    ])
    func rejectsInvalidSlug(_ text: String, _ reason: SlugError.Reason) {
        #expect(throws: SlugError(slug: text, reason: reason)) {
            try Slug(text)
        }
    }

    @Test(arguments: [
        "www", "admin", "api", "app", "status", "mail", "operator", "operators", "platform",
        "help", "support", "billing", "static", "assets", "cdn", "smtp", "imap", "pop", "ftp",
        "ns1", "ns2", "localhost",
    ])
    func rejectsReservedSlug(_ text: String) {
        #expect(throws: SlugError(slug: text, reason: .reserved)) {
            try Slug(text)
        }
    }

    @Test func messagesSayWhatIsAllowed() {
        let inputs = ["", "..", "Demo", "-a", "ab--c", String(repeating: "z", count: 70)]
        for input in inputs {
            do {
                _ = try Slug(input)
                Issue.record("\(input) was accepted")
            } catch {
                #expect(error.description.contains("lower-case letters a-z, digits and hyphens"))
            }
        }
        do {
            _ = try Slug("admin")
            Issue.record("admin was accepted")
        } catch {
            #expect(error.description == "The store address \"admin\" is reserved for the platform. Choose another name.")
        }
    }

    @Test func longInputIsShortenedInMessage() {
        let long = String(repeating: "q", count: 500)
        do {
            _ = try Slug(long)
            Issue.record("a 500-character slug was accepted")
        } catch {
            #expect(error.description.count < 250)
            #expect(error.description.contains("500 characters"))
        }
    }
}
