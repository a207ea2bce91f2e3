import HTTPServer
import Testing

/// Writes a multipart/form-data body the way a browser does.
private struct MultipartBodyWriter {
    let boundary: String
    private(set) var bytes: [UInt8] = []

    init(boundary: String = "----StorefleetBoundary7MA4YWxkTrZu0gW") {
        self.boundary = boundary
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func append(_ text: String) {
        bytes += Array(text.utf8)
    }

    mutating func field(_ name: String, _ value: String) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    mutating func file(_ name: String, filename: String, contentType: String = "application/octet-stream",
                       content: [UInt8]) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: \(contentType)\r\n\r\n")
        bytes += content
        append("\r\n")
    }

    /// Appends a part with the given raw header lines, for malformed-header tests.
    mutating func part(headers: [String], content: String) {
        append("--\(boundary)\r\n")
        for line in headers { append(line + "\r\n") }
        append("\r\n\(content)\r\n")
    }

    mutating func close() {
        append("--\(boundary)--\r\n")
    }

    func request() -> Request {
        RequestFixture.post(contentType: contentType, body: bytes)
    }
}

private func multipartError(_ request: Request, limits: MultipartLimits = .default) throws -> HTTPError {
    try #require(throws: HTTPError.self) { try request.multipartForm(limits: limits) }
}

@Suite struct MultipartParsingTests {
    @Test func textAndFileParts() throws {
        var writer = MultipartBodyWriter()
        writer.field("title", "Blue mug")
        writer.field("price", "12.50")
        writer.file("photo", filename: "mug.png", contentType: "image/png", content: [0x89, 0x50, 0x4E, 0x47])
        writer.field("tags", "kitchen")
        writer.field("tags", "gift")
        writer.close()

        let form = try writer.request().multipartForm()
        #expect(form.fields.pairs.map(\.name) == ["title", "price", "tags", "tags"])
        #expect(form.fields["title"] == "Blue mug")
        #expect(form.fields.values(for: "tags") == ["kitchen", "gift"])
        let photo = try #require(form.file(forField: "photo"))
        #expect(photo.filename == "mug.png")
        #expect(photo.contentType == "image/png")
        #expect(photo.bytes == [0x89, 0x50, 0x4E, 0x47])
        #expect(photo.size == 4)
    }

    @Test func textFieldKeepsLineBreaksAndUnicode() throws {
        var writer = MultipartBodyWriter()
        writer.field("description", "Line one\r\nLine two\r\n\r\nÜmlaut ✓")
        writer.close()

        let form = try writer.request().multipartForm()
        #expect(form.fields["description"] == "Line one\r\nLine two\r\n\r\nÜmlaut ✓")
    }

    @Test func crlfInsideFileContentIsKept() throws {
        let content = Array("first\r\n\r\nsecond\r\n--\r\n\r\n".utf8)
        var writer = MultipartBodyWriter()
        writer.file("doc", filename: "notes.txt", contentType: "text/plain", content: content)
        writer.close()

        let file = try #require(try writer.request().multipartForm().file(forField: "doc"))
        #expect(file.bytes == content)
    }

    @Test func binaryBytesSurviveUnchanged() throws {
        var content: [UInt8] = []
        for round in 0..<64 {
            for byte in 0...255 { content.append(UInt8((byte + round) % 256)) }
        }
        var writer = MultipartBodyWriter()
        writer.file("blob", filename: "data.bin", content: content)
        writer.close()

        let file = try #require(try writer.request().multipartForm().file(forField: "blob"))
        #expect(file.bytes.count == content.count)
        #expect(file.bytes == content)
    }

