import CSQLite
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import SQLite

/// Reads on extra connections while a queue's main connection is busy.
@Suite struct ReadConnectionTests {
    private func makeQueue(_ directory: URL, name: String = "store.sqlite", _ allowance: ReadConnections?) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(name).path, readConnections: allowance)
        try queue.writeWithoutTransaction { database in
            try database.execute("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO item(name) VALUES ('tea');")
        }
        return queue
    }

    /// A semaphore whose first wait returns at once. A semaphore created with a value above
    /// zero must not be freed below that value, which libdispatch treats as a crash.
    private func released() -> DispatchSemaphore {
        let semaphore = DispatchSemaphore(value: 0)
        semaphore.signal()
        return semaphore
    }

    /// Starts a thread that keeps the queue's main connection in a read until `release`
    /// is signalled, and returns once the read has started.
    private func holdMainConnection(_ queue: DatabaseQueue, until release: DispatchSemaphore) -> DispatchSemaphore {
        let inside = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? queue.read { _ in
                inside.signal()
                _ = release.wait(timeout: .now() + 10)
            }
            done.signal()
        }
        _ = inside.wait(timeout: .now() + 10)
        return done
    }

    /// Runs a read on another thread and returns whether its body started within
    /// `seconds`, with the value it read; `release` lets the body end.
    private func readElsewhere(_ queue: DatabaseQueue, within seconds: Double, release: DispatchSemaphore, body: @escaping @Sendable (Database) throws -> String) -> (started: Bool, result: () -> String?) {
        let inside = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let box = ReadResult()
        Thread.detachNewThread {
            let value = try? queue.read { database in
                inside.signal()
                _ = release.wait(timeout: .now() + 10)
                return try body(database)
            }
            box.value.withLock { $0 = value }
            done.signal()
        }
        let started = inside.wait(timeout: .now() + seconds) == .success
        return (started, {
            _ = done.wait(timeout: .now() + 10)
            return box.value.withLock { $0 }
        })
    }

    @Test func readRunsWhileMainConnectionIsBusy() throws {
        try withTemporaryDirectory { directory in
            let allowance = ReadConnections(perQueue: 1, total: 4)
            let queue = try makeQueue(directory, allowance)
            let releaseMain = DispatchSemaphore(value: 0)
            let mainDone = holdMainConnection(queue, until: releaseMain)

            let releaseRead = released()
            let read = readElsewhere(queue, within: 5, release: releaseRead) { database in
                try database.scalar("SELECT name FROM item", as: String.self) ?? ""
            }
            #expect(read.started)
            #expect(read.result() == "tea")
            #expect(queue.openReadConnections == 1)
            #expect(allowance.openCount == 1)

            releaseMain.signal()
            _ = mainDone.wait(timeout: .now() + 10)
            try queue.close()
            #expect(queue.openReadConnections == 0)
            #expect(allowance.openCount == 0)
        }
    }

    @Test func withoutReadConnectionsReadsWaitForTheMainOne() throws {
        try withTemporaryDirectory { directory in
            let queue = try makeQueue(directory, nil)
            let releaseMain = DispatchSemaphore(value: 0)
            let mainDone = holdMainConnection(queue, until: releaseMain)

            let read = readElsewhere(queue, within: 0.3, release: released()) { _ in "read" }
            #expect(!read.started)
            releaseMain.signal()
            #expect(read.result() == "read")
            _ = mainDone.wait(timeout: .now() + 10)
        }
    }

    @Test func perQueueLimitMakesFurtherReadsWait() throws {
        try withTemporaryDirectory { directory in
            let queue = try makeQueue(directory, ReadConnections(perQueue: 1, total: 4))
            let releaseMain = DispatchSemaphore(value: 0)
            let mainDone = holdMainConnection(queue, until: releaseMain)

            let releaseFirst = DispatchSemaphore(value: 0)
            let first = readElsewhere(queue, within: 5, release: releaseFirst) { _ in "first" }
            #expect(first.started)
            // The main connection and the one extra connection are both in use.
            let second = readElsewhere(queue, within: 0.3, release: released()) { _ in "second" }
            #expect(!second.started)

            releaseMain.signal()
            #expect(second.result() == "second")
            releaseFirst.signal()
            #expect(first.result() == "first")
            _ = mainDone.wait(timeout: .now() + 10)
            #expect(queue.openReadConnections == 1)
        }
    }

    @Test func totalLimitIsSharedByQueues() throws {
        try withTemporaryDirectory { directory in
            let allowance = ReadConnections(perQueue: 2, total: 1)
            let first = try makeQueue(directory, name: "first.sqlite", allowance)
            let second = try makeQueue(directory, name: "second.sqlite", allowance)
            let releaseMains = DispatchSemaphore(value: 0)
            let firstMain = holdMainConnection(first, until: releaseMains)
            let secondMain = holdMainConnection(second, until: releaseMains)

            let releaseRead = DispatchSemaphore(value: 0)
            let onFirst = readElsewhere(first, within: 5, release: releaseRead) { _ in "first" }
            #expect(onFirst.started)
            let onSecond = readElsewhere(second, within: 0.3, release: released()) { _ in "second" }
            #expect(!onSecond.started)
            #expect(allowance.openCount == 1)

            releaseMains.signal()
            releaseMains.signal()
            releaseRead.signal()
            #expect(onFirst.result() == "first")
            #expect(onSecond.result() == "second")
            _ = firstMain.wait(timeout: .now() + 10)
            _ = secondMain.wait(timeout: .now() + 10)
        }
    }

    @Test func readConnectionSeesCommittedWritesAndRejectsWrites() throws {
        try withTemporaryDirectory { directory in
            let queue = try makeQueue(directory, ReadConnections(perQueue: 1, total: 1))
            try queue.write { try $0.run("INSERT INTO item(name) VALUES ('oolong')") }
            let releaseMain = DispatchSemaphore(value: 0)
            let mainDone = holdMainConnection(queue, until: releaseMain)

            let read = readElsewhere(queue, within: 5, release: released()) { database in
                let count = try database.scalar("SELECT count(*) FROM item", as: Int.self) ?? 0
                do {
                    try database.run("INSERT INTO item(name) VALUES ('rejected')")
                    return "\(count) written"
                } catch let error as SQLiteError {
                    return "\(count) \(error.resultCode == SQLITE_READONLY ? "read-only" : "other error")"
                }
            }
            #expect(read.started)
            #expect(read.result() == "2 read-only")
            releaseMain.signal()
            _ = mainDone.wait(timeout: .now() + 10)
        }
    }

    @Test func callFromInsideReadConnectionBodyThrows() throws {
        try withTemporaryDirectory { directory in
            let queue = try makeQueue(directory, ReadConnections(perQueue: 1, total: 1))
            let releaseMain = DispatchSemaphore(value: 0)
            let mainDone = holdMainConnection(queue, until: releaseMain)

            let read = readElsewhere(queue, within: 5, release: released()) { _ in
                do {
                    try queue.read { _ in }
                    return "nested read ran"
                } catch let error as SQLiteError {
                    return error.message.contains("from inside one of its own") ? "rejected" : "other error"
                }
            }
            #expect(read.started)
            #expect(read.result() == "rejected")
            releaseMain.signal()
            _ = mainDone.wait(timeout: .now() + 10)
        }
    }

    @Test func closeWaitsForReadsOnReadConnections() throws {
        try withTemporaryDirectory { directory in
            let allowance = ReadConnections(perQueue: 1, total: 1)
            let queue = try makeQueue(directory, allowance)
            let releaseMain = DispatchSemaphore(value: 0)
            let mainDone = holdMainConnection(queue, until: releaseMain)
            let releaseRead = DispatchSemaphore(value: 0)
            let read = readElsewhere(queue, within: 5, release: releaseRead) { database in
                try database.scalar("SELECT name FROM item", as: String.self) ?? ""
            }
            #expect(read.started)
            releaseMain.signal()
            _ = mainDone.wait(timeout: .now() + 10)

            let closed = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                try? queue.close()
                closed.signal()
            }
            #expect(closed.wait(timeout: .now() + 0.3) == .timedOut)
            releaseRead.signal()
            #expect(read.result() == "tea")
            #expect(closed.wait(timeout: .now() + 10) == .success)
            #expect(queue.openReadConnections == 0)
            #expect(allowance.openCount == 0)
            #expect(throws: SQLiteError.self) {
                try queue.read { _ in }
            }
        }
    }
}

/// The value a read on another thread returned, once it has.
private final class ReadResult: Sendable {
    let value = Mutex<String?>(nil)
}
