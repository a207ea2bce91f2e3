import Foundation
@testable import Mail
import Testing

/// Builds a message with a fixed Message-ID and date, so its rendering is predictable.
func makeMessage(
    fromName: String? = "Café Olé",
    toName: String? = "Ana Pérez",
    replyTo: MailAddress? = nil,
    subject: String = "Your order 1042",
    text: String = "Hello Ana,\nthank you for your order.\n",
    html: String? = "<p>Hello Ana,</p>\n<p>thank you for your order.</p>\n",
    extraHeaders: [MailHeader] = [],
    bodyEncoding: BodyEncoding = .quotedPrintable
) throws -> MailMessage {
    try MailMessage(
        from: MailAddress("stores@storefleet.example", name: fromName),
        to: [MailAddress("ana@example.com", name: toName)],
        replyTo: replyTo,
        subject: subject,
        textBody: text,
        htmlBody: html,
        messageID: "4f1c2d3e@mail.storefleet.example",
        date: Date(timeIntervalSince1970: 1_764_880_680), // Thu, 04 Dec 2025 20:38:00 UTC
        extraHeaders: extraHeaders,
        bodyEncoding: bodyEncoding
    )
}

@Suite struct MessageRenderingTests {
    @Test func multipartMessageRendersExactly() throws {
        let message = try makeMessage(
            fromName: "Cafe Ole",
            toName: "Ana Perez",
            replyTo: MailAddress("hello@cafe-ole.example", name: "Cafe Ole"),
            extraHeaders: [MailHeader("X-Storefleet-Store", "st_123")]
        )
        let boundary = message.mimeBoundary
        let expected = """
            Date: Thu, 04 Dec 2025 20:38:00 +0000\r
            From: Cafe Ole <stores@storefleet.example>\r
            Reply-To: Cafe Ole <hello@cafe-ole.example>\r
            To: Ana Perez <ana@example.com>\r
            Subject: Your order 1042\r
            Message-ID: <4f1c2d3e@mail.storefleet.example>\r
            MIME-Version: 1.0\r
            X-Storefleet-Store: st_123\r
            Content-Type: multipart/alternative;\r
             boundary="\(boundary)"\r
            \r
            --\(boundary)\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Hello Ana,\r
            thank you for your order.\r
            \r
            --\(boundary)\r
            Content-Type: text/html; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Hello Ana,</p>\r
            <p>thank you for your order.</p>\r
            \r
            --\(boundary)--\r

            """
        #expect(String(decoding: message.render(), as: UTF8.self) == expected)
    }

    @Test func textOnlyMessageHasOnePart() throws {
        let message = try makeMessage(fromName: nil, toName: nil, text: "Just text", html: nil)
        let rendered = RenderedMessage(message.render())

        #expect(rendered.field("From") == "stores@storefleet.example")
        #expect(rendered.field("To") == "ana@example.com")
        #expect(rendered.field("Content-Type") == "text/plain; charset=utf-8")
        #expect(rendered.field("Content-Transfer-Encoding") == "quoted-printable")
        #expect(rendered.body == "Just text\r\n")
        #expect(!rendered.text.contains(message.mimeBoundary))
    }

    @Test func boundaryStartsWithEqualsUnderscore() throws {
        let first = try makeMessage()
        let second = try makeMessage()

        #expect(first.mimeBoundary.hasPrefix("=_"))
        #expect(first.mimeBoundary.count <= 70)
        #expect(first.mimeBoundary != second.mimeBoundary)
    }

    @Test func renderingIsRepeatable() throws {
        let message = try makeMessage(subject: "Café ☕️ order")
        #expect(message.render() == message.render())
    }

    @Test func dateUsesEnglishNamesAndUTC() {
        let cases: [(TimeInterval, String)] = [
            (0, "Thu, 01 Jan 1970 00:00:00 +0000"),
            (1_764_880_680, "Thu, 04 Dec 2025 20:38:00 +0000"),
            (1_709_164_799.999, "Wed, 28 Feb 2024 23:59:59 +0000"),
            (1_709_251_200, "Fri, 01 Mar 2024 00:00:00 +0000"),
            (1_720_000_000, "Wed, 03 Jul 2024 09:46:40 +0000"),
        ]
        for (seconds, expected) in cases {
            #expect(MailDate.format(Date(timeIntervalSince1970: seconds)) == expected)
        }
    }

