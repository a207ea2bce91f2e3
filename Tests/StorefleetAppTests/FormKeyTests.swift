import Foundation
import Testing
@testable import StorefleetApp

/// The secret behind storefront visitors' form tokens, kept in the data folder.
@Suite struct FormKeyTests {
    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("form-key-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func keySurvivesRestarts() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try FormKey.load(in: folder)
        #expect(first.count == FormKey.byteCount)
        #expect(try FormKey.load(in: folder) == first)

        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(FormKey.fileName).path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func concurrentFirstLoadsAgree() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = (0..<8).map { _ in Result { try FormKey.load(in: folder) } }
        let loaded = try keys.map { try $0.get() }
        #expect(Set(loaded).count == 1)
        // Threads racing for a fresh folder end with one key as well: none may read a key
        // that another is still writing. Repeated, because a race shows only sometimes.
        for _ in 0..<50 {
            let other = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: other) }
            let results = LockedResults(count: 8)
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                results.set(index, (try? FormKey.load(in: other)) ?? [])
            }
            #expect(Set(results.values).count == 1)
            #expect(results.values.first?.count == FormKey.byteCount)
            // Only the key remains in the folder: every temporary file is gone.
            #expect(try FileManager.default.contentsOfDirectory(atPath: other.path) == [FormKey.fileName])
        }
    }

    @Test func damagedKeyIsReported() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a key\n".utf8).write(to: folder.appendingPathComponent(FormKey.fileName))
        let error = #expect(throws: UsageError.self) { try FormKey.load(in: folder) }
        #expect(error?.description.contains("Delete it and start again") == true)
    }
}

/// Results written by `concurrentPerform`'s threads, each to its own index.
private final class LockedResults: @unchecked Sendable {
    // Safe: every access to the storage takes the lock.
    private let lock = NSLock()
    private var storage: [[UInt8]]
    init(count: Int) { storage = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [UInt8]) { lock.withLock { storage[index] = value } }
    var values: [[UInt8]] { lock.withLock { storage } }
}