    @Test func nearMissBoundariesStayInContent() throws {
        var writer = MultipartBodyWriter(boundary: "XyZ")
        let nearMisses = [
            "a\r\n--XyQ\r\nb",          // a different boundary
            "a\r\n--Xy",                // a cut-off boundary at the end of the content
            "a\r\n--XyZW\r\nb",         // the boundary followed by another character
            "a\r\n--XyZ-\r\nb",         // one dash is not the closing delimiter
            "a\r\n--XyZ--more\r\nb",    // closing dashes followed by text on the same line
            "a--XyZ\r\nb",              // no CRLF before the dashes
            "a\n--XyZ\r\nb",            // a bare LF before the dashes
        ]
        for (index, content) in nearMisses.enumerated() {
            writer.file("f\(index)", filename: "f\(index).txt", content: Array(content.utf8))
        }
        writer.close()

        let form = try writer.request().multipartForm()
        #expect(form.files.count == nearMisses.count)
        for (index, content) in nearMisses.enumerated() {
            #expect(form.file(forField: "f\(index)")?.bytes == Array(content.utf8), "near miss \(index)")
        }
    }

    @Test func preambleEpilogueAndPaddingAreIgnored() throws {
        let body = "This is the preamble.\r\n--b1 \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n"
            + "--b1--  \r\nThis is the epilogue, with --b1 in it.\r\n"
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=b1", body: body)

        let form = try request.multipartForm()
        #expect(form.fields.pairs.count == 1)
        #expect(form.fields["a"] == "value")
    }

    @Test func closingDelimiterMayEndBodyWithoutCRLF() throws {
        let body = "--b1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b1--"
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=b1", body: body)
        #expect(try request.multipartForm().fields["a"] == "1")
    }

    @Test func quotedBoundaryWithSpaces() throws {
        var writer = MultipartBodyWriter(boundary: "simple boundary:=?")
        writer.field("a", "1")
        writer.close()
        let request = RequestFixture.post(
            contentType: "multipart/form-data; boundary=\"simple boundary:=?\"", body: writer.bytes)
        #expect(try request.multipartForm().fields["a"] == "1")
    }

    @Test func formWithNoPartsIsEmpty() throws {
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=b1", body: "--b1--\r\n")
        let form = try request.multipartForm()
        #expect(form.fields.isEmpty)
        #expect(form.files.isEmpty)
    }

    @Test func emptyFileInputIsLeftOut() throws {
        var writer = MultipartBodyWriter()
        writer.field("title", "x")
        writer.file("photo", filename: "", content: [])
        writer.close()

        let form = try writer.request().multipartForm()
        #expect(form.files.isEmpty)
        #expect(form.fields["title"] == "x")
    }

    @Test func emptyFileWithNameIsKept() throws {
        var writer = MultipartBodyWriter()
        writer.file("doc", filename: "empty.txt", content: [])
        writer.close()
        let file = try #require(try writer.request().multipartForm().file(forField: "doc"))
        #expect(file.bytes.isEmpty)
        #expect(file.filename == "empty.txt")
    }

    @Test func multipleFilesForOneField() throws {
        var writer = MultipartBodyWriter()
        writer.file("images", filename: "a.jpg", contentType: "image/jpeg", content: [1])
        writer.file("images", filename: "b.jpg", contentType: "image/jpeg", content: [2])
        writer.close()

        let files = try writer.request().multipartForm().files(forField: "images")
        #expect(files.map(\.filename) == ["a.jpg", "b.jpg"])
        #expect(files.map(\.bytes) == [[1], [2]])
    }

    @Test func fileWithoutContentTypeDefaultsToTextPlain() throws {
        var writer = MultipartBodyWriter()
        writer.part(headers: ["Content-Disposition: form-data; name=\"f\"; filename=\"a\""], content: "hi")
        writer.close()
        let file = try #require(try writer.request().multipartForm().file(forField: "f"))
        #expect(file.contentType == "text/plain")
    }

    @Test func headerNamesAreCaseInsensitive() throws {
        var writer = MultipartBodyWriter()
        writer.part(headers: [
            "content-disposition: FORM-DATA; NAME=\"f\"; FileName=\"a.csv\"",
            "CONTENT-TYPE: text/csv",
            "X-Ignored: yes",
            "Content-Transfer-Encoding: binary",
        ], content: "1,2")
        writer.close()
        let file = try #require(try writer.request().multipartForm().file(forField: "f"))
        #expect(file.filename == "a.csv")
        #expect(file.contentType == "text/csv")
    }

