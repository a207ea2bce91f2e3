import COpenSSL

/// HMAC (RFC 2104) through OpenSSL 3's EVP_MAC API (EVP_MAC-HMAC(7)).
public enum HMAC {
    /// Returns the 32-byte HMAC-SHA256 of `message` under `key`. Any key length works:
    /// keys longer than SHA-256's 64-byte block are hashed first, as RFC 2104 specifies.
    ///
    /// An OpenSSL failure here cannot come from the input, only from a broken OpenSSL
    /// installation or an allocation failure, so it stops the process.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: SHA256.byteCount)
        var macLength = 0
        let status = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                mac.withUnsafeMutableBufferPointer { output in
                    storefleet_hmac(FetchedAlgorithms.shared.hmac, "SHA256",
                                    keyBuffer.baseAddress, keyBuffer.count,
                                    messageBuffer.baseAddress, messageBuffer.count,
                                    output.baseAddress, output.count, &macLength)
                }
            }
        }
        guard status == 1, macLength == SHA256.byteCount else {
            fatalError("HMAC-SHA256 failed in EVP_MAC: \(OpenSSLErrorQueue.drain())")
        }
        return mac
    }

    /// Returns the HMAC-SHA256 of the UTF-8 encoding of `message` under `key`.
    public static func sha256(key: [UInt8], message: String) -> [UInt8] {
        sha256(key: key, message: Array(message.utf8))
    }
}
