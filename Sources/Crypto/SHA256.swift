import COpenSSL

/// SHA-256 (FIPS 180-4) through OpenSSL's EVP digest API.
///
/// OpenSSL failures here cannot come from the input, only from a broken OpenSSL
/// installation or an allocation failure, so they stop the process instead of making
/// every caller handle an error that never happens in a working deployment.
public enum SHA256 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// Returns the SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var digestLength: UInt32 = 0
        let status = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &digestLength,
                           FetchedAlgorithms.shared.sha256, nil)
            }
        }
        guard status == 1, digestLength == byteCount else {
            fatalError("EVP_Digest(SHA256) failed: \(OpenSSLErrorQueue.drain())")
        }
        return digest
    }

    /// Returns the SHA-256 digest of the UTF-8 encoding of `text`.
    public static func hash(_ text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }

    /// An incremental SHA-256 computation for input that arrives in pieces, such as a
    /// file read in blocks. Feeding the pieces to `update` gives the same digest as
    /// hashing their concatenation at once.
    ///
    /// The type is noncopyable because it owns an OpenSSL EVP_MD_CTX, and `finalize`
    /// consumes it so a finished hasher cannot be fed again.
    public struct Hasher: ~Copyable {
        private let context: OpaquePointer

        public init() {
            guard let context = EVP_MD_CTX_new() else {
                fatalError("EVP_MD_CTX_new failed: \(OpenSSLErrorQueue.drain())")
            }
            guard EVP_DigestInit_ex2(context, FetchedAlgorithms.shared.sha256, nil) == 1 else {
                let details = OpenSSLErrorQueue.drain()
                EVP_MD_CTX_free(context)
                fatalError("EVP_DigestInit_ex2(SHA256) failed: \(details)")
            }
            self.context = context
        }

        deinit {
            EVP_MD_CTX_free(context)
        }

        /// Adds `bytes` to the message.
        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { input in
                update(input)
            }
        }

        /// Adds the UTF-8 encoding of `text` to the message.
        public mutating func update(_ text: String) {
            var text = text
            text.withUTF8 { input in
                update(UnsafeRawBufferPointer(input))
            }
        }

        /// Adds the bytes in `buffer` to the message.
        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            guard buffer.count > 0 else {
                return
            }
            guard EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) == 1 else {
                fatalError("EVP_DigestUpdate(SHA256) failed: \(OpenSSLErrorQueue.drain())")
            }
        }

        /// Returns the digest of everything passed to `update`, and ends the hasher.
        public consuming func finalize() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: SHA256.byteCount)
            var digestLength: UInt32 = 0
            let status = digest.withUnsafeMutableBufferPointer { output in
                EVP_DigestFinal_ex(context, output.baseAddress, &digestLength)
            }
            guard status == 1, digestLength == SHA256.byteCount else {
                fatalError("EVP_DigestFinal_ex(SHA256) failed: \(OpenSSLErrorQueue.drain())")
            }
            return digest
        }
    }
}
