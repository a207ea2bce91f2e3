import COpenSSL

/// Password-based key derivation through OpenSSL 3's EVP_KDF API: scrypt
/// (EVP_KDF-SCRYPT(7), RFC 7914) and PBKDF2-HMAC-SHA256 (EVP_KDF-PBKDF2(7), RFC 8018).
///
/// `PasswordHasher` is built on these. Call them directly only for other key
/// derivation needs or to check published test vectors.
public enum KeyDerivation {
    /// The accepted lengths of a derived key, in bytes.
    public static let keyByteCountRange = 1...1024
    /// The maximum salt length in bytes.
    public static let maximumSaltByteCount = 1024

    /// Derives `keyByteCount` bytes with scrypt.
    ///
    /// OpenSSL's maxmem_bytes is set to exactly what `parameters` need, so the limit
    /// checked by `ScryptParameters` is the only memory limit in effect.
    ///
    /// - Throws: `CryptoError.invalidParameter` for a key length or salt out of range,
    ///   `CryptoError.openSSLFailure` when OpenSSL fails.
    public static func scrypt(
        password: [UInt8], salt: [UInt8], parameters: ScryptParameters, keyByteCount: Int
    ) throws -> [UInt8] {
        try checkLengths(salt: salt, keyByteCount: keyByteCount)

        var key = [UInt8](repeating: 0, count: keyByteCount)
        let status = password.withUnsafeBufferPointer { passwordBuffer in
            salt.withUnsafeBufferPointer { saltBuffer in
                key.withUnsafeMutableBufferPointer { output in
                    storefleet_scrypt(passwordBuffer.baseAddress, passwordBuffer.count,
                                      saltBuffer.baseAddress, saltBuffer.count,
                                      UInt64(parameters.n), UInt32(parameters.r), UInt32(parameters.p),
                                      UInt64(parameters.openSSLMemoryByteCount),
                                      output.baseAddress, output.count)
                }
            }
        }
        guard status == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_KDF_derive(SCRYPT, \(parameters))")
        }
        return key
    }

    /// Derives `keyByteCount` bytes with PBKDF2-HMAC-SHA256.
    ///
    /// OpenSSL's SP 800-132 minimums are turned off so that published vectors with
    /// short salts run. Callers that store password hashes choose their own salt
    /// length, as `PasswordHasher` does with 16 random bytes.
    ///
    /// - Throws: `CryptoError.invalidParameter` for a key length or salt out of range,
    ///   `CryptoError.openSSLFailure` when OpenSSL fails.
    public static func pbkdf2SHA256(
        password: [UInt8], salt: [UInt8], parameters: PBKDF2Parameters, keyByteCount: Int
    ) throws -> [UInt8] {
        try checkLengths(salt: salt, keyByteCount: keyByteCount)

        var key = [UInt8](repeating: 0, count: keyByteCount)
        let status = password.withUnsafeBufferPointer { passwordBuffer in
            salt.withUnsafeBufferPointer { saltBuffer in
                key.withUnsafeMutableBufferPointer { output in
                    storefleet_pbkdf2(passwordBuffer.baseAddress, passwordBuffer.count,
                                      saltBuffer.baseAddress, saltBuffer.count,
                                      UInt32(parameters.iterations), "SHA256",
                                      output.baseAddress, output.count)
                }
            }
        }
        guard status == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_KDF_derive(PBKDF2-SHA256, \(parameters))")
        }
        return key
    }

    private static func checkLengths(salt: [UInt8], keyByteCount: Int) throws {
        guard keyByteCountRange.contains(keyByteCount) else {
            throw CryptoError.invalidParameter(
                name: "derived key length", value: "\(keyByteCount) bytes",
                allowed: "in \(keyByteCountRange.lowerBound)...\(keyByteCountRange.upperBound) bytes")
        }
        guard salt.count <= maximumSaltByteCount else {
            throw CryptoError.invalidParameter(
                name: "salt length", value: "\(salt.count) bytes",
                allowed: "at most \(maximumSaltByteCount) bytes")
        }
    }
}