    @Test func partWithoutHeadersIs400() throws {
        let body = "--b1\r\n\r\nvalue\r\n--b1--\r\n"
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=b1", body: body)
        let error = try multipartError(request)
        #expect(error.status == .badRequest)
        #expect(error.message.contains("no Content-Disposition"))
    }
}

@Suite struct MultipartFilenameTests {
    private func uploadedName(_ filename: String) throws -> String? {
        var writer = MultipartBodyWriter()
        writer.file("f", filename: filename, content: [0x41])
        writer.close()
        return try writer.request().multipartForm().file(forField: "f")?.filename
    }

    @Test func pathPartsAreRemoved() throws {
        #expect(try uploadedName("../../etc/passwd") == "passwd")
        #expect(try uploadedName("/var/www/index.html") == "index.html")
        #expect(try uploadedName("C:\\Users\\ada\\invoice.pdf") == "invoice.pdf")
        #expect(try uploadedName("dir/sub\\mixed.txt") == "mixed.txt")
    }

    @Test func dotNamesAndTrailingSlashBecomeEmpty() throws {
        #expect(try uploadedName("..") == "")
        #expect(try uploadedName(".") == "")
        #expect(try uploadedName("photos/") == "")
    }

    @Test func controlCharactersAndSpacesAreRemoved() throws {
        // A raw control byte other than tab is rejected with the header, so only tabs and
        // C1 controls (sent as UTF-8) reach the sanitiser.
        #expect(try uploadedName("  re\tport\u{85}.txt  ") == "report.txt")
    }

    @Test func controlCharactersFromExtendedFilenameAreRemoved() throws {
        var writer = MultipartBodyWriter()
        writer.part(headers: [
            "Content-Disposition: form-data; name=\"f\"; filename*=utf-8''evil%0D%0A%00name.txt",
        ], content: "x")
        writer.close()
        #expect(try writer.request().multipartForm().file(forField: "f")?.filename == "evilname.txt")
    }

    @Test func unicodeNameIsKept() throws {
        #expect(try uploadedName("Résumé — 2024.pdf") == "Résumé — 2024.pdf")
    }

    @Test func escapedQuoteIsUnescaped() throws {
        #expect(try uploadedName("say \\\"hi\\\".txt") == "say \"hi\".txt")
    }

    @Test func longNameIsCutKeepingExtension() throws {
        let name = try #require(try uploadedName(String(repeating: "é", count: 200) + ".jpeg"))
        #expect(name.utf8.count <= 255)
        #expect(name.hasSuffix(".jpeg"))
        #expect(name.hasPrefix("éééé"))
    }

    @Test func extendedFilenameIsPreferred() throws {
        var writer = MultipartBodyWriter()
        writer.part(headers: [
            "Content-Disposition: form-data; name=\"f\"; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt",
        ], content: "x")
        writer.close()
        #expect(try writer.request().multipartForm().file(forField: "f")?.filename == "€ rates.txt")
    }
}

@Suite struct MultipartErrorTests {
    @Test func missingFinalDelimiterIs400() throws {
        var writer = MultipartBodyWriter()
        writer.field("a", "1")
        writer.append("--\(writer.boundary)\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\ncut off here")

        let error = try multipartError(writer.request())
        #expect(error.status == .badRequest)
        #expect(error.message.contains("closing delimiter"))
    }

    @Test func bodyWithoutBoundaryIs400() throws {
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=abc", body: "a=1&b=2")
        let error = try multipartError(request)
        #expect(error.status == .badRequest)
        #expect(error.message.contains("\"--abc\""))
    }

