@testable import HTTPServer
import Testing

/// Feeds raw bytes to the parser the way a connection does: unconsumed bytes are passed
/// again, first, with the next piece.
struct ParserDriver {
    var parser: RequestParser
    var pending: [UInt8] = []
    var sawHead = false

    init(maxBodySize: Int = 1024, maxHeaderCount: Int = 100) {
        parser = RequestParser(limits: .init(
            maxRequestLineLength: 8192, maxHeaderSize: 32 * 1024, maxHeaderCount: maxHeaderCount,
            maxBodySize: maxBodySize))
    }

    /// Returns the parsed head and body once a whole request has arrived, nil before that.
    mutating func feed(_ bytes: [UInt8]) throws -> (head: RequestHead, body: [UInt8])? {
        pending.append(contentsOf: bytes)
        while true {
            let input = pending
            let result = try input.withUnsafeBytes { buffer in try parser.parse(buffer) }
            pending.removeFirst(result.consumed)
            switch result.event {
            case .needMoreData:
                return nil
            case .headComplete:
                sawHead = true
            case .messageComplete:
                let head = parser.head
                let body = parser.takeBody()
                parser.reset()
                return (head, body)
            }
        }
    }

    mutating func feed(_ text: String) throws -> (head: RequestHead, body: [UInt8])? {
        try feed(Array(text.utf8))
    }
}

func parseError(_ text: String, maxBodySize: Int = 1024) -> RequestParseError? {
    var driver = ParserDriver(maxBodySize: maxBodySize)
    do {
        _ = try driver.feed(text)
        return nil
    } catch {
        return error as? RequestParseError
    }
}

@Suite struct ParserTests {
    @Test func simpleGetParses() throws {
        var driver = ParserDriver()
        let result = try #require(try driver.feed("GET /a%20b?x=1&y=%C3%A9 HTTP/1.1\r\nHost: shop.test\r\nAccept: */*\r\n\r\n"))
        #expect(result.head.method == .get)
        #expect(result.head.target == "/a%20b?x=1&y=%C3%A9")
        #expect(result.head.requestTarget.path == "/a b")
        #expect(result.head.requestTarget.rawPath == "/a%20b")
        #expect(result.head.requestTarget.query["x"] == "1")
        #expect(result.head.requestTarget.query["y"] == "é")
        #expect(result.head.version == .http1_1)
        #expect(result.head.headers["host"] == "shop.test")
        #expect(result.head.headers.count == 2)
        #expect(result.head.keepAlive)
        #expect(result.body.isEmpty)
    }

    @Test func byteAtATimeParsesSameAsWhole() throws {
        let text = "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nX-Note:  spaced value \t\r\n\r\nhello world"
        var driver = ParserDriver()
        var result: (head: RequestHead, body: [UInt8])?
        for (index, byte) in text.utf8.enumerated() {
            result = try driver.feed([byte])
            if index < text.utf8.count - 1 {
                #expect(result == nil, "complete too early at byte \(index)")
            }
        }
        let parsed = try #require(result)
        #expect(parsed.head.method == .post)
        #expect(parsed.head.headers["x-note"] == "spaced value")
        #expect(String(decoding: parsed.body, as: UTF8.self) == "hello world")
    }

    @Test func chunkedBodyIsDecodedAndTrailersDropped() throws {
        var driver = ParserDriver()
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let result = try #require(try driver.feed(text))
        #expect(String(decoding: result.body, as: UTF8.self) == "hello world")
        #expect(result.head.framing == .chunked)
        #expect(result.head.headers["X-Trailer"] == nil)
    }

    @Test func chunkedBodySplitAcrossReads() throws {
        var driver = ParserDriver()
        let pieces = ["POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", "A", "\r", "\n0123", "45678",
                      "9\r", "\n", "0\r\n", "\r\n"]
        var result: (head: RequestHead, body: [UInt8])?
        for piece in pieces {
            #expect(result == nil)
            result = try driver.feed(piece)
        }
        #expect(String(decoding: try #require(result).body, as: UTF8.self) == "0123456789")
    }

    @Test func pipelinedRequestsParseOneAtATime() throws {
        var driver = ParserDriver()
        let first = try #require(try driver.feed("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(first.head.requestTarget.path == "/1")
        let second = try #require(try driver.feed([]))
        #expect(second.head.requestTarget.path == "/2")
    }

