#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `Host` header value reduced to the name that the platform looks up.
public enum NormalizedHost: Sendable, Hashable, CustomStringConvertible {
    /// A DNS name in lower case, without port and without the trailing dot.
    case name(String)
    /// A dotted-decimal IPv4 address such as `127.0.0.1`.
    case ipv4(String)
    /// An IPv6 address in lower case, without the brackets it had in the header.
    case ipv6(String)

    /// Whether the host is an address rather than a name; an address never names a store.
    public var isIPLiteral: Bool {
        if case .name = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .name(let name): name
        case .ipv4(let address): address
        case .ipv6(let address): "[\(address)]"
        }
    }
}

/// Normalisation of the HTTP `Host` header.
public enum HostName {
    /// The longest name DNS carries in text form without the trailing dot (RFC 1035,
    /// section 2.3.4: 255 octets on the wire, which leaves 253 characters of text).
    public static let maximumLength = 253
    public static let maximumLabelLength = 63

    /// Normalises a `Host` header value: `uri-host [ ":" port ]` (RFC 9110, section 7.2,
    /// with the grammar of RFC 3986, section 3.2.2).
    ///
    /// The result is lower case, has no port and no trailing dot (one is removed, so
    /// `shop.test.` and `shop.test` are one host). Bracketed IPv6 and dotted IPv4
    /// addresses come back as such.
    ///
    /// - Throws: `HostNameError` for characters other than letters, digits, hyphens and
    ///   dots (non-ASCII names must arrive as `xn--` labels), an empty label, a label over
    ///   63 characters, a name over 253, or a port that is not a number up to 65535. A name
    ///   whose last label is all digits is rejected too, because some resolvers read it as
    ///   a number (`127.1`, `0x7f.1`).
    public static func normalize(_ hostHeader: String) throws(HostNameError) -> NormalizedHost {
        let trimmed = hostHeader.trimmingOptionalWhitespace()
        guard !trimmed.isEmpty else {
            throw HostNameError(host: hostHeader, reason: .empty)
        }

        if trimmed.hasPrefix("[") {
            return try normalizeBracketedAddress(trimmed, original: hostHeader)
        }

        var host = Substring(trimmed)
        if let colon = host.firstIndex(of: ":") {
            try validatePort(host[host.index(after: colon)...], original: hostHeader)
            host = host[..<colon]
        }
        return try normalizeName(host, original: hostHeader)
    }

    // MARK: - Names and IPv4

    private static func normalizeName(_ host: Substring, original: String) throws(HostNameError) -> NormalizedHost {
        var bytes = Array(host.utf8)
        for index in bytes.indices {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                bytes[index] = byte | 0x20
            } else if !isNameByte(byte) {
                throw HostNameError(host: original, reason: .invalidCharacter)
            }
        }
        if bytes.last == UInt8(ascii: ".") {
            bytes.removeLast()
        }
        guard !bytes.isEmpty else {
            throw HostNameError(host: original, reason: .empty)
        }
        guard bytes.count <= maximumLength else {
            throw HostNameError(host: original, reason: .tooLong)
        }

        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else {
                throw HostNameError(host: original, reason: .emptyLabel)
            }
            guard label.count <= maximumLabelLength else {
                throw HostNameError(host: original, reason: .labelTooLong)
            }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                throw HostNameError(host: original, reason: .hyphenAtLabelEnd)
            }
        }

        let name = String(decoding: bytes, as: UTF8.self)
        let lastLabel = labels[labels.count - 1]
        guard lastLabel.allSatisfy(isDigit) else {
            return .name(name)
        }
        if labels.count == 4, labels.allSatisfy(isDecimalOctet) {
            return .ipv4(name)
        }
        throw HostNameError(host: original, reason: .numericLastLabel)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || isDigit(byte)
            || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// `dec-octet` of RFC 3986, section 3.2.2: 0 to 255 without leading zeros, since a
    /// leading zero means octal to some parsers.
    private static func isDecimalOctet(_ label: ArraySlice<UInt8>) -> Bool {
        guard !label.isEmpty, label.count <= 3, label.allSatisfy(isDigit) else { return false }
        if label.count > 1 && label.first == UInt8(ascii: "0") { return false }
        let value = label.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return value <= 255
    }

    // MARK: - IPv6 and ports

    private static func normalizeBracketedAddress(_ text: String, original: String) throws(HostNameError) -> NormalizedHost {
        guard let close = text.firstIndex(of: "]") else {
            throw HostNameError(host: original, reason: .invalidIPv6)
        }
        let address = text[text.index(after: text.startIndex)..<close]
        let rest = text[text.index(after: close)...]
        if !rest.isEmpty {
            guard rest.first == ":" else {
                throw HostNameError(host: original, reason: .invalidIPv6)
            }
            try validatePort(rest.dropFirst(), original: original)
        }

        // inet_pton accepts exactly the IPv6address forms of RFC 4291, section 2.2, and
        // no zone identifier, which RFC 9110 leaves out of the Host header as well.
        var storage = in6_addr()
        let parsed = String(address).withCString { inet_pton(AF_INET6, $0, &storage) }
        guard parsed == 1 else {
            throw HostNameError(host: original, reason: .invalidIPv6)
        }
        return .ipv6(address.lowercased())
    }

    /// `port = *DIGIT` (RFC 3986, section 3.2.3): an empty port is allowed and ignored.
    private static func validatePort(_ port: Substring, original: String) throws(HostNameError) {
        guard port.utf8.allSatisfy(isDigit), port.utf8.count <= 5 else {
            throw HostNameError(host: original, reason: .invalidPort)
        }
        if let value = Int(port), value > 65_535 {
            throw HostNameError(host: original, reason: .invalidPort)
        }
    }
}

/// The reason a `Host` header value was rejected. The app responds with 400 Bad Request.
public struct HostNameError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case invalidCharacter
        case emptyLabel
        case labelTooLong
        case hyphenAtLabelEnd
        case tooLong
        case numericLastLabel
        case invalidPort
        case invalidIPv6
    }

    public let host: String
    public let reason: Reason

    public var description: String {
        "Invalid host \(host.quotedForMessage()): the name \(problem). Send the store's host name, such as shop.example.com."
    }

    /// The problem as a phrase that follows "the name", such as "has an empty label".
    var problem: String {
        switch reason {
        case .empty: "is empty"
        case .invalidCharacter: "contains a character other than letters, digits, hyphens and dots (write international names as xn-- labels)"
        case .emptyLabel: "has an empty label between dots"
        case .labelTooLong: "has a label longer than 63 characters"
        case .hyphenAtLabelEnd: "has a label that starts or ends with a hyphen"
        case .tooLong: "is longer than 253 characters"
        case .numericLastLabel: "ends in an all-digit label but is not a dotted IPv4 address"
        case .invalidPort: "has a port that is not a number from 0 to 65535"
        case .invalidIPv6: "is not a valid bracketed IPv6 address"
        }
    }
}

extension String {
    /// Drops spaces and tabs at both ends, the optional whitespace around HTTP field values
    /// (RFC 9110, section 5.5).
    fileprivate func trimmingOptionalWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }),
              let last = lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