    @Test func bareLFLineEndingsAre400() throws {
        let body = "--b1\nContent-Disposition: form-data; name=\"a\"\n\n1\n--b1--\n"
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=b1", body: body)
        let error = try multipartError(request)
        #expect(error.status == .badRequest)
        #expect(error.message.contains("CRLF"))
    }

    @Test func emptyBodyIs400() throws {
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=abc", body: "")
        #expect(try multipartError(request).status == .badRequest)
    }

    @Test func missingBoundaryParameterIs400() throws {
        let request = RequestFixture.post(contentType: "multipart/form-data", body: "--x--\r\n")
        let error = try multipartError(request)
        #expect(error.status == .badRequest)
        #expect(error.message.contains("no boundary"))
    }

    @Test func invalidBoundariesAre400() throws {
        let invalid = [
            "multipart/form-data; boundary=\"\"",
            "multipart/form-data; boundary=" + String(repeating: "a", count: 71),
            "multipart/form-data; boundary=\"ends with space \"",
            "multipart/form-data; boundary=semi;colon",
            "multipart/form-data; boundary=bad*star",
            "multipart/form-data; boundary=\"ümlaut\"",
        ]
        for contentType in invalid {
            let request = RequestFixture.post(contentType: contentType, body: "--x--\r\n")
            let error = try multipartError(request)
            #expect(error.status == .badRequest, "\(contentType)")
        }
    }

    @Test func seventyCharacterBoundaryIsValid() throws {
        var writer = MultipartBodyWriter(boundary: String(repeating: "b", count: 70))
        writer.field("a", "1")
        writer.close()
        #expect(try writer.request().multipartForm().fields["a"] == "1")
    }

    @Test func wrongOrMissingContentTypeIs415() throws {
        let wrong = RequestFixture.post(contentType: "application/x-www-form-urlencoded", body: "a=1")
        #expect(try multipartError(wrong).status == .unsupportedMediaType)
        let missing = RequestFixture.post(contentType: nil, body: "a=1")
        #expect(try multipartError(missing).status == .unsupportedMediaType)
    }

    @Test func malformedPartHeadersAre400() throws {
        let cases: [(headers: [String], expected: String)] = [
            (["Content-Type: text/plain"], "no Content-Disposition"),
            (["Content-Disposition: form-data"], "no name parameter"),
            (["Content-Disposition: attachment; name=\"a\""], "must be form-data"),
            (["Content-Disposition: form-data; name=\"a"], "malformed Content-Disposition"),
            (["Content-Disposition: form-data; name=\"a\"", "Content-Disposition: form-data; name=\"b\""],
             "two Content-Disposition"),
            (["Content-Disposition: form-data;", " name=\"a\""], "line folding"),
            (["Content-Disposition form-data; name=\"a\""], "malformed header line"),
            (["Content-Disposition: form-data; name=\"a\"", "Bad Name: x"], "malformed header line"),
            (["Content-Disposition: form-data; name=\"a\"\rX: y"], "control characters"),
            (["Content-Disposition: form-data; name=\"a\"", "Content-Type: /"], "malformed Content-Type"),
            (["Content-Disposition: form-data; name=\"a\"", "Content-Transfer-Encoding: base64"],
             "Content-Transfer-Encoding"),
        ]
        for (headers, expected) in cases {
            var writer = MultipartBodyWriter()
            writer.part(headers: headers, content: "x")
            writer.close()
            let error = try multipartError(writer.request())
            #expect(error.status == .badRequest, "\(headers)")
            #expect(error.message.contains(expected), "\(headers): \(error.message)")
            #expect(error.message.contains("Part 1"), "\(headers): \(error.message)")
        }
    }

    @Test func partWithoutBlankLineIs400() throws {
        let body = "--b1\r\nContent-Disposition: form-data; name=\"a\"\r\nvalue\r\n--b1--\r\n"
        let request = RequestFixture.post(contentType: "multipart/form-data; boundary=b1", body: body)
        let error = try multipartError(request)
        #expect(error.status == .badRequest)
        #expect(error.message.contains("no empty line"))
    }

