import Foundation

extension MailMessage {
    /// Renders the message as RFC 5322 bytes: 7-bit, CRLF line endings, every line at most
    /// 76 characters except a header line with one unfoldable word of an extra header
    /// or a long Message-ID, and a final CRLF.
    ///
    /// With an HTML part the body is `multipart/alternative` with the text part first,
    /// since readers show the last part they support (RFC 2046, section 5.1.4). The same
    /// message always renders to the same bytes.
    public func render() -> [UInt8] {
        var fields: [String] = []
        fields.append(HeaderText.fold(name: "Date", words: MailDate.format(date).split(separator: " ").map(String.init)))
        fields.append(Self.addressField("From", [from]))
        if let replyTo {
            fields.append(Self.addressField("Reply-To", [replyTo]))
        }
        fields.append(Self.addressField("To", to))
        fields.append(HeaderText.fold(name: "Subject", words: Self.subjectWords(subject)))
        fields.append(HeaderText.fold(name: "Message-ID", words: ["<\(messageID)>"]))
        fields.append("MIME-Version: 1.0")
        fields += extraHeaders.map(Self.foldedField)

        var output: [UInt8] = []
        guard let htmlBody else {
            fields += partHeaderFields(contentType: "text/plain")
            appendHeader(fields, to: &output)
            appendBody(bodyEncoding.encode(textBody), to: &output)
            return output
        }

        fields.append(HeaderText.fold(name: "Content-Type", words: ["multipart/alternative;", "boundary=\"\(mimeBoundary)\""]))
        appendHeader(fields, to: &output)
        for (contentType, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            output += Array("--\(mimeBoundary)\r\n".utf8)
            appendHeader(partHeaderFields(contentType: contentType), to: &output)
            // The CRLF before the next delimiter belongs to the delimiter (RFC 2046,
            // section 5.1.1), so it is added even after a body that ends with a line break.
            output += bodyEncoding.encode(body)
            output += [13, 10]
        }
        output += Array("--\(mimeBoundary)--\r\n".utf8)
        return output
    }

    // MARK: - Header fields

    private func partHeaderFields(contentType: String) -> [String] {
        ["Content-Type: \(contentType); charset=utf-8", "Content-Transfer-Encoding: \(bodyEncoding.rawValue)"]
    }

    /// Writes header fields followed by the empty line that ends a header section.
    private func appendHeader(_ fields: [String], to output: inout [UInt8]) {
        for field in fields {
            output += Array(field.utf8)
            output += [13, 10]
        }
        output += [13, 10]
    }

    /// Writes a single-part body with the final CRLF that the message must end with.
    private func appendBody(_ body: [UInt8], to output: inout [UInt8]) {
        output += body
        if !body.isEmpty && !body.ends(with: [13, 10]) {
            output += [13, 10]
        }
    }

    static func foldedField(_ header: MailHeader) -> String {
        // Extra headers are often structured (List-Unsubscribe contains URLs), and an
        // encoded-word there would change their meaning, so ASCII values are never encoded.
        let isASCII = header.value.unicodeScalars.allSatisfy { $0.value < 0x7F }
        let words = isASCII
            ? HeaderText.words(of: header.value)
            : EncodedWord.encode(header.value, firstLength: HeaderText.lineLimit - header.name.utf8.count - 2)
        return HeaderText.fold(name: header.name, words: words)
    }

    /// Plain words when the subject is ASCII and every word fits on a line, encoded-words
    /// otherwise.
    static func subjectWords(_ subject: String) -> [String] {
        let room = HeaderText.lineLimit - "Subject: ".utf8.count
        if HeaderText.isPlainASCII(subject) {
            let words = HeaderText.words(of: subject)
            if words.allSatisfy({ $0.utf8.count <= room }) {
                return words
            }
        }
        return EncodedWord.encode(subject, firstLength: room)
    }

    /// Renders an address list header: mailboxes separated by commas, folded between words.
    static func addressField(_ name: String, _ mailboxes: [MailAddress]) -> String {
        var words: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            let firstLength = index == 0 ? HeaderText.lineLimit - name.utf8.count - 2 : EncodedWord.maximumLength
            var mailboxWords = self.mailboxWords(mailbox, firstLength: firstLength)
            if index < mailboxes.count - 1 {
                mailboxWords[mailboxWords.count - 1] += ","
            }
            words += mailboxWords
        }
        return HeaderText.fold(name: name, words: words)
    }

    private static func mailboxWords(_ mailbox: MailAddress, firstLength: Int) -> [String] {
        guard let name = mailbox.name else {
            return [mailbox.address]
        }
        return displayNameWords(name, firstLength: firstLength) + ["<\(mailbox.address)>"]
    }

    /// Returns a display name as an RFC 5322 phrase. That is atoms when the name contains
    /// only atom characters and spaces, and a quoted-string when it contains other ASCII.
    /// A name with non-ASCII characters, or too long for a quoted-string on one line,
    /// becomes encoded-words.
    static func displayNameWords(_ name: String, firstLength: Int) -> [String] {
        if HeaderText.isPlainASCII(name) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            let isAtomPhrase = !trimmed.isEmpty && trimmed.unicodeScalars.allSatisfy { HeaderText.isAtext($0) || $0 == " " }
            if isAtomPhrase {
                let words = HeaderText.words(of: trimmed)
                if words.allSatisfy({ $0.utf8.count <= firstLength }) {
                    return words
                }
            } else {
                let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                let quoted = "\"" + escaped + "\""
                if quoted.utf8.count <= firstLength {
                    return [quoted]
                }
            }
        }
        return EncodedWord.encode(name, firstLength: firstLength)
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
