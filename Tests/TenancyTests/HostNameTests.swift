import Testing
@testable import Tenancy

@Suite struct HostNameTests {
    @Test(arguments: [
        ("shop.test", NormalizedHost.name("shop.test")),
        ("SHOP.TEST.", .name("shop.test")),
        ("DEMO.SHOP.TEST:8080", .name("demo.shop.test")),
        ("demo.shop.test:", .name("demo.shop.test")),
        (" demo.shop.test\t", .name("demo.shop.test")),
        ("localhost", .name("localhost")),
        ("xn--bcher-kva.example", .name("xn--bcher-kva.example")),
        ("a-b.c-d.example:443", .name("a-b.c-d.example")),
        ("127.0.0.1", .ipv4("127.0.0.1")),
        ("127.0.0.1:8080", .ipv4("127.0.0.1")),
        ("255.255.255.255", .ipv4("255.255.255.255")),
        ("[::1]", .ipv6("::1")),
        ("[::1]:8080", .ipv6("::1")),
        ("[2001:DB8::A]:443", .ipv6("2001:db8::a")),
        ("[::ffff:127.0.0.1]", .ipv6("::ffff:127.0.0.1")),
    ])
    func normalizesValidHost(_ header: String, _ expected: NormalizedHost) throws {
        #expect(try HostName.normalize(header) == expected)
    }

    @Test(arguments: [
        ("", HostNameError.Reason.empty),
        ("   ", .empty),
        (".", .empty),
        (":8080", .empty),
        ("shop..test", .emptyLabel),
        (".shop.test", .emptyLabel),
        ("shop.test..", .emptyLabel),
        ("shop_1.test", .invalidCharacter),
        ("shop test", .invalidCharacter),
        ("shop.test/evil", .invalidCharacter),
        ("user@shop.test", .invalidCharacter),
        ("bücher.example", .invalidCharacter),
        ("shop.test\r\nx", .invalidCharacter),
        ("shop.test\r\nx: y", .invalidPort),
        ("-shop.test", .hyphenAtLabelEnd),
        ("shop-.test", .hyphenAtLabelEnd),
        (String(repeating: "a", count: 64) + ".test", .labelTooLong),
        (String(repeating: "abcdefghi.", count: 26) + "test", .tooLong),
        ("shop.test:http", .invalidPort),
        ("shop.test:65536", .invalidPort),
        ("shop.test:123456", .invalidPort),
        ("shop.test:80:80", .invalidPort),
        ("127.1", .numericLastLabel),
        ("0x7f.0.0.1", .numericLastLabel),
        ("256.0.0.1", .numericLastLabel),
        ("010.0.0.1", .numericLastLabel),
        ("1.2.3.4.5", .numericLastLabel),
        ("::1", .invalidPort),
        ("[::1", .invalidIPv6),
        ("[::1]x", .invalidIPv6),
        ("[::1]:99999", .invalidPort),
        ("[fe80::1%eth0]", .invalidIPv6),
        ("[v1.fe]", .invalidIPv6),
        ("[127.0.0.1]", .invalidIPv6),
    ])
    func rejectsInvalidHost(_ header: String, _ reason: HostNameError.Reason) {
        #expect(throws: HostNameError(host: header, reason: reason)) {
            try HostName.normalize(header)
        }
    }

    @Test func nameOfMaximumLengthIsAccepted() throws {
        // 25 labels of 9 letters plus dots is 250 characters; one more label of 3 is 253.
        let name = String(repeating: "abcdefghi.", count: 25) + "abc"
        #expect(name.count == 253)
        #expect(try HostName.normalize(name + ".") == .name(name))
    }

    @Test func ipLiteralsAreClassified() throws {
        #expect(try HostName.normalize("10.0.0.1").isIPLiteral)
        #expect(try HostName.normalize("[::1]:80").isIPLiteral)
        #expect(try !HostName.normalize("shop.test").isIPLiteral)
    }

    @Test func errorMessageNamesHostAndFix() {
        do {
            _ = try HostName.normalize("shop..test")
            Issue.record("shop..test was accepted")
        } catch {
            #expect(error.description == "Invalid host \"shop..test\": the name has an empty label between dots. Send the store's host name, such as shop.example.com.")
        }
    }
}

@Suite struct MessageTextTests {
    @Test func controlCharactersAreEscaped() {
        #expect("a\r\nb\"c".quotedForMessage() == "\"a\\u{d}\\u{a}b\\\"c\"")
        #expect("abcdef".quotedForMessage(maximumLength: 3) == "\"abc…\"")
    }
}
