import Foundation
import HTTPServer
import Testing

@Suite struct RequestCookieTests {
    private func cookies(_ headerValues: String...) -> [String: String] {
        var headers = HTTPHeaders()
        for value in headerValues { headers.add("Cookie", value) }
        return RequestFixture.make(headers: headers).cookies
    }

    @Test func simplePairs() {
        let parsed = cookies("session=abc123; theme=dark")
        #expect(parsed == ["session": "abc123", "theme": "dark"])
    }

    @Test func noCookieHeaderGivesEmpty() {
        #expect(RequestFixture.make().cookies.isEmpty)
    }

    @Test func firstDuplicateWins() {
        let parsed = cookies("id=specific; id=general; other=1")
        #expect(parsed["id"] == "specific")
        #expect(parsed["other"] == "1")
    }

    @Test func quotedValueIsUnquoted() {
        let parsed = cookies("a=\"quoted\"; b=\"\"; c=\"")
        #expect(parsed["a"] == "quoted")
        #expect(parsed["b"] == "")
        // A lone quote is not a quoted value, and `"` is not a cookie-octet.
        #expect(parsed["c"] == nil)
    }

    @Test func valuesMayContainEqualsSigns() {
        #expect(cookies("token=YWJj==; x=1")["token"] == "YWJj==")
    }

    @Test func emptyValueIsKept() {
        #expect(cookies("empty=; full=1")["empty"] == "")
    }

    @Test func whitespaceAroundPairsIsTrimmed() {
        let parsed = cookies("  a = 1 ;\tb=2\t;c=3")
        #expect(parsed == ["a": "1", "b": "2", "c": "3"])
    }

    @Test func invalidPairsAreSkipped() {
        let parsed = cookies("novalue; =nameless; bad name=1; sp=a b; ok=yes; uni=é; comma=a,b; bs=a\\b; good=1")
        #expect(parsed == ["ok": "yes", "good": "1"])
    }

    @Test func emptyPiecesAreSkipped() {
        #expect(cookies(";; a=1;;") == ["a": "1"])
    }

    @Test func severalCookieHeadersAreMerged() {
        let parsed = cookies("a=1; b=2", "b=3; c=4")
        #expect(parsed == ["a": "1", "b": "2", "c": "4"])
    }

    @Test func namesAreCaseSensitive() {
        let parsed = cookies("ID=upper; id=lower")
        #expect(parsed["ID"] == "upper")
        #expect(parsed["id"] == "lower")
    }
}

@Suite struct SetCookieTests {
    @Test func minimalCookie() throws {
        let cookie = try Cookie(name: "theme", value: "dark")
        #expect(cookie.headerValue == "theme=dark; SameSite=Lax")
    }

