@testable import Mail
import Testing

@Suite struct QuotedPrintableTests {
    private func encode(_ text: String) -> String {
        String(decoding: BodyEncoding.quotedPrintable.encode(text), as: UTF8.self)
    }

    @Test func plainASCIIStaysLiteral() {
        #expect(encode("Hello, world! 1 + 1 < 3") == "Hello, world! 1 + 1 < 3")
    }

    @Test func equalsSignIsEscaped() {
        #expect(encode("a=b") == "a=3Db")
    }

    @Test func nonASCIIBecomesUpperCaseHex() {
        #expect(encode("café €") == "caf=C3=A9 =E2=82=AC")
    }

    @Test func trailingWhitespaceIsEncoded() {
        #expect(encode("space \ntab\t\nend ") == "space=20\r\ntab=09\r\nend=20")
    }

    @Test func innerWhitespaceStaysLiteral() {
        #expect(encode("a b\tc") == "a b\tc")
    }

    @Test func lineBreaksBecomeCRLF() {
        #expect(encode("a\nb\r\nc\rd") == "a\r\nb\r\nc\r\nd")
        #expect(encode("ends with newline\n") == "ends with newline\r\n")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(encode("bell\u{07}nul\u{00}") == "bell=07nul=00")
    }

    @Test func longLineGetsSoftBreaks() {
        let text = String(repeating: "a", count: 200)
        let encoded = encode(text)
        let lines = encoded.components(separatedBy: "\r\n")

        #expect(lines.count == 3)
        #expect(lines[0] == String(repeating: "a", count: 75) + "=")
        #expect(lines[1] == String(repeating: "a", count: 75) + "=")
        #expect(lines[2] == String(repeating: "a", count: 50))
    }

    @Test func lineOfExactlyMaximumStaysWhole() {
        let text = String(repeating: "b", count: 76)
        #expect(encode(text) == text)
    }

    @Test func escapesAreNeverSplit() {
        let text = String(repeating: "é", count: 50) + " " + String(repeating: "x=", count: 40)
        let encoded = encode(text)

        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "line of \(line.utf8.count): \(line)")
            // A soft break is a lone "=" at the end; an escape is "=" plus two hex digits.
            let body = line.hasSuffix("=") ? String(line.dropLast()) : line
            let bytes = Array(body.utf8)
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "=") {
                #expect(index + 2 < bytes.count, "escape cut at the end of \(line)")
            }
        }
        #expect(MIMEDecoding.quotedPrintable(Array(encoded.utf8)) == Array(text.utf8))
    }

    @Test func whitespaceBeforeSoftBreakIsAllowed() {
        // A space at position 75 is followed on its line by the soft break's "=", so it is
        // not trailing whitespace and stays literal.
        let text = String(repeating: "c", count: 74) + " " + "d" + String(repeating: "e", count: 10)
        let encoded = encode(text)
        let lines = encoded.components(separatedBy: "\r\n")

        #expect(lines[0] == String(repeating: "c", count: 74) + " =")
        #expect(MIMEDecoding.quotedPrintable(Array(encoded.utf8)) == Array(text.utf8))
    }

    @Test func trailingSpaceAtSoftBreakBoundary() {
        let text = String(repeating: "f", count: 74) + "  "
        let encoded = encode(text)

        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
            #expect(!line.hasSuffix(" "))
        }
        #expect(MIMEDecoding.quotedPrintable(Array(encoded.utf8)) == Array(text.utf8))
    }

    @Test func randomTextRoundTrips() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab =.\t\né€😀\r-") + [Character("\u{00}")]
        for _ in 0..<200 {
            let length = Int.random(in: 0...300, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let encoded = BodyEncoding.quotedPrintable.encode(text)
            let canonical = BodyEncoding.canonicalLines(of: text).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\r\n")

            #expect(MIMEDecoding.quotedPrintable(encoded) == Array(canonical.utf8))
            for line in String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76)
                #expect(!line.hasSuffix(" "))
                #expect(!line.hasSuffix("\t"))
            }
        }
    }
}