    @Test func keepAliveDefaultsFollowVersion() throws {
        var driver = ParserDriver()
        #expect(try #require(try driver.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).head.keepAlive)
        #expect(try #require(try driver.feed("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n")).head.keepAlive == false)
        #expect(try #require(try driver.feed("GET / HTTP/1.0\r\n\r\n")).head.keepAlive == false)
        #expect(try #require(try driver.feed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).head.keepAlive)
    }

    @Test func higherMinorVersionIsTreatedAsHTTP11() throws {
        var driver = ParserDriver()
        #expect(try #require(try driver.feed("GET / HTTP/1.7\r\nHost: a\r\n\r\n")).head.version == .http1_1)
    }

    @Test func absoluteFormReplacesHost() throws {
        var driver = ParserDriver()
        let result = try #require(try driver.feed("GET http://Shop.Example:8080/p/1?q=2 HTTP/1.1\r\nHost: other\r\n\r\n"))
        #expect(result.head.requestTarget.path == "/p/1")
        #expect(result.head.requestTarget.query["q"] == "2")
        #expect(result.head.headers["Host"] == "Shop.Example:8080")
        #expect(result.head.headers.values(for: "Host").count == 1)
    }

    @Test func absoluteFormWithoutPathMeansRoot() throws {
        var driver = ParserDriver()
        let result = try #require(try driver.feed("GET https://shop.example HTTP/1.1\r\nHost: shop.example\r\n\r\n"))
        #expect(result.head.requestTarget.path == "/")
    }

    @Test func asteriskFormOnlyForOptions() throws {
        var driver = ParserDriver()
        #expect(try #require(try driver.feed("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")).head.requestTarget.path == "*")
        #expect(parseError("GET * HTTP/1.1\r\nHost: a\r\n\r\n")?.status == .badRequest)
    }

    @Test func leadingEmptyLinesAreSkipped() throws {
        var driver = ParserDriver()
        #expect(try driver.feed("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") != nil)
    }

    @Test func identicalContentLengthsAreAccepted() throws {
        var driver = ParserDriver()
        let result = try #require(try driver.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"))
        #expect(result.body == Array("abc".utf8))
    }

    @Test func expectContinueIsNoted() throws {
        var driver = ParserDriver()
        _ = try driver.feed("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n")
        #expect(driver.sawHead)
        #expect(driver.parser.head.expectsContinue)
        #expect(driver.parser.isReadingBody)
    }

    @Test func expectationInHTTP10IsIgnored() throws {
        var driver = ParserDriver()
        let result = try #require(try driver.feed("GET / HTTP/1.0\r\nExpect: something-else\r\n\r\n"))
        #expect(result.head.expectsContinue == false)
    }

    @Test func obsTextInValueIsKeptAsLatin1() throws {
        var driver = ParserDriver()
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8)
        let result = try #require(try driver.feed(bytes))
        #expect(result.head.headers["X-Name"] == "café")
    }

    @Test func bodyLimitAppliesWhileDechunking() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
        #expect(parseError(text, maxBodySize: 12)?.status == .contentTooLarge)
        #expect(parseError(text, maxBodySize: 16) == nil)
    }

    @Test func endlessRequestLineIsRejectedBeforeItEnds() {
        var driver = ParserDriver()
        var caught: RequestParseError?
        do {
            _ = try driver.feed("GET /")
            for _ in 0..<100 {
                _ = try driver.feed(String(repeating: "a", count: 100))
            }
        } catch {
            caught = error as? RequestParseError
        }
        #expect(caught?.status == .uriTooLong)
    }

    @Test func tooManyHeaderFieldsIsRejected() {
        var driver = ParserDriver(maxHeaderCount: 3)
        var caught: RequestParseError?
        do {
            _ = try driver.feed("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
        } catch {
            caught = error as? RequestParseError
        }
        #expect(caught?.status == .requestHeaderFieldsTooLarge)
    }

    /// Each input must be rejected with the given status.
    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", 400),  // no Host on 1.1
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", 400),
        ("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /\r\nHost: a\r\n\r\n", 400),
        ("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /?q=%G1 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http://user@host/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET ftp://host/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("CONNECT host:443 HTTP/1.1\r\nHost: host:443\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\n", 417),
        ("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ])
    func malformedInputIsRejected(input: String, status: Int) {
        let error = parseError(input)
        #expect(error?.status.code == status, "input: \(input.debugDescription)")
        #expect(error?.message.isEmpty == false)
    }
}
