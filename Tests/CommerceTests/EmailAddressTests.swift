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
        ("<ann@x.com>", "Email “<ann@x.com>” has characters before the @ that an email address cannot contain; enter it as name@example.com."),
        ("mailto:ann@x.com", "Email “mailto:ann@x.com” has characters before the @ that an email address cannot contain; enter it as name@example.com."),
        ("añ@example.com", "Email “añ@example.com” has characters before the @ that an email address cannot contain; enter it as name@example.com."),
        (".ann@x.com", "Email “.ann@x.com” has characters before the @ that an email address cannot contain; enter it as name@example.com."),
        ("ann..b@x.com", "Email “ann..b@x.com” has characters before the @ that an email address cannot contain; enter it as name@example.com."),
        ("ann@x.com?x=1", "Email “ann@x.com?x=1” has an invalid domain after the @; enter it as name@example.com."),
        ("ann@x_y.com", "Email “ann@x_y.com” has an invalid domain after the @; enter it as name@example.com."),
        ("ann@café.example", "Email “ann@café.example” has an invalid domain after the @; enter it as name@example.com."),
        ("ann@10.0.0.1", "Email “ann@10.0.0.1” has an invalid domain after the @; enter it as name@example.com."),
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
