import Foundation

extension Request {
    /// The cookies from every `Cookie` header, parsed as RFC 6265, section 5.4, describes
    /// what browsers send (`name=value; name2=value2`).
    ///
    /// When a name occurs more than once the first value wins, because browsers list cookies
    /// with longer (more specific) paths first. Surrounding double quotes are removed from a
    /// value. Invalid pairs are skipped rather than rejected, because another application or a
    /// script on the same domain may have set them. A pair is invalid when it has no `=`, its
    /// name is not a token, or its value has characters outside cookie-octet (RFC 6265,
    /// section 4.1.1).
    public var cookies: [String: String] {
        var cookies: [String: String] = [:]
        for header in headers.values(for: "Cookie") {
            for pair in header.utf8.split(separator: UInt8(ascii: ";")) {
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = trimmingWhitespace(pair[pair.startIndex..<equals])
                var value = trimmingWhitespace(pair[pair.index(after: equals)...])

                if value.count >= 2 && value.first == UInt8(ascii: "\"") && value.last == UInt8(ascii: "\"") {
                    value = value.dropFirst().dropLast()
                }
                guard !name.isEmpty,
                      name.allSatisfy(HeaderValueScanner.isTokenByte),
                      value.allSatisfy(isCookieOctet)
                else { continue }

                let nameText = String(decoding: name, as: UTF8.self)
                if cookies[nameText] == nil {
                    cookies[nameText] = String(decoding: value, as: UTF8.self)
                }
            }
        }
        return cookies
    }
}

private func trimmingWhitespace(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
    var bytes = bytes
    while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
        bytes = bytes.dropFirst()
    }
    while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
        bytes = bytes.dropLast()
    }
    return bytes
}

/// cookie-octet from RFC 6265, section 4.1.1: visible ASCII except `"`, `,`, `;` and `\`.
func isCookieOctet(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7E: return true
    default: return false
    }
}

/// A cookie to send in a `Set-Cookie` header (RFC 6265, section 4.1).
///
/// Every attribute is checked when the cookie is made, so `headerValue` is always a valid
/// header. Values that are not cookie-octets (spaces, commas, quotes, non-ASCII) must be
/// encoded by the caller, for example with `PercentEncoding.encode` or base64url.
public struct Cookie: Sendable, Hashable {
    /// The `SameSite` attribute (RFC 6265bis, section 5.4.7).
    public enum SameSite: String, Sendable, Hashable {
        case lax = "Lax"
        case strict = "Strict"
        /// Sends the cookie on cross-site requests too. Browsers require `Secure` with it.
        case none = "None"
    }

    public let name: String
    public let value: String
    public let expires: Date?
    /// Lifetime in seconds. Zero deletes the cookie. Browsers prefer it over `expires`.
    public let maxAge: Int?
    public let domain: String?
    public let path: String?
    public let secure: Bool
    public let httpOnly: Bool
    /// Always sent, because browsers disagree on the default when it is missing.
    public let sameSite: SameSite

    /// Makes a cookie after checking every attribute.
    ///
    /// - Throws: `CookieError` naming the attribute in any of these cases:
    ///   - the name is not a token, or the value has a character outside cookie-octet;
    ///   - name and value together exceed 4,096 bytes;
    ///   - `maxAge` is negative, or `expires` is outside the years 1601 to 9999;
    ///   - `domain` is not a host name, or `path` does not start with `/` or contains `;`
    ///     or a character outside visible ASCII;
    ///   - `sameSite` is `.none` without `secure`;
    ///   - a `__Secure-` or `__Host-` name lacks what its prefix requires.
    public init(
        name: String,
        value: String,
        expires: Date? = nil,
        maxAge: Int? = nil,
        domain: String? = nil,
        path: String? = nil,
        secure: Bool = false,
        httpOnly: Bool = false,
        sameSite: SameSite = .lax
    ) throws {
        self.name = name
        self.value = value
        self.expires = expires
        self.maxAge = maxAge
        self.domain = domain
        self.path = path
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        try validate()
    }

    /// The value of a `Set-Cookie` header, attributes in the order RFC 6265, section 4.1.1,
    /// lists them: `id=abc; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=60; Domain=example.com;
    /// Path=/; Secure; HttpOnly; SameSite=Lax`.
    public var headerValue: String {
        var text = "\(name)=\(value)"
        if let expires { text += "; Expires=\(IMFFixdate.format(expires))" }
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if let domain { text += "; Domain=\(domain)" }
        if let path { text += "; Path=\(path)" }
        if secure { text += "; Secure" }
        if httpOnly { text += "; HttpOnly" }
        text += "; SameSite=\(sameSite.rawValue)"
        return text
    }

