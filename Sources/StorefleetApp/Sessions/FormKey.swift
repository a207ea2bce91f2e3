import Crypto
import Foundation
import Glibc

/// The platform's secret for signing the form tokens of visitors who have no session yet
/// (see `StoreRequest.formToken()`), kept in `form-key` in the data folder.
///
/// A file keeps tokens valid across restarts, so a shopper who loaded a page before a
/// restart can still add to the cart after it. The server and the command line may both
/// start on a fresh folder, so the file is created exclusively, and the process that finds
/// it already created reads the key from it.
enum FormKey {
    static let fileName = "form-key"
    static let byteCount = 32

    /// Returns the key stored in `folder`, creating it with owner-only permissions first
    /// when it is missing.
    ///
    /// - Throws: `UsageError` when the file cannot be created or read, or contains something
    ///   other than a key. The message names the path and what to do.
    static func load(in folder: URL) throws -> [UInt8] {
        let path = folder.appendingPathComponent(fileName).path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            let key = SecureRandom.bytes(count: byteCount)
            let text = Array((Base64URL.encode(key) + "\n").utf8)
            let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor)
            close(descriptor)
            guard written == text.count, synced == 0 else {
                unlink(path)
                throw UsageError("Could not write the form key to \(path): \(String(cString: strerror(errno))). Check that the data folder is writable.")
            }
            return key
        }
        guard errno == EEXIST else {
            throw UsageError("Could not create the form key \(path): \(String(cString: strerror(errno))). Check that the data folder is writable.")
        }
        // Another process may have created the file an instant ago and not written it yet.
        for _ in 0..<50 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let key = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                guard key.count == byteCount else { break }
                return key
            }
            usleep(20_000)
        }
        throw UsageError("The form key \(path) is unreadable or not a key. Delete it and start again; forms that shoppers loaded before then will ask them to reload.")
    }
}
