import Foundation
import Testing
import Commerce

@Suite struct EmailAddressTests {
    @Test(arguments: ["owner@shop.example", " Name+tag@Shop.Example ", "a.b@c.d.example"])
    func acceptedAddresses(text: String) throws {
        let address = try EmailAddress.validate(text).get()
        #expect(address == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: [
        ("", "Email is required."),
        ("owner", "Email “owner” is not an email address; enter it as name@example.com."),
        ("a@b@c.example", "Email “a@b@c.example” is not an email address; enter it as name@example.com."),
        ("@shop.example", "Email “@shop.example” is not an email address; enter it as name@example.com."),
        ("owner@localhost", "Email “owner@localhost” has an invalid domain after the @; enter it as name@example.com."),
        ("owner@shop..example", "Email “owner@shop..example” has an invalid domain after the @; enter it as name@example.com."),
        ("own er@shop.example", "Email “own er@shop.example” must not contain spaces or control characters."),
    ])
    func rejectedAddresses(text: String, message: String) {
        guard case .failure(let error) = EmailAddress.validate(text) else {
            Issue.record("“\(text)” was accepted")
            return
        }
        #expect(error.message == message)
    }

    @Test func keyIgnoresCaseAndSpaces() {
        #expect(EmailAddress.key(" Owner@Shop.Example") == "owner@shop.example")
    }
}
