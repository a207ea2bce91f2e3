import Foundation
import Synchronization
@testable import SQLite

/// Runs `body` with a new empty folder under the system temporary directory and removes the
/// folder afterwards, whether `body` succeeds or throws.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("storefleet-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Opens `name` in `directory` with the default configuration unless one is given.
func openDatabase(_ directory: URL, _ name: String = "store.sqlite", configuration: Database.Configuration = .init()) throws -> Database {
    try Database(path: directory.appendingPathComponent(name).path, configuration: configuration)
}

/// Starts `count` threads running `body(index)` and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// Errors thrown on other threads, collected for checks on the test's thread.
final class ErrorCollector: Sendable {
    private let errors = Mutex<[String]>([])

    func record(_ error: any Error) {
        let text = String(describing: error)
        errors.withLock { $0.append(text) }
    }

    var all: [String] { errors.withLock { $0 } }
}

/// Wall-clock seconds since `start`.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
