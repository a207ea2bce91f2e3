import COpenSSL

/// Algorithm implementations fetched once from OpenSSL's default library context, so
/// hot paths (SHA-256, HMAC) skip the per-call lookup that implicit fetching does
/// (crypto(7), "Performance", recommends fetching once for repeated operations).
///
/// `@unchecked Sendable` is safe because the fetched EVP_MD and EVP_MAC objects are
/// never modified after fetching: callers only create contexts from them, which takes
/// a reference under OpenSSL's own atomic reference count (openssl-threads(7)). The
/// objects live for the whole process and are never freed.
final class FetchedAlgorithms: @unchecked Sendable {
    static let shared = FetchedAlgorithms()

    /// EVP_MD for "SHA256".
    let sha256: OpaquePointer
    /// EVP_MAC for "HMAC". The digest is chosen per context.
    let hmac: OpaquePointer

    private init() {
        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("OpenSSL could not fetch SHA256: \(OpenSSLErrorQueue.drain()). "
                + "Check that the OpenSSL 3 default provider is installed.")
        }
        guard let hmac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            fatalError("OpenSSL could not fetch HMAC: \(OpenSSLErrorQueue.drain()). "
                + "Check that the OpenSSL 3 default provider is installed.")
        }
        self.sha256 = sha256
        self.hmac = hmac
    }
}
