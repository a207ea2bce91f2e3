@testable import Mail
import Testing

@Suite struct EncodedWordTests {
    @Test func mostlyASCIISubjectUsesQ() throws {
        let message = try makeMessage(subject: "Votre commande est expédiée")
        #expect(RenderedMessage(message.render()).field("Subject") == "=?UTF-8?Q?Votre_commande_est_exp=C3=A9di=C3=A9e?=")
    }

    @Test func shorterEncodingWins() throws {
        // Q needs 18 characters for these bytes and B 16.
        let message = try makeMessage(subject: "Café Olé")
        #expect(RenderedMessage(message.render()).field("Subject") == "=?UTF-8?B?Q2Fmw6kgT2zDqQ==?=")
    }

    @Test func emojiSubjectUsesB() throws {
        let message = try makeMessage(subject: "☕️🎉")
        let field = try #require(RenderedMessage(message.render()).field("Subject"))

        #expect(field == "=?UTF-8?B?4piV77iP8J+OiQ==?=")
        #expect(MIMEDecoding.encodedWords(field) == "☕️🎉")
    }

    @Test func qEncodesSpecialsInPhrases() {
        let words = EncodedWord.encode("a=b?c_d é", using: .q)
        #expect(words == ["=?UTF-8?Q?a=3Db=3Fc=5Fd_=C3=A9?="])
    }

    @Test func longSubjectSplitsIntoWords() throws {
        let subject = String(repeating: "Pedido confirmado: ¡gracias por comprar en nuestra tienda! ", count: 4)
            .trimmingCharacters(in: .whitespaces)
        let message = try makeMessage(subject: subject)
        let rendered = RenderedMessage(message.render())
        let field = try #require(rendered.field("Subject"))
        let words = field.split(whereSeparator: \.isWhitespace)

        #expect(words.count > 3)
        for word in words {
            #expect(word.utf8.count <= 75, "encoded-word of \(word.utf8.count) characters")
            #expect(word.hasPrefix("=?UTF-8?"))
            #expect(word.hasSuffix("?="))
        }
        for line in rendered.fields.first(where: { $0.hasPrefix("Subject:") })!.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
        }
        #expect(MIMEDecoding.encodedWords(field) == subject)
    }

    @Test func wordsNeverSplitACharacter() {
        let text = String(repeating: "👩‍👩‍👧‍👦é", count: 20)
        for encoding in [EncodedWord.Encoding.b, .q] {
            let words = EncodedWord.encode(text, using: encoding)
            var decoded = ""
            for word in words {
                #expect(word.utf8.count <= 75)
                // Each word decodes to valid UTF-8 by itself.
                let part = MIMEDecoding.encodedWords(word)
                #expect(part != nil, "word \(word) is not valid UTF-8 alone")
                decoded += part ?? ""
            }
            #expect(decoded == text)
        }
    }

    @Test func longASCIIWordInSubjectIsEncoded() throws {
        let subject = "Link: https://shop.example/" + String(repeating: "x", count: 80)
        let message = try makeMessage(subject: subject)
        let field = try #require(RenderedMessage(message.render()).field("Subject"))

        #expect(field.hasPrefix("=?UTF-8?"))
        #expect(MIMEDecoding.encodedWords(field) == subject)
    }

    @Test func encodedWordLookalikeInSubjectIsEncoded() throws {
        let subject = "Use code =?SAVE?= today"
        let message = try makeMessage(subject: subject)
        let field = try #require(RenderedMessage(message.render()).field("Subject"))

        #expect(field.hasPrefix("=?UTF-8?"))
        #expect(MIMEDecoding.encodedWords(field) == subject)
    }

    @Test func accentedDisplayNameIsEncoded() throws {
        let message = try makeMessage()
        let rendered = RenderedMessage(message.render())

        #expect(rendered.field("From") == "=?UTF-8?B?Q2Fmw6kgT2zDqQ==?= <stores@storefleet.example>")
        #expect(rendered.field("To") == "=?UTF-8?Q?Ana_P=C3=A9rez?= <ana@example.com>")
    }

    @Test func emojiDisplayNameIsEncoded() throws {
        let message = try makeMessage(fromName: "Flower Shop 🌷🌷🌷")
        let field = try #require(RenderedMessage(message.render()).field("From"))
        let name = try #require(field.components(separatedBy: " <").first)

        #expect(field.hasSuffix(" <stores@storefleet.example>"))
        #expect(MIMEDecoding.encodedWords(name) == "Flower Shop 🌷🌷🌷")
    }

    @Test func displayNameWithSpecialsIsQuoted() throws {
        let message = try makeMessage(fromName: "Smith, \"The\" Baker\\s")
        #expect(RenderedMessage(message.render()).field("From") == "\"Smith, \\\"The\\\" Baker\\\\s\" <stores@storefleet.example>")
    }

    @Test func longDisplayNameFoldsWithinLimits() throws {
        let name = "Überraschung Geschenke und Dekoration für Haus und Garten GmbH und Co. KG Filiale Köln"
        let message = try makeMessage(fromName: name)
        let rendered = RenderedMessage(message.render())
        let field = try #require(rendered.fields.first { $0.hasPrefix("From:") })
        let value = try #require(rendered.field("From"))
        let encodedName = try #require(value.components(separatedBy: " <").first)

        for line in field.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
        }
        #expect(MIMEDecoding.encodedWords(encodedName) == name)
    }
}
