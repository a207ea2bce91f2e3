import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes each message as an `.eml` file instead of sending it: the development default,
/// so that mail can be read in any mail program without a server. The app uses one folder
/// per store, `data/outbox/<store-id>/`.
///
/// A file appears complete or not at all. The message is written and flushed to a hidden
/// temporary file in the same folder, then linked under its final name, so a reader
/// listing `*.eml` never reads half a file.
public struct FileTransport: MailTransport {
    /// The folder that receives the files. It is created, with its parents, on first use.
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public func send(_ message: MailMessage) throws(MailTransportError) {
        _ = try write(message)
    }

    /// Writes `message` and returns the file's URL. The name is the current UTC time to
    /// the millisecond and the Message-ID, such as
    /// `20251204T203800.123Z-1f0c…@mail.example.com.eml`, so files sort by time. A
    /// second write of the same message in the same millisecond gets `-2`, `-3`, … before
    /// `.eml` rather than replacing the first file.
    @discardableResult
    public func write(_ message: MailMessage) throws(MailTransportError) -> URL {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .fileWriteFailed(path: folder.path, reason: "could not create the folder (\(error.localizedDescription))")
        }

        let baseName = MailDate.fileTimestamp(Date()) + "-" + Self.fileNameSafe(message.messageID)
        let temporary = folder.appendingPathComponent(".\(baseName).\(MailMessage.randomHex(byteCount: 8)).tmp")
        try writeFlushed(message.render(), to: temporary.path)
        defer { unlink(temporary.path) }

        // link(2) fails with EEXIST instead of replacing a file, unlike rename(2), so two
        // messages never overwrite each other. The temporary name is removed afterwards.
        for attempt in 1...1000 {
            let name = attempt == 1 ? "\(baseName).eml" : "\(baseName)-\(attempt).eml"
            let destination = folder.appendingPathComponent(name)
            if link(temporary.path, destination.path) == 0 {
                return destination
            }
            let code = errno
            guard code == EEXIST else {
                throw .fileWriteFailed(path: destination.path, reason: String(cString: strerror(code)))
            }
        }
        throw .fileWriteFailed(path: folder.appendingPathComponent("\(baseName).eml").path, reason: "1000 files with this name already exist")
    }

    /// Creates `path` (which must not exist), writes all of `bytes` and flushes them to
    /// disk with fsync(2), so the file that gets the final name is complete even after a
    /// power loss.
    private func writeFlushed(_ bytes: [UInt8], to path: String) throws(MailTransportError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .fileWriteFailed(path: path, reason: String(cString: strerror(errno)))
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR {
                    continue
                }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(path)
                throw .fileWriteFailed(path: path, reason: reason)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(path)
            throw .fileWriteFailed(path: path, reason: "fsync failed: \(reason)")
        }
        close(descriptor)
    }

    /// Keeps letters, digits, `.`, `-`, `_` and `@` and replaces everything else with `_`.
    /// A Message-ID never contains `/`, but one given by a caller might contain other
    /// characters that shells treat specially.
    static func fileNameSafe(_ id: String) -> String {
        let safe = id.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_", "@":
                return Character(scalar)
            default:
                return "_"
            }
        }
        return String(String(safe).prefix(180))
    }
}