    @Test func everyAttribute() throws {
        let cookie = try Cookie(
            name: "session",
            value: "abc.DEF-123_~",
            expires: Date(timeIntervalSince1970: 784_111_777),
            maxAge: 3_600,
            domain: "shop.example.com",
            path: "/account",
            secure: true,
            httpOnly: true,
            sameSite: .strict
        )
        #expect(cookie.headerValue
            == "session=abc.DEF-123_~; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=3600; "
            + "Domain=shop.example.com; Path=/account; Secure; HttpOnly; SameSite=Strict")
    }

    @Test func sameSiteValues() throws {
        #expect(try Cookie(name: "a", value: "1", sameSite: .lax).headerValue == "a=1; SameSite=Lax")
        #expect(try Cookie(name: "a", value: "1", sameSite: .strict).headerValue == "a=1; SameSite=Strict")
        #expect(try Cookie(name: "a", value: "1", secure: true, sameSite: .none).headerValue
            == "a=1; Secure; SameSite=None")
    }

    @Test func emptyValueIsAllowed() throws {
        #expect(try Cookie(name: "a", value: "").headerValue == "a=; SameSite=Lax")
    }

    @Test func invalidNamesThrow() {
        for name in ["", "has space", "semi;colon", "eq=uals", "ünï", "tab\there", "quote\""] {
            #expect(throws: CookieError.self, "\(name)") { try Cookie(name: name, value: "1") }
        }
    }

    @Test func invalidValuesThrow() throws {
        for value in ["two words", "a;b", "a,b", "\"quoted\"", "back\\slash", "é", "new\nline", "\u{7F}"] {
            #expect(throws: CookieError.self, "\(value)") { try Cookie(name: "a", value: value) }
        }
        let error = try #require(throws: CookieError.self) { try Cookie(name: "cart", value: "a b") }
        #expect(error.cookieName == "cart")
        #expect(error.description.contains("\"cart\""))
        #expect(error.message.contains("base64url"))
    }

    @Test func oversizedCookieThrows() {
        #expect(throws: CookieError.self) { try Cookie(name: "big", value: String(repeating: "x", count: 4_094)) }
        #expect(throws: Never.self) { try Cookie(name: "big", value: String(repeating: "x", count: 4_093)) }
    }

    @Test func negativeMaxAgeThrows() {
        #expect(throws: CookieError.self) { try Cookie(name: "a", value: "1", maxAge: -1) }
        #expect(throws: Never.self) { try Cookie(name: "a", value: "1", maxAge: 0) }
    }

    @Test func expiresOutOfRangeThrows() {
        let year1600 = Date(timeIntervalSince1970: -11_676_096_000)
        #expect(throws: CookieError.self) { try Cookie(name: "a", value: "1", expires: year1600) }
        #expect(throws: CookieError.self) { try Cookie(name: "a", value: "1", expires: Date(timeIntervalSince1970: 253_402_300_800)) }
        #expect(throws: Never.self) { try Cookie(name: "a", value: "1", expires: Date(timeIntervalSince1970: 253_402_300_799)) }
    }

    @Test func invalidDomainsThrow() throws {
        for domain in ["", ".", "exa mple.com", "example..com", "-bad.com", "bad-.com", "a;b.com", "shop.example.com/x",
                       String(repeating: "a", count: 64) + ".com"] {
            #expect(throws: CookieError.self, "\(domain)") { try Cookie(name: "a", value: "1", domain: domain) }
        }
        #expect(try Cookie(name: "a", value: "1", domain: ".example.com").headerValue == "a=1; Domain=.example.com; SameSite=Lax")
    }

    @Test func invalidPathsThrow() {
        for path in ["", "relative", "/a;b", "/new\nline", "/é"] {
            #expect(throws: CookieError.self, "\(path)") { try Cookie(name: "a", value: "1", path: path) }
        }
    }

    @Test func sameSiteNoneRequiresSecure() throws {
        let error = try #require(throws: CookieError.self) { try Cookie(name: "a", value: "1", sameSite: .none) }
        #expect(error.message.contains("Secure"))
    }

    @Test func prefixRulesAreEnforced() {
        #expect(throws: CookieError.self) { try Cookie(name: "__Secure-id", value: "1") }
        #expect(throws: Never.self) { try Cookie(name: "__Secure-id", value: "1", secure: true) }
        #expect(throws: CookieError.self) { try Cookie(name: "__Host-id", value: "1", domain: "example.com", path: "/", secure: true) }
        #expect(throws: CookieError.self) { try Cookie(name: "__Host-id", value: "1", path: "/shop", secure: true) }
        #expect(throws: CookieError.self) { try Cookie(name: "__Host-id", value: "1", secure: true) }
        #expect(throws: Never.self) { try Cookie(name: "__Host-id", value: "1", path: "/", secure: true) }
    }
}

