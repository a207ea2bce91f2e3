import HTTPServer
import Testing

@Suite struct URLEncodedFormTests {
    private let formType = "application/x-www-form-urlencoded"

    private func decode(_ body: String, contentType: String? = "application/x-www-form-urlencoded",
                        limits: FormLimits = .default) throws -> FormParameters {
        try RequestFixture.post(contentType: contentType, body: body).urlEncodedForm(limits: limits)
    }

    private func status(of body: String, contentType: String? = "application/x-www-form-urlencoded",
                        limits: FormLimits = .default) -> Int? {
        do {
            _ = try decode(body, contentType: contentType, limits: limits)
            return nil
        } catch let error as HTTPError {
            return error.status.code
        } catch {
            return -1
        }
    }

    @Test func plainFieldsKeepOrder() throws {
        let form = try decode("name=Ada&city=London")
        #expect(form.pairs.map(\.name) == ["name", "city"])
        #expect(form["name"] == "Ada")
        #expect(form["city"] == "London")
    }

    @Test func plusDecodesToSpace() throws {
        let form = try decode("q=red+shoes&literal=a%2Bb")
        #expect(form["q"] == "red shoes")
        #expect(form["literal"] == "a+b")
    }

    @Test func percentEscapesDecodeAsUTF8() throws {
        let form = try decode("city=Z%C3%BCrich&note=50%25+off&amp=a%26b%3Dc")
        #expect(form["city"] == "Zürich")
        #expect(form["note"] == "50% off")
        #expect(form["amp"] == "a&b=c")
    }

    @Test func emptyValuesAndBareNames() throws {
        let form = try decode("a=&b&=orphan&&c=3")
        #expect(form["a"] == "")
        #expect(form["b"] == "")
        #expect(form[""] == "orphan")
        #expect(form["c"] == "3")
        #expect(form.pairs.count == 4)
    }

    @Test func emptyBodyGivesNoFields() throws {
        let form = try decode("")
        #expect(form.isEmpty)
    }

    @Test func repeatedNamesKeepEveryValue() throws {
        let form = try decode("tag=red&size=m&tag=blue&tag=")
        #expect(form["tag"] == "red")
        #expect(form.values(for: "tag") == ["red", "blue", ""])
    }

    @Test func valueMayContainEqualsSign() throws {
        let form = try decode("token=abc==&x=1=2")
        #expect(form["token"] == "abc==")
        #expect(form["x"] == "1=2")
    }

    @Test func combiningMarkAfterSeparatorStillSplits() throws {
        // U+0301 after `=` forms one Character with it, but the byte is still a separator.
        let form = try decode("a=\u{301}x&b\u{301}=2")
        #expect(form["a"] == "\u{301}x")
        #expect(form["b\u{301}"] == "2")
    }

    @Test func charsetUTF8IsAccepted() throws {
        #expect(try decode("a=1", contentType: "application/x-www-form-urlencoded; charset=utf-8")["a"] == "1")
        #expect(try decode("a=1", contentType: "Application/X-WWW-Form-URLEncoded;charset=\"UTF-8\"")["a"] == "1")
    }

    @Test func badEscapesAre400() {
        #expect(status(of: "a=%zz") == 400)
        #expect(status(of: "a=100%") == 400)
        #expect(status(of: "a=%4") == 400)
        #expect(status(of: "n%G1=1") == 400)
        #expect(status(of: "a=%FF%FE") == 400)
    }

    @Test func badEscapeMessageNamesTheField() throws {
        let error = try #require(throws: HTTPError.self) { try decode("ok=1&price=5%") }
        #expect(error.status == .badRequest)
        #expect(error.message.contains("value of field 2"))
        #expect(error.message.contains("price=5%"))
    }

    @Test func rawNonUTF8BodyIs400() throws {
        let request = RequestFixture.post(contentType: formType, body: [0x61, 0x3D, 0xFF])
        let error = try #require(throws: HTTPError.self) { try request.urlEncodedForm() }
        #expect(error.status == .badRequest)
        #expect(error.message.contains("UTF-8"))
    }

    @Test func wrongContentTypeIs415() throws {
        #expect(status(of: "a=1", contentType: "text/plain") == 415)
        #expect(status(of: "a=1", contentType: "multipart/form-data; boundary=x") == 415)
        #expect(status(of: "a=1", contentType: "application/json") == 415)

        let error = try #require(throws: HTTPError.self) { try decode("a=1", contentType: "application/json") }
        #expect(error.message.contains("application/json"))
    }

    @Test func missingContentTypeIs415() throws {
        let error = try #require(throws: HTTPError.self) { try decode("a=1", contentType: nil) }
        #expect(error.status == .unsupportedMediaType)
        #expect(error.message.contains("no Content-Type"))
    }

    @Test func otherCharsetIs415() throws {
        let error = try #require(throws: HTTPError.self) {
            try decode("a=1", contentType: "application/x-www-form-urlencoded; charset=iso-8859-1")
        }
        #expect(error.status == .unsupportedMediaType)
        #expect(error.message.contains("iso-8859-1"))
    }

    @Test func malformedContentTypeIs400() {
        #expect(status(of: "a=1", contentType: "application/x-www-form-urlencoded; charset") == 400)
        #expect(status(of: "a=1", contentType: "application/") == 400)
        #expect(status(of: "a=1", contentType: "application/x-www-form-urlencoded; charset=\"utf-8") == 400)
    }

    @Test func tooManyFieldsIs413() throws {
        let body = (1...1_001).map { "f\($0)=v" }.joined(separator: "&")
        let error = try #require(throws: HTTPError.self) { try decode(body) }
        #expect(error.status == .contentTooLarge)
        #expect(error.message.contains("1001 fields"))
        #expect(error.message.contains("1000"))
    }

    @Test func fieldLimitIsInclusiveAndConfigurable() throws {
        let thousand = (1...1_000).map { "f\($0)=v" }.joined(separator: "&")
        #expect(try decode(thousand).pairs.count == 1_000)

        let limits = FormLimits(maxFields: 3)
        #expect(try decode("a=1&b=2&&c=3&", limits: limits).pairs.count == 3)
        #expect(status(of: "a=1&b=2&c=3&d=4", limits: limits) == 413)
    }
}
