/// The parts of a request target (RFC 9112, section 3.2), checked and percent-decoded.
struct RequestTarget {
    /// The path as sent, such as `/a%20b`; `*` for an asterisk-form target.
    var rawPath: String
    /// The percent-decoded path, such as `/a b`.
    var path: String
    /// The query after `?` as sent, without the `?`; nil when there is no `?`.
    var rawQuery: String?
    /// The query decoded as `application/x-www-form-urlencoded` pairs.
    var query = FormParameters()
    /// The authority of an absolute-form target, which replaces the Host field.
    var authority: String?

    /// Parses the target bytes of a request line whose method is `method`.
    ///
    /// Accepts origin-form (`/path?query`), absolute-form (`http://host/path`) and, for
    /// OPTIONS only, asterisk-form (`*`). Every byte was already checked to be visible ASCII.
    static func parse(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod) throws(RequestParseError) -> RequestTarget {
        guard let first = bytes.first else {
            throw .badRequest("The request target is empty (RFC 9112, section 3.2).")
        }

        if first == UInt8(ascii: "/") {
            return try parseOriginForm(bytes)
        }
        if bytes.count == 1 && first == UInt8(ascii: "*") {
            // RFC 9112, section 3.2.4: the asterisk-form is only used for a server-wide
            // OPTIONS request.
            guard method == .options else {
                throw .badRequest("The request target \"*\" is only allowed with OPTIONS (RFC 9112, section 3.2.4).")
            }
            return RequestTarget(rawPath: "*", path: "*", rawQuery: nil, query: FormParameters(), authority: nil)
        }
        if let afterScheme = schemeEnd(bytes) {
            return try parseAbsoluteForm(bytes, authorityStart: afterScheme)
        }
        throw .badRequest(
            "The request target must start with \"/\" or be an absolute http(s) URI (RFC 9112, section 3.2).")
    }

    private static func parseOriginForm(_ bytes: UnsafeRawBufferPointer) throws(RequestParseError) -> RequestTarget {
        let questionMark = bytes.firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = UnsafeRawBufferPointer(rebasing: bytes[..<(questionMark ?? bytes.count)])
        var rawQuery: String?
        var query = FormParameters()
        if let questionMark {
            let text = UnsafeRawBufferPointer(rebasing: bytes[(questionMark + 1)...]).asciiString()
            guard let decoded = PercentEncoding.decodeForm(Substring(text)) else {
                throw .badRequest(
                    "The query \"\(text)\" has a malformed %-escape or is not UTF-8 once decoded (RFC 3986, section 2.1).")
            }
            rawQuery = text
            query = decoded
        }
        let rawPath = pathBytes.asciiString()
        return RequestTarget(
            rawPath: rawPath, path: try decodePath(rawPath), rawQuery: rawQuery, query: query, authority: nil)
    }

    /// RFC 9112, section 3.2.2: a server must accept the absolute-form and take the host
    /// from it, ignoring any Host field.
    private static func parseAbsoluteForm(
        _ bytes: UnsafeRawBufferPointer, authorityStart: Int
    ) throws(RequestParseError) -> RequestTarget {
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count && bytes[authorityEnd] != UInt8(ascii: "/")
            && bytes[authorityEnd] != UInt8(ascii: "?") {
            authorityEnd += 1
        }
        let authority = UnsafeRawBufferPointer(rebasing: bytes[authorityStart..<authorityEnd]).asciiString()

        // RFC 9110, section 4.2.1: an http URI with an empty host is invalid; section 4.2.4:
        // userinfo in an http URI is treated as an error.
        guard !authority.isEmpty, !authority.hasPrefix(":") else {
            throw .badRequest("The absolute request target has no host (RFC 9110, section 4.2.1).")
        }
        guard !authority.utf8.contains(UInt8(ascii: "@")) else {
            throw .badRequest("The absolute request target contains userinfo, which is not allowed (RFC 9110, section 4.2.4).")
        }
        guard HTTPSyntax.isValidHost(authority) else {
            throw .badRequest("The host \"\(authority)\" in the absolute request target is invalid (RFC 3986, section 3.2.2).")
        }

        let rest = UnsafeRawBufferPointer(rebasing: bytes[authorityEnd...])
        var target: RequestTarget
        if rest.first == UInt8(ascii: "/") {
            target = try parseOriginForm(rest)
        } else {
            // An empty path in an absolute URI means "/" (RFC 9112, section 3.2.1).
            target = try parseOriginForm(UnsafeRawBufferPointer(rebasing: rest[...]))
            target.rawPath = "/"
            target.path = "/"
        }
        target.authority = authority
        return target
    }

    /// Returns the index after `http://` or `https://` (scheme compared without case), or
    /// nil when the target starts with neither.
    private static func schemeEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        for (scheme, length) in [("http://", 7), ("https://", 8)] as [(StaticString, Int)]
        where bytes.count >= length {
            if HTTPSyntax.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: bytes[..<length]), scheme) {
                return length
            }
        }
        return nil
    }

    private static func decodePath(_ rawPath: String) throws(RequestParseError) -> String {
        guard let path = PercentEncoding.decode(rawPath) else {
            throw .badRequest(
                "The request path \"\(rawPath)\" has a malformed %-escape or is not UTF-8 once decoded (RFC 3986, section 2.1).")
        }
        // A NUL byte would cut the path short in any C API (file names), so it is never valid.
        guard !path.utf8.contains(0) else {
            throw .badRequest("The request path \"\(rawPath)\" decodes to a NUL byte.")
        }
        return path
    }
}
