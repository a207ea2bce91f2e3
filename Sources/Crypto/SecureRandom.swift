import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (RAND_bytes(3)), which
/// OpenSSL seeds from the operating system's entropy source.
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// A failure of RAND_bytes stops the process: a weaker source would silently
    /// produce guessable session ids, salts and reset tokens, which is worse than not
    /// running.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) needs a count of zero or more, got \(count)")
        guard count > 0 else {
            return []
        }

        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBufferPointer { buffer in
            // RAND_bytes takes an Int32 length, so larger requests go in chunks.
            var offset = 0
            while offset < count {
                let chunk = min(count - offset, Int(Int32.max))
                let status = RAND_bytes(buffer.baseAddress! + offset, Int32(chunk))
                guard status == 1 else {
                    fatalError("RAND_bytes failed while generating \(count) random bytes: "
                        + "\(OpenSSLErrorQueue.drain()). The OpenSSL random generator could not be seeded "
                        + "from the operating system; refusing to continue without secure randomness.")
                }
                offset += chunk
            }
        }
        return output
    }

    /// Returns `byteCount` random bytes as unpadded base64url (RFC 4648, section 5),
    /// safe in URLs, cookies and file names. The default of 32 bytes (256 bits) gives
    /// a 43-character token.
    public static func token(byteCount: Int = 32) -> String {
        precondition(byteCount > 0, "SecureRandom.token(byteCount:) needs a positive byte count, got \(byteCount)")
        return Base64URL.encode(bytes(count: byteCount))
    }
}