    @Test func textFieldThatIsNotUTF8Is400() throws {
        var writer = MultipartBodyWriter()
        writer.append("--\(writer.boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n")
        writer.append("caf")
        var bytes = writer.bytes + [0xE9]
        bytes += Array("\r\n--\(writer.boundary)--\r\n".utf8)
        let request = RequestFixture.post(contentType: writer.contentType, body: bytes)

        let error = try multipartError(request)
        #expect(error.status == .badRequest)
        #expect(error.message.contains("\"note\""))
    }

    @Test func textFieldWithOtherCharsetIs415() throws {
        var writer = MultipartBodyWriter()
        writer.part(headers: [
            "Content-Disposition: form-data; name=\"note\"",
            "Content-Type: text/plain; charset=windows-1252",
        ], content: "x")
        writer.close()
        #expect(try multipartError(writer.request()).status == .unsupportedMediaType)
    }
}

@Suite struct MultipartLimitTests {
    @Test func tooManyPartsIs413() throws {
        var writer = MultipartBodyWriter()
        for index in 0..<101 { writer.field("f\(index)", "v") }
        writer.close()

        let error = try multipartError(writer.request())
        #expect(error.status == .contentTooLarge)
        #expect(error.message.contains("more than 100 parts"))

        let limits = MultipartLimits(maxParts: 101)
        #expect(try writer.request().multipartForm(limits: limits).fields.pairs.count == 101)
    }

    @Test func partOverDefaultTenMiBIs413() throws {
        var writer = MultipartBodyWriter()
        writer.file("video", filename: "big.bin", content: [UInt8](repeating: 0x2D, count: 10 * 1024 * 1024 + 1))
        writer.close()

        let error = try multipartError(writer.request())
        #expect(error.status == .contentTooLarge)
        #expect(error.message.contains("\"video\""))
        #expect(error.message.contains("10485760"))
    }

    @Test func partAtLimitIsAccepted() throws {
        var writer = MultipartBodyWriter()
        writer.file("logo", filename: "logo.png", content: [UInt8](repeating: 7, count: 1_024))
        writer.close()
        let limits = MultipartLimits(maxPartBytes: 1_024)
        #expect(try writer.request().multipartForm(limits: limits).file(forField: "logo")?.size == 1_024)

        let tighter = MultipartLimits(maxPartBytes: 1_023)
        #expect(try multipartError(writer.request(), limits: tighter).status == .contentTooLarge)
    }

    @Test func textFieldTotalOverLimitIs413() throws {
        var writer = MultipartBodyWriter()
        writer.field("a", String(repeating: "x", count: 600))
        writer.field("b", String(repeating: "y", count: 600))
        writer.file("c", filename: "c.txt", content: [UInt8](repeating: 0x7A, count: 5_000))
        writer.close()

        let limits = MultipartLimits(maxTextFieldBytes: 1_000)
        let error = try multipartError(writer.request(), limits: limits)
        #expect(error.status == .contentTooLarge)
        #expect(error.message.contains("\"b\""))

        // Files do not count towards the text limit.
        let roomy = MultipartLimits(maxTextFieldBytes: 1_200)
        #expect(try writer.request().multipartForm(limits: roomy).files.count == 1)
    }

    @Test func oversizedPartHeadersAre413() throws {
        var writer = MultipartBodyWriter()
        writer.part(headers: [
            "Content-Disposition: form-data; name=\"a\"",
            "X-Padding: " + String(repeating: "p", count: 300),
        ], content: "value that is long enough to pass the header limit check")
        writer.close()

        let limits = MultipartLimits(maxHeaderBytesPerPart: 256)
        let error = try multipartError(writer.request(), limits: limits)
        #expect(error.status == .contentTooLarge)
        #expect(error.message.contains("256 bytes"))
        #expect(try writer.request().multipartForm().fields["a"] != nil)
    }
}
