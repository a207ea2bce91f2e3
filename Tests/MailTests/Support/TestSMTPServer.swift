import Foundation
import Glibc

/// The aiosmtpd server in `Fixtures/smtp_server.py`, run as a child process on an
/// ephemeral port of 127.0.0.1. Call `stop()` in a `defer`; releasing the object stops
/// it too.
final class TestSMTPServer {
    /// One message as the server stored it.
    struct Received {
        /// The content after the server removed the dot-stuffing.
        let content: [UInt8]
        let mailFrom: String
        let mailOptions: [String]
        let recipients: [String]
        let usedTLS: Bool
        let login: String?
        let helo: String?
    }

    static let scriptPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/smtp_server.py").path

    let port: Int
    let inbox: URL
    private let process: Process
    private var isStopped = false

    /// Starts the server and waits until it listens. `arguments` are the script's options
    /// besides `--folder`, such as `--certificate`.
    init(arguments: [String] = [], in folder: TemporaryFolder) throws {
        inbox = folder.file("inbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let errorLog = folder.file("smtp-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, "--folder", inbox.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorLog)
        do {
            try process.run()
        } catch {
            throw TestSetupError("Could not start python3 for the test SMTP server (\(error)). Install Python 3 and run `pip install aiosmtpd`.")
        }

        do {
            let line = try Self.readLine(from: output.fileHandleForReading.fileDescriptor, timeout: .seconds(15))
            guard line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) else {
                throw TestSetupError("The test SMTP server printed \(line.debugDescription) instead of its port.")
            }
            self.port = port
        } catch {
            Self.terminate(process)
            let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            if log.contains("No module named 'aiosmtpd'") || log.contains("No such file or directory") {
                throw TestSetupError("The SMTP tests need python3 with aiosmtpd, which is missing: run `pip install aiosmtpd`. Server output: \(log)")
            }
            throw TestSetupError("The test SMTP server did not start: \(error). Its output: \(log). If aiosmtpd is missing, run `pip install aiosmtpd`.")
        }
    }

    deinit {
        stop()
    }

    /// Ends the server process: SIGTERM, then SIGKILL if it is still running after 2 s.
    func stop() {
        guard !isStopped else {
            return
        }
        isStopped = true
        Self.terminate(process)
    }

    /// The messages received so far, in order of arrival.
    func receivedMessages() throws -> [Received] {
        var messages: [Received] = []
        var number = 1
        while FileManager.default.fileExists(atPath: inbox.appendingPathComponent("\(number).json").path) {
            let details = try Data(contentsOf: inbox.appendingPathComponent("\(number).json"))
            let content = try Data(contentsOf: inbox.appendingPathComponent("\(number).eml"))
            guard let object = try JSONSerialization.jsonObject(with: details) as? [String: Any] else {
                throw TestSetupError("Message \(number)'s details are not a JSON object.")
            }
            messages.append(Received(
                content: Array(content),
                mailFrom: object["mail_from"] as? String ?? "",
                mailOptions: object["mail_options"] as? [String] ?? [],
                recipients: object["rcpt_tos"] as? [String] ?? [],
                usedTLS: object["tls"] as? Bool ?? false,
                login: object["login"] as? String,
                helo: object["helo"] as? String
            ))
            number += 1
        }
        return messages
    }

    private static func terminate(_ process: Process) {
        guard process.isRunning else {
            return
        }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(2)
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Reads one line from a pipe, waiting at most `timeout`.
    private static func readLine(from descriptor: Int32, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw TestSetupError("no output within \(timeout)")
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&entry, 1, milliseconds) > 0 else {
                continue
            }
            var byte: UInt8 = 0
            let count = read(descriptor, &byte, 1)
            guard count == 1 else {
                throw TestSetupError("the process exited before printing its port")
            }
            if byte == UInt8(ascii: "\n") {
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes.append(byte)
        }
    }
}