    @Test func generatedMessageIDsAreRandomHex() throws {
        let first = try MailMessage.makeMessageID(domain: "mail.storefleet.example")
        let second = try MailMessage.makeMessageID(domain: "mail.storefleet.example")
        let local = first.split(separator: "@")[0]

        #expect(first != second)
        #expect(first.hasSuffix("@mail.storefleet.example"))
        #expect(local.count == 32)
        #expect(local.allSatisfy { $0.isHexDigit })
        #expect(!local.contains { $0.isUppercase })
    }

    @Test func messageIDDomainInitializerGeneratesID() throws {
        let message = try MailMessage(
            from: MailAddress("stores@storefleet.example"), to: [MailAddress("ana@example.com")],
            subject: "Hi", textBody: "Hi", messageIDDomain: "mail.storefleet.example"
        )
        let rendered = RenderedMessage(message.render())

        #expect(message.messageID.hasSuffix("@mail.storefleet.example"))
        #expect(rendered.field("Message-ID") == "<\(message.messageID)>")
    }

    @Test func invalidMessageIDsRejected() {
        for domain in ["localhost", "bad domain.example", "", "mail..example.com", "-mail.example.com"] {
            #expect(throws: MailMessageError.self) { try MailMessage.makeMessageID(domain: domain) }
        }
        for id in ["<abc@mail.example.com>", "abc", "a b@mail.example.com", "abc@", "@mail.example.com", "a@b@mail.example.com"] {
            #expect(throws: MailMessageError.self) {
                try MailMessage(
                    from: MailAddress("stores@storefleet.example"), to: [MailAddress("ana@example.com")],
                    subject: "Hi", textBody: "Hi", messageID: id
                )
            }
        }
    }

    @Test func messageWithoutRecipientsRejected() throws {
        #expect(throws: MailMessageError.noRecipients) {
            try MailMessage(
                from: MailAddress("stores@storefleet.example"), to: [],
                subject: "Hi", textBody: "Hi", messageIDDomain: "mail.storefleet.example"
            )
        }
    }

    @Test func everyLineEndsWithCRLF() throws {
        let message = try makeMessage(
            subject: "Olé, a long subject that needs folding because it goes on and on and on past the limit",
            text: "unix\nwindows\r\nold mac\rmixed\n\r\nend",
            html: "<p>a</p>\r<p>b</p>\n"
        )
        let bytes = message.render()

        for (index, byte) in bytes.enumerated() {
            if byte == 10 {
                #expect(bytes[max(index - 1, 0)] == 13, "LF without CR at byte \(index)")
            }
            if byte == 13 {
                #expect(bytes[min(index + 1, bytes.count - 1)] == 10, "CR without LF at byte \(index)")
            }
        }
        #expect(bytes.suffix(2) == [13, 10])
    }

    @Test func renderedMessageIsSevenBitWithShortLines() throws {
        let message = try makeMessage(
            fromName: "Überraschung Geschenke & Co. — der Laden für alles, was Freude macht",
            toName: "Zoë 👩‍👩‍👧‍👦 Family",
            subject: String(repeating: "Très bon café ☕️ ", count: 8),
            text: String(repeating: "Grüße aus Köln! ", count: 30) + "\n" + String(repeating: "x", count: 300),
            html: "<p>" + String(repeating: "ação ", count: 60) + "</p>"
        )
        let rendered = RenderedMessage(message.render())

        #expect(rendered.bytes.allSatisfy { $0 < 128 })
        for line in rendered.lines {
            #expect(line.utf8.count <= 76, "line of \(line.utf8.count) characters: \(line)")
        }
    }

    @Test func headersFoldAtSpaces() throws {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let message = try makeMessage(subject: subject)
        let field = try #require(RenderedMessage(message.render()).field("Subject"))

        #expect(field.contains("\r\n "))
        #expect(MIMEDecoding.unfold(field) == subject)
    }

    @Test func subjectSpacesSurviveFolding() throws {
        let subject = "Two  spaces and a long tail " + String(repeating: "abc ", count: 20) + "end"
        let message = try makeMessage(subject: subject)
        let field = try #require(RenderedMessage(message.render()).field("Subject"))

        #expect(MIMEDecoding.unfold(field) == subject)
        #expect(!field.components(separatedBy: "\r\n").contains { $0.allSatisfy { $0 == " " } })
    }

    @Test func subjectIsTrimmed() throws {
        let message = try makeMessage(subject: "  Welcome  ")
        #expect(message.subject == "Welcome")
        #expect(RenderedMessage(message.render()).field("Subject") == "Welcome")
    }

    @Test func multipleRecipientsAreCommaSeparated() throws {
        let message = try MailMessage(
            from: MailAddress("stores@storefleet.example"),
            to: [MailAddress("ana@example.com", name: "Ana"), MailAddress("bo@example.com"), MailAddress("cy@example.com", name: "Cy Ñ")],
            subject: "Hi", textBody: "Hi", messageID: "1@mail.storefleet.example"
        )
        let field = try #require(RenderedMessage(message.render()).field("To"))

        #expect(MIMEDecoding.unfold(field) == "Ana <ana@example.com>, bo@example.com, =?UTF-8?B?Q3kgw5E=?= <cy@example.com>")
    }

    @Test func extraHeaderKeepsLongURLUnencoded() throws {
        let url = "<https://shop.example/unsubscribe?token=" + String(repeating: "a", count: 120) + ">"
        let message = try makeMessage(extraHeaders: [MailHeader("List-Unsubscribe", url)])

        #expect(RenderedMessage(message.render()).field("List-Unsubscribe") == url)
    }

    @Test func extraHeaderWithNonASCIIIsEncoded() throws {
        let message = try makeMessage(extraHeaders: [MailHeader("X-Store-Name", "Café Olé")])
        let field = try #require(RenderedMessage(message.render()).field("X-Store-Name"))

        #expect(field.hasPrefix("=?UTF-8?"))
        #expect(MIMEDecoding.encodedWords(field) == "Café Olé")
    }

    @Test func unfoldableExtraHeaderRejected() throws {
        let value = String(repeating: "a", count: 1000)
        #expect(throws: MailMessageError.headerLineTooLong(field: "X-Long", length: 1008)) {
            try makeMessage(extraHeaders: [MailHeader("X-Long", value)])
        }
    }

    @Test func base64BodyDecodesToCanonicalText() throws {
        let text = "Línea uno\nLínea dos\n" + String(repeating: "ü", count: 100)
        let message = try makeMessage(text: text, html: nil, bodyEncoding: .base64)
        let rendered = RenderedMessage(message.render())
        let encoded = rendered.body.replacingOccurrences(of: "\r\n", with: "")
        let decoded = try #require(Data(base64Encoded: encoded))

        #expect(rendered.field("Content-Transfer-Encoding") == "base64")
        #expect(String(decoding: decoded, as: UTF8.self) == text.replacingOccurrences(of: "\n", with: "\r\n"))
        for line in rendered.body.components(separatedBy: "\r\n") {
            #expect(line.count <= 76)
        }
    }

    @Test func partsDecodeToOriginalText() throws {
        let text = "Olá, obrigado!\nTotal: 12,50 €\n.\n..leading dots\ntrailing space \nend"
        let html = "<p style=\"color: red\">Olá = 👋</p>"
        let message = try makeMessage(text: text, html: html)
        let rendered = RenderedMessage(message.render())
        let parts = rendered.body.components(separatedBy: "--\(message.mimeBoundary)")

        #expect(parts.count == 4)
        let textPart = try #require(parts[1].range(of: "\r\n\r\n").map { Array(parts[1][$0.upperBound...].utf8) })
        let htmlPart = try #require(parts[2].range(of: "\r\n\r\n").map { Array(parts[2][$0.upperBound...].utf8) })
        // The CRLF before each delimiter belongs to the delimiter.
        #expect(textPart.suffix(2) == [13, 10])
        #expect(htmlPart.suffix(2) == [13, 10])
        let decodedText = MIMEDecoding.quotedPrintable(Array(textPart.dropLast(2)))
        let decodedHTML = MIMEDecoding.quotedPrintable(Array(htmlPart.dropLast(2)))
        #expect(decodedText.map { String(decoding: $0, as: UTF8.self) } == text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(decodedHTML.map { String(decoding: $0, as: UTF8.self) } == html)
    }
}
