import Foundation

/// Cookies kept per host name, as a browser keeps them: a cookie set by one host is never
/// sent to another. RFC 6265, section 5.3, gives this rule for a cookie without a `Domain`
/// attribute, and the app sets no other kind. Ports do not separate cookies (section 8.5),
/// and the host is compared in lower case without a trailing dot.
struct CookieJar {
    struct Cookie: Equatable {
        var name: String
        var value: String
        var path: String
        var expires: Date?
        var httpOnly: Bool
        var sameSite: String?
    }

    /// Cookies by normalised host name, then by cookie name.
    private(set) var cookiesByHost: [String: [String: Cookie]] = [:]

    /// Returns the key that a host's cookies are kept under: the host in lower case, without
    /// port or trailing dot, and without the brackets of an IPv6 literal.
    static func key(forHost host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            return String(name[name.index(after: name.startIndex)..<close])
        }
        if let colon = name.lastIndex(of: ":") {
            name = String(name[..<colon])
        }
        if name.hasSuffix(".") {
            name.removeLast()
        }
        return name
    }

    /// Stores the cookies of every `Set-Cookie` field of a response from `host`, and removes
    /// those that the response expires.
    mutating func store(_ response: HTTPResponse, from host: String, now: Date = Date()) {
        let key = Self.key(forHost: host)
        for field in response.headerValues("Set-Cookie") {
            guard let cookie = Self.parse(field, now: now) else { continue }
            if let expires = cookie.expires, expires <= now {
                cookiesByHost[key]?[cookie.name] = nil
            } else {
                cookiesByHost[key, default: [:]][cookie.name] = cookie
            }
        }
    }

    /// Returns the `Cookie` header value for a request to `host` and `path`, or nil when no
    /// cookie applies.
    func header(forHost host: String, path: String, now: Date = Date()) -> String? {
        let cookies = (cookiesByHost[Self.key(forHost: host)] ?? [:]).values
            .filter { cookie in
                guard cookie.expires.map({ $0 > now }) ?? true else { return false }
                return path == cookie.path || path.hasPrefix(cookie.path.hasSuffix("/") ? cookie.path : cookie.path + "/")
            }
            .sorted { $0.name < $1.name }
        guard !cookies.isEmpty else { return nil }
        return cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// Returns the value of one cookie kept for `host`.
    func value(_ name: String, forHost host: String) -> String? {
        cookiesByHost[Self.key(forHost: host)]?[name]?.value
    }

    func cookie(_ name: String, forHost host: String) -> Cookie? {
        cookiesByHost[Self.key(forHost: host)]?[name]
    }

    /// Puts a cookie in the jar by hand, as a visitor who pastes one would.
    mutating func set(_ name: String, _ value: String, forHost host: String) {
        cookiesByHost[Self.key(forHost: host), default: [:]][name] = Cookie(
            name: name, value: value, path: "/", expires: nil, httpOnly: false, sameSite: nil
        )
    }

    mutating func remove(_ name: String, forHost host: String) {
        cookiesByHost[Self.key(forHost: host)]?[name] = nil
    }

    /// Parses `name=value; Attribute=…` (RFC 6265, section 5.2). `Max-Age` wins over
    /// `Expires`; both become an absolute expiry time.
    static func parse(_ field: String, now: Date) -> Cookie? {
        let parts = field.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return nil }
        let name = String(pair[..<equals])
        guard !name.isEmpty else { return nil }
        var cookie = Cookie(
            name: name, value: String(pair[pair.index(after: equals)...]), path: "/",
            expires: nil, httpOnly: false, sameSite: nil
        )

        var maxAge: Int?
        for attribute in parts.dropFirst() {
            let pieces = attribute.split(separator: "=", maxSplits: 1).map(String.init)
            let attributeName = pieces.first?.lowercased() ?? ""
            let attributeValue = pieces.count > 1 ? pieces[1] : ""
            switch attributeName {
            case "max-age":
                maxAge = Int(attributeValue)
            case "expires":
                cookie.expires = cookie.expires ?? parseHTTPDate(attributeValue)
            case "path":
                cookie.path = attributeValue.hasPrefix("/") ? attributeValue : "/"
            case "httponly":
                cookie.httpOnly = true
            case "samesite":
                cookie.sameSite = attributeValue
            default:
                break
            }
        }
        if let maxAge {
            cookie.expires = maxAge <= 0 ? Date.distantPast : now.addingTimeInterval(TimeInterval(maxAge))
        }
        return cookie
    }

    private static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
