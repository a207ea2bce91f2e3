import COpenSSL

/// OpenSSL's per-thread error queue (ERR_get_error(3)).
enum OpenSSLErrorQueue {
    /// Removes every entry from this thread's queue and returns them joined by "; ".
    /// Draining matters because a stale entry would otherwise be blamed on the next
    /// failing call on this thread.
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 {
                break
            }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let length = buffer.firstIndex(of: 0) ?? buffer.count
            messages.append(String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no entry on the OpenSSL error queue" : messages.joined(separator: "; ")
    }

    /// Builds the error for a failed call, draining the queue.
    static func failure(_ operation: String) -> CryptoError {
        .openSSLFailure(operation: operation, details: drain())
    }
}
