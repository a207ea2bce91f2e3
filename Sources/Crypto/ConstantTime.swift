import COpenSSL

/// Compares two byte strings in time that depends only on their lengths, never on
/// where they first differ, so comparing a secret (a MAC, a token, a password hash)
/// with attacker-supplied bytes leaks nothing about the secret's content.
///
/// Arrays of different lengths return false at once. The length of a MAC or token is
/// public, so only the content needs the constant-time comparison (CRYPTO_memcmp(3)).
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else {
        return false
    }
    guard !lhs.isEmpty else {
        return true
    }
    return lhs.withUnsafeBytes { left in
        rhs.withUnsafeBytes { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
        }
    }
}

/// Compares the UTF-8 encodings of two strings in constant time, as
/// `constantTimeEquals(_:_:)` does for bytes. Strings are compared byte for byte, so
/// canonically equivalent strings in different Unicode normalization forms are unequal.
public func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8))
}
