import Crypto
import Foundation
import Glibc

/// The platform's secret for signing the form tokens of visitors who have no session yet
/// (see `StoreRequest.formToken()`), kept in `form-key` in the data folder.
///
/// A file keeps tokens valid across restarts, so a shopper who loaded a page before a
/// restart can still add to the cart after it. The server and the command line may both
/// start on a fresh folder. So a new key is written to a file of its own and then linked
/// into place. `link` fails when the name exists, so exactly one key wins, and no process
/// ever reads a key that is only partly written.
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
        if let existing = try read(path) { return existing }

        let key = SecureRandom.bytes(count: byteCount)
        let temporary = path + ".new-" + SecureRandom.token(byteCount: 8)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw UsageError("Could not create the form key \(temporary): \(String(cString: strerror(errno))). Check that the data folder is writable.")
        }
        let text = Array((Base64URL.encode(key) + "\n").utf8)
        let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        defer { unlink(temporary) }
        guard written == text.count, synced == 0 else {
            throw UsageError("Could not write the form key to \(temporary): \(String(cString: strerror(errno))). Check that the data folder is writable.")
        }
        if link(temporary, path) == 0 {
            return key
        }
        guard errno == EEXIST else {
            throw UsageError("Could not create the form key \(path): \(String(cString: strerror(errno))). Check that the data folder is writable.")
        }
        // Another process published its key first; that one is the key.
        guard let winner = try read(path) else {
            throw UsageError("The form key \(path) disappeared while it was being created. Start again.")
        }
        return winner
    }

    /// Returns the key in the file at `path`, or nil when there is no such file.
    private static func read(_ path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let key = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              key.count == byteCount else {
            throw UsageError("The form key \(path) is unreadable or not a key. Delete it and start again; forms that shoppers loaded before then will ask them to reload.")
        }
        return key
    }
}
