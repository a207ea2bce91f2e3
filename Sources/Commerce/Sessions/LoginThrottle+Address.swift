import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LoginThrottle {
    /// Returns the key that failures from `address` are counted under: an IPv4 address as
    /// is, an IPv6 address reduced to its /64 prefix ("2001:db8:0:1::/64"), because one subscriber
    /// usually gets a whole /64 and could otherwise take a fresh address per guess. An
    /// IPv4-mapped IPv6 address counts as its IPv4 address. Text that is neither is used
    /// lower-cased as given.
    static func addressKey(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespaces).lowercased()

        var ipv4 = in_addr()
        if inet_pton(AF_INET, trimmed, &ipv4) == 1 {
            return trimmed
        }

        var ipv6 = in6_addr()
        guard inet_pton(AF_INET6, trimmed, &ipv6) == 1 else {
            return trimmed
        }
        let bytes = withUnsafeBytes(of: ipv6) { Array($0) }

        // ::ffff:a.b.c.d (RFC 4291, section 2.5.5.2).
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        if Array(bytes[0..<12]) == mappedPrefix {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }

        let groups = stride(from: 0, to: 8, by: 2).map { index in
            String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }
}
