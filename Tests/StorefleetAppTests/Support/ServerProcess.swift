import Foundation
import Glibc
import Synchronization

/// `storefleet serve` as a process of its own, for what only the command does: it starts
/// the built `storefleet` executable on 127.0.0.1 with a fresh data folder, reads the port
/// from the start banner, and stops the process with SIGTERM.
final class ServerProcess {
    let dataDirectory: URL
    private let removesDataOnStop: Bool
    /// The port from the banner's "Storefleet is running at" line.
    private(set) var port = 0
    private let process = Process()
    private let output = CapturedOutput()

    /// How long the process may take to print its banner, and to exit after SIGTERM.
    static let startTimeout: TimeInterval = 30
    static let stopTimeout: TimeInterval = 10

    /// Returns the `storefleet` executable that `swift build` put beside the test binary, or
    /// throws when it is missing.
    static func executableURL() throws -> URL {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let executable = testBinary.deletingLastPathComponent().appendingPathComponent("storefleet")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestFailure("the storefleet executable is missing at \(executable.path); build it with swift build before running the tests")
        }
        return executable
    }

    /// Starts `storefleet serve` with `arguments` after the fixed ones (address, port 0,
    /// domain, data and root folders) and waits for its banner.
    ///
    /// - Parameter dataDirectory: a folder to reuse across servers, which `stop()` then
    ///   leaves in place for the caller to remove. By default each server gets a fresh
    ///   folder that `stop()` removes.
    init(arguments: [String] = [], dataDirectory: URL? = nil) throws {
        self.dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("storefleet-serve-tests-" + UUID().uuidString, isDirectory: true)
        removesDataOnStop = dataDirectory == nil
        process.executableURL = try Self.executableURL()
        process.arguments = [
            "serve", "--host", "127.0.0.1", "--port", "0", "--domain", TestApp.platformDomain,
            "--data", self.dataDirectory.path, "--root", TestApp.packageRoot,
            "--event-loops", "1", "--workers", "2", "--shutdown-timeout", "2",
        ] + arguments
        // No STOREFLEET_* variable of the machine running the tests reaches the server.
        process.environment = ["PATH": "/usr/bin:/bin"]

        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        let reader = pipe.fileHandleForReading
        try Self.withShutdownSignalsBlocked { try process.run() }
        // Reading until end of file keeps the pipe drained, so the server never blocks on a
        // full pipe. The end of file comes when the process exits.
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                output.append(data)
            }
        }

        do {
            port = try waitForBanner()
        } catch {
            stop()
            throw error
        }
    }

    /// Runs `body` with SIGINT and SIGTERM blocked on the calling thread, then restores the
    /// thread's mask. A child process inherits the mask of the thread that starts it, so the
    /// server starts with both blocked, as it does under any parent that blocks them (the
    /// test runner's worker threads block most signals). `serve` must stop on SIGTERM all
    /// the same.
    private static func withShutdownSignalsBlocked<T>(_ body: () throws -> T) rethrows -> T {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &signals, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// Everything the process wrote so far, standard output and error together.
    var text: String { output.text }

    private func waitForBanner() throws -> Int {
        let deadline = Date().addingTimeInterval(Self.startTimeout)
        let marker = "Storefleet is running at http://\(TestApp.platformDomain):"
        while Date() < deadline {
            let text = output.text
            if text.contains("Press Ctrl-C to stop."), let start = text.range(of: marker) {
                let digits = text[start.upperBound...].prefix { $0.isNumber }
                guard let port = Int(digits), port > 0 else {
                    throw TestFailure("the banner names no usable port: \(text)")
                }
                return port
            }
            if !process.isRunning {
                throw TestFailure("storefleet serve exited with status \(process.terminationStatus) before it started: \(text)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw TestFailure("storefleet serve printed no banner within \(Int(Self.startTimeout)) seconds: \(output.text)")
    }

    /// Sends SIGTERM, waits for the exit (SIGKILL after `stopTimeout`), and removes the data
    /// folder. Returns the exit status, or nil when the process had to be killed.
    @discardableResult
    func stop() -> Int32? {
        var graceful = true
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(Self.stopTimeout)
            while process.isRunning && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
            if process.isRunning {
                graceful = false
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        if removesDataOnStop {
            try? FileManager.default.removeItem(at: dataDirectory)
        }
        return graceful ? process.terminationStatus : nil
    }
}

/// Bytes a child process wrote, appended by its reader thread.
private final class CapturedOutput: Sendable {
    private let storage = Mutex<Data>(Data())

    func append(_ data: Data) {
        storage.withLock { $0.append(data) }
    }

    var text: String { String(decoding: storage.withLock { $0 }, as: UTF8.self) }
}
