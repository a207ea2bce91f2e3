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

    /// Writes every message of `messages` as its own file, as `write(_:)` does, but flushes
    /// the batch together: all temporary files are written first and then each is flushed
    /// with fsync(2) before it is linked under its final name. The disk then takes the
    /// whole batch's writes at once rather than one file per round trip, and a message whose
    /// result is success is complete on disk, as with `send(_:)`.
    public func send(_ messages: [MailMessage]) -> [Result<Void, MailTransportError>] {
        guard !messages.isEmpty else { return [] }
        do {
            try createFolder()
        } catch {
            return messages.map { _ in .failure(error) }
        }

        var pending: [PendingFile?] = []
        var results: [Result<Void, MailTransportError>] = []
        for message in messages {
            do {
                pending.append(try writeTemporary(message))
                results.append(.success(()))
            } catch {
                pending.append(nil)
                results.append(.failure(error))
            }
        }

        for (index, file) in pending.enumerated() {
            guard let file else { continue }
            do {
                try flush(file)
                _ = try linkFinal(file)
            } catch {
                results[index] = .failure(error)
            }
            unlink(file.temporaryPath)
        }
        return results
    }

    /// Writes `message` and returns the file's URL. The name is the current UTC time to
    /// the millisecond and the Message-ID, such as
    /// `20251204T203800.123Z-1f0c…@mail.example.com.eml`, so files sort by time. A
    /// second write of the same message in the same millisecond gets `-2`, `-3`, … before
    /// `.eml` rather than replacing the first file.
    @discardableResult
    public func write(_ message: MailMessage) throws(MailTransportError) -> URL {
        try createFolder()
        let file = try writeTemporary(message)
        defer { unlink(file.temporaryPath) }
        try flush(file)
        return try linkFinal(file)
    }

    /// A message written to its hidden temporary file, open and not yet flushed.
    private struct PendingFile {
        var descriptor: Int32
        var temporaryPath: String
        var baseName: String
    }

    private func createFolder() throws(MailTransportError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .fileWriteFailed(path: folder.path, reason: "could not create the folder (\(error.localizedDescription))")
        }
    }

    /// Creates the hidden temporary file of `message` in `folder` and writes all of the
    /// rendered message to it. The descriptor stays open for `flush(_:)`.
    private func writeTemporary(_ message: MailMessage) throws(MailTransportError) -> PendingFile {
        let baseName = MailDate.fileTimestamp(Date()) + "-" + Self.fileNameSafe(message.messageID)
        let path = folder.appendingPathComponent(".\(baseName).\(MailMessage.randomHex(byteCount: 8)).tmp").path
        let bytes = message.render()

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
        return PendingFile(descriptor: descriptor, temporaryPath: path, baseName: baseName)
    }

    /// Flushes `file` to disk with fsync(2) and closes it, so the file that gets the final
    /// name is complete even after a power loss.
    private func flush(_ file: PendingFile) throws(MailTransportError) {
        defer { close(file.descriptor) }
        guard fsync(file.descriptor) == 0 else {
            throw .fileWriteFailed(path: file.temporaryPath, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Links the flushed temporary file under its final `.eml` name and returns that URL.
    private func linkFinal(_ file: PendingFile) throws(MailTransportError) -> URL {
        // link(2) fails with EEXIST instead of replacing a file, unlike rename(2), so two
        // messages never overwrite each other. The caller removes the temporary name.
        for attempt in 1...1000 {
            let name = attempt == 1 ? "\(file.baseName).eml" : "\(file.baseName)-\(attempt).eml"
            let destination = folder.appendingPathComponent(name)
            if link(file.temporaryPath, destination.path) == 0 {
                return destination
            }
            let code = errno
            guard code == EEXIST else {
                throw .fileWriteFailed(path: destination.path, reason: String(cString: strerror(code)))
            }
        }
        throw .fileWriteFailed(path: folder.appendingPathComponent("\(file.baseName).eml").path, reason: "1000 files with this name already exist")
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
