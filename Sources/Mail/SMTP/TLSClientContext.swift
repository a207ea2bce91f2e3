import COpenSSL
import Foundation

/// An OpenSSL client context (SSL_CTX) for one transport: TLS 1.2 or later, the system's
/// trusted CAs plus an optional CA file, and peer verification unless disabled.
///
/// `@unchecked Sendable`: the SSL_CTX is configured completely in `init` and never changed
/// afterwards. Connections on several threads each create their own SSL object from it
/// with SSL_new. OpenSSL locks the state those objects share through the context: its
/// reference count, certificate store and session cache.
final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer
    let verifiesPeer: Bool

    init(caFile: String?, allowInvalidCertificates: Bool) throws(MailTransportError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .invalidConfiguration(setting: "TLS", value: "client context", reason: "OpenSSL could not create a TLS context: \(OpenSSLErrors.drain())")
        }
        self.context = context
        self.verifiesPeer = !allowInvalidCertificates

        // SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl. TLS 1.0 and 1.1 are
        // deprecated by RFC 8996.
        guard SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil) == 1 else {
            throw .invalidConfiguration(setting: "TLS", value: "minimum version", reason: "OpenSSL rejected TLS 1.2 as the minimum version: \(OpenSSLErrors.drain())")
        }
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw .invalidConfiguration(setting: "TLS", value: "system CA certificates", reason: "OpenSSL could not load the system's trusted CA certificates: \(OpenSSLErrors.drain())")
        }

        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw .invalidConfiguration(setting: "caFile", value: caFile, reason: "the file does not exist or is not readable; give the path of a PEM file of CA certificates")
            }
            guard SSL_CTX_load_verify_file(context, caFile) == 1 else {
                throw .invalidConfiguration(setting: "caFile", value: caFile, reason: "OpenSSL could not load CA certificates from it (\(OpenSSLErrors.drain())); it must contain PEM certificates")
            }
        }

        SSL_CTX_set_verify(context, allowInvalidCertificates ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
    }

    deinit {
        SSL_CTX_free(context)
    }
}

/// OpenSSL's per-thread error queue (ERR_get_error(3)).
enum OpenSSLErrors {
    /// Removes every entry from this thread's queue and returns them joined by "; ". A
    /// stale entry would otherwise be blamed on the next failing call on this thread.
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 {
                break
            }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }
}
