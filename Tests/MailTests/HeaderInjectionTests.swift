import Foundation
@testable import Mail
import Testing

@Suite struct HeaderInjectionTests {
    @Test func subjectWithLineBreakRejected() throws {
        for subject in ["Hi\r\nBcc: victim@example.com", "Hi\nBcc: victim@example.com", "Hi\rX: y"] {
            #expect(throws: MailMessageError.lineBreakInHeader(field: "subject", value: subject)) {
                try makeMessage(subject: subject)
            }
        }
    }

    @Test func displayNameWithLineBreakRejected() {
        let name = "Shop\r\nBcc: victim@example.com"
        #expect(throws: MailMessageError.lineBreakInHeader(field: "display name", value: name)) {
            try MailAddress("shop@example.com", name: name)
        }
    }

    @Test func addressWithLineBreakRejected() {
        let address = "shop@example.com\r\nBcc: victim@example.com"
        #expect(throws: MailMessageError.lineBreakInHeader(field: "email address", value: address)) {
            try MailAddress(address)
        }
    }

    @Test func extraHeaderValueWithLineBreakRejected() {
        let value = "yes\r\nBcc: victim@example.com"
        #expect(throws: MailMessageError.lineBreakInHeader(field: "X-Campaign header", value: value)) {
            try MailHeader("X-Campaign", value)
        }
    }

    @Test func extraHeaderNameWithSeparatorsRejected() {
        for name in ["X-A: b", "X A", "Bcc:\r\nX", "", "X-Ü"] {
            #expect(throws: MailMessageError.invalidHeaderName(name)) {
                try MailHeader(name, "value")
            }
        }
    }

    @Test func reservedHeaderNamesRejected() {
        for name in ["Bcc", "from", "CONTENT-TYPE", "Message-ID", "Date", "Sender"] {
            #expect(throws: MailMessageError.reservedHeaderName(name)) {
                try MailHeader(name, "x")
            }
        }
    }

    @Test func otherControlCharactersRejected() {
        for subject in ["tab\there", "nul\u{0}", "escape\u{1B}[31m", "next line\u{85}", "separator\u{2028}"] {
            #expect(throws: MailMessageError.controlCharacter(field: "subject", value: subject)) {
                try makeMessage(subject: subject)
            }
        }
    }

    @Test func errorMessageShowsEscapedValue() {
        let error = MailMessageError.lineBreakInHeader(field: "subject", value: "Hi\r\nBcc: x")
        let description = error.description

        #expect(description.contains("\"Hi\\r\\nBcc: x\""))
        #expect(!description.contains("\n"))
        #expect(description.contains("subject"))
    }

    @Test func validAddressesAccepted() throws {
        for address in ["a@example.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie", "x_y-z@xn--caf-dma.example", "1234@example.com"] {
            let mailbox = try MailAddress(address)
            #expect(mailbox.address == address)
        }
    }

    @Test func invalidAddressesRejected() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("plain", "exactly one @"),
            ("a@b@example.com", "exactly one @"),
            ("a@localhost", "no dot"),
            ("a b@example.com", "space"),
            ("<a@example.com>", "bracket"),
            ("a@[192.0.2.1]", "bracket"),
            (".a@example.com", "dot"),
            ("a.@example.com", "dot"),
            ("a..b@example.com", "dot"),
            ("a@-example.com", "hyphen"),
            ("a@example..com", "empty label"),
            ("josé@example.com", "non-ASCII"),
            ("a@exämple.com", "non-ASCII"),
            ("a@192.0.2.1", "IP addresses"),
            ("a(b)@example.com", "not allowed"),
            ("a\"b@example.com", "not allowed"),
            ("@example.com", "before the @"),
            ("a@", "empty"),
            (String(repeating: "x", count: 65) + "@example.com", "longer than 64"),
            ("a@" + String(repeating: "x", count: 64) + ".com", "longer than 63"),
        ]
        for (address, reasonFragment) in cases {
            do {
                _ = try MailAddress(address)
                Issue.record("\(address.debugDescription) was accepted")
            } catch let error {
                guard case let .invalidAddress(value, reason) = error else {
                    Issue.record("\(address.debugDescription) gave \(error)")
                    continue
                }
                #expect(value == address)
                #expect(reason.contains(reasonFragment), "\(address.debugDescription): \(reason)")
            }
        }
    }

    @Test func emptyDisplayNameBecomesNil() throws {
        let mailbox = try MailAddress("a@example.com", name: "")
        #expect(mailbox.name == nil)
        #expect(mailbox.description == "a@example.com")
    }
}