@Suite struct ResponseCookieTests {
    @Test func setCookieAddsHeader() throws {
        var response = Response.text("ok")
        response.setCookie(try Cookie(name: "a", value: "1", path: "/"))
        response.setCookie(try Cookie(name: "b", value: "2", path: "/"))
        #expect(response.headers.values(for: "Set-Cookie") == ["a=1; Path=/; SameSite=Lax", "b=2; Path=/; SameSite=Lax"])
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func sameKeyReplacesEarlierCookie() throws {
        var response = Response.text("ok")
        response.setCookie(try Cookie(name: "a", value: "1", domain: "Example.com", path: "/"))
        response.setCookie(try Cookie(name: "a", value: "other-path", path: "/shop"))
        response.setCookie(try Cookie(name: "a", value: "2", domain: ".example.com", path: "/"))
        #expect(response.headers.values(for: "Set-Cookie")
            == ["a=other-path; Path=/shop; SameSite=Lax", "a=2; Domain=.example.com; Path=/; SameSite=Lax"])
    }

    @Test func expireCookieRendersDeletion() throws {
        var response = Response.text("bye")
        try response.expireCookie(named: "session")
        #expect(response.headers["Set-Cookie"]
            == "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax")
    }

    @Test func expireCookieReplacesSetCookie() throws {
        var response = Response.text("bye")
        response.setCookie(try Cookie(name: "session", value: "abc", path: "/", httpOnly: true))
        try response.expireCookie(named: "session", path: "/", domain: nil)
        #expect(response.headers.values(for: "Set-Cookie").count == 1)
        #expect(response.headers["Set-Cookie"]?.hasPrefix("session=;") == true)
    }

    @Test func expireCookieWithDomainAndPrefix() throws {
        var response = Response.text("bye")
        try response.expireCookie(named: "__Host-cart", path: "/")
        try response.expireCookie(named: "pref", path: "/account", domain: "shop.example.com")
        #expect(response.headers.values(for: "Set-Cookie") == [
            "__Host-cart=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure; SameSite=Lax",
            "pref=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Domain=shop.example.com; Path=/account; SameSite=Lax",
        ])
    }

    @Test func expireCookieRejectsBadName() {
        var response = Response.text("bye")
        #expect(throws: CookieError.self) { try response.expireCookie(named: "bad name") }
        #expect(response.headers["Set-Cookie"] == nil)
    }
}

@Suite struct IMFFixdateTests {
    @Test func formatsKnownDates() {
        #expect(IMFFixdate.format(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(IMFFixdate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(IMFFixdate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(IMFFixdate.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 GMT")
        #expect(IMFFixdate.format(Date(timeIntervalSince1970: 784_111_777.999)) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func formatMatchesFoundationOnRandomDates() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"

        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // From 1601 to 9999, the range cookies allow.
            let seconds = Int.random(in: -11_644_473_600...253_402_300_799, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(IMFFixdate.format(date) == formatter.string(from: date), "\(seconds)")
        }
    }

    @Test func parsesTheThreeForms() throws {
        let expected = Date(timeIntervalSince1970: 784_111_777)
        #expect(IMFFixdate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(IMFFixdate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(IMFFixdate.parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(IMFFixdate.parse("Sun Nov 16 08:49:37 1994") == Date(timeIntervalSince1970: 784_111_777 + 864_000))
    }

    @Test func rfc850YearIsPlacedWithinFiftyYears() throws {
        let now = try #require(IMFFixdate.parse("Mon, 01 Jan 2024 00:00:00 GMT"))
        #expect(IMFFixdate.parse("Monday, 01-Jan-74 00:00:00 GMT", now: now)
            == IMFFixdate.parse("Tue, 01 Jan 2074 00:00:00 GMT"))
        #expect(IMFFixdate.parse("Monday, 01-Jan-75 00:00:00 GMT", now: now)
            == IMFFixdate.parse("Wed, 01 Jan 1975 00:00:00 GMT"))
    }

    @Test func roundTripsRandomDates() {
        for _ in 0..<500 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: -5_000_000_000...50_000_000_000)))
            #expect(IMFFixdate.parse(IMFFixdate.format(date)) == date)
        }
    }

    @Test func rejectsMalformedDates() {
        let invalid = [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 31 Apr 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT ",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "1994-11-06T08:49:37Z",
        ]
        for text in invalid {
            #expect(IMFFixdate.parse(text) == nil, "\(text)")
        }
    }
}