    private func validate() throws {
        guard HeaderValueScanner.isToken(name) else {
            throw CookieError(name, "The cookie name must be a non-empty token (letters, digits and !#$%&'*+-.^_`|~).")
        }
        guard value.utf8.allSatisfy(isCookieOctet) else {
            throw CookieError(name, "The cookie value contains a space, comma, semicolon, quote, backslash, "
                + "control or non-ASCII character. Encode it first, for example with base64url.")
        }
        // RFC 6265bis, section 5.6: browsers ignore a cookie whose name and value together
        // exceed 4,096 bytes.
        guard name.utf8.count + value.utf8.count <= 4_096 else {
            throw CookieError(name, "The cookie name and value have \(name.utf8.count + value.utf8.count) bytes, "
                + "more than the 4096 that browsers keep. Store the data on the server and keep only an id.")
        }
        if let maxAge, maxAge < 0 {
            throw CookieError(name, "Max-Age is \(maxAge). Use 0 to delete the cookie or a positive number of seconds.")
        }
        if let expires {
            // RFC 6265, section 5.1.1, makes browsers reject years before 1601, and
            // IMF-fixdate has four digits for the year.
            let year = IMFFixdate.civilDate(
                fromDaysSinceEpoch: Int((expires.timeIntervalSince1970 / 86_400).rounded(.down))).year
            guard (1601...9999).contains(year) else {
                throw CookieError(name, "Expires is in the year \(year). Use a date between 1601 and 9999.")
            }
        }
        if let domain, !isValidCookieDomain(domain) {
            throw CookieError(name, "Domain \(quotedForMessage(domain)) is not a host name. "
                + "Use labels of letters, digits and hyphens separated by dots, like shop.example.com.")
        }
        if let path {
            let isValidPath = path.first == "/"
                && path.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ";") }
            guard isValidPath else {
                throw CookieError(name, "Path \(quotedForMessage(path)) must start with / and contain only "
                    + "visible ASCII without semicolons.")
            }
        }
        if sameSite == .none && !secure {
            throw CookieError(name, "SameSite=None requires Secure, or browsers reject the cookie. Set secure: true.")
        }
        try validatePrefix()
    }

    /// Checks the cookie name prefixes of RFC 6265bis, section 4.1.3, which browsers enforce
    /// by dropping a cookie that does not meet them.
    private func validatePrefix() throws {
        if name.hasPrefix("__Secure-") || name.hasPrefix("__Host-") {
            guard secure else {
                throw CookieError(name, "A cookie named __Secure-… or __Host-… requires Secure. Set secure: true.")
            }
        }
        if name.hasPrefix("__Host-") {
            guard domain == nil, path == "/" else {
                throw CookieError(name, "A __Host- cookie requires Path=/ and no Domain. Set path: \"/\" and domain: nil.")
            }
        }
    }
}

/// Host name syntax for the Domain attribute: dot-separated labels of letters, digits and
/// hyphens (RFC 1123, section 2.1), each 1 to 63 characters and not starting or ending with a
/// hyphen. A leading dot is allowed because RFC 6265, section 5.2.3, has browsers ignore it.
private func isValidCookieDomain(_ domain: String) -> Bool {
    var name = Substring(domain)
    if name.first == "." { name = name.dropFirst() }
    guard !name.isEmpty, name.utf8.count <= 253 else { return false }

    for label in name.split(separator: ".", omittingEmptySubsequences: false) {
        guard (1...63).contains(label.utf8.count),
              label.first != "-", label.last != "-",
              label.utf8.allSatisfy({ byte in
                  (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                      || byte == UInt8(ascii: "-")
              })
        else { return false }
    }
    return true
}

/// A cookie that cannot be sent as given. The message names the attribute and the fix.
public struct CookieError: Error, Sendable, CustomStringConvertible {
    public let cookieName: String
    public let message: String

    public init(_ cookieName: String, _ message: String) {
        self.cookieName = cookieName
        self.message = message
    }

    public var description: String { "Invalid cookie \(quotedForMessage(cookieName)): \(message)" }
}

extension Response {
    /// Adds a `Set-Cookie` header for `cookie`. An earlier `Set-Cookie` in this response for
    /// the same name, domain and path is removed, since the browser would apply only the last.
    public mutating func setCookie(_ cookie: Cookie) {
        let key = SetCookieKey(cookie)
        var remaining = HTTPHeaders()
        for field in headers {
            if field.name.equalsIgnoringASCIICase("Set-Cookie") && SetCookieKey(headerValue: field.value) == key {
                continue
            }
            remaining.add(field.name, field.value)
        }
        remaining.add("Set-Cookie", cookie.headerValue)
        headers = remaining
    }

    /// Tells the browser to delete a cookie: an empty value with `Max-Age=0` and an `Expires`
    /// in 1970 for clients that ignore `Max-Age`. `path` and `domain` must equal those the
    /// cookie was set with, or the browser keeps it. A `__Secure-` or `__Host-` name gets
    /// `Secure`, which its prefix requires.
    ///
    /// - Throws: `CookieError` when the name, path or domain is invalid (see `Cookie.init`).
    public mutating func expireCookie(named name: String, path: String? = "/", domain: String? = nil) throws {
        let needsSecure = name.hasPrefix("__Secure-") || name.hasPrefix("__Host-")
        let cookie = try Cookie(
            name: name,
            value: "",
            expires: Date(timeIntervalSince1970: 0),
            maxAge: 0,
            domain: domain,
            path: path,
            secure: needsSecure
        )
        setCookie(cookie)
    }
}

/// The name, domain and path that identify a cookie in the browser's store (RFC 6265,
/// section 5.3, step 11). Domain is compared without case or a leading dot.
private struct SetCookieKey: Equatable {
    let name: String
    let domain: String?
    let path: String?

    init(_ cookie: Cookie) {
        self.name = cookie.name
        self.domain = cookie.domain.map(Self.normalizedDomain)
        self.path = cookie.path
    }

    init(headerValue: String) {
        let pieces = headerValue.split(separator: ";", omittingEmptySubsequences: false)
        let pair = pieces.first ?? ""
        self.name = String(pair.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces)

        var domain: String?
        var path: String?
        for attribute in pieces.dropFirst() {
            let parts = attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let attributeName = parts[0].trimmingCharacters(in: .whitespaces)
            let attributeValue = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            if attributeName.equalsIgnoringASCIICase("Domain") {
                domain = Self.normalizedDomain(attributeValue)
            } else if attributeName.equalsIgnoringASCIICase("Path") {
                path = attributeValue
            }
        }
        self.domain = domain
        self.path = path
    }

    private static func normalizedDomain(_ domain: String) -> String {
        (domain.hasPrefix(".") ? String(domain.dropFirst()) : domain).lowercased()
    }
}
