import Foundation
import Mail
import Testing

@Suite struct FileTransportTests {
    @Test func writesCompleteEMLFile() throws {
        let folder = try TemporaryFolder()
        let outbox = folder.file("outbox/st_123")
        let message = try makeMessage()

        let file = try FileTransport(folder: outbox).write(message)

        #expect(file.deletingLastPathComponent().path == outbox.path)
        #expect(file.lastPathComponent.hasSuffix("-4f1c2d3e@mail.storefleet.example.eml"))
        #expect(Array(try Data(contentsOf: file)) == message.render())
    }

    @Test func fileNameStartsWithUTCTimestamp() throws {
        let folder = try TemporaryFolder()
        let file = try FileTransport(folder: folder.url).write(try makeMessage())
        let stamp = String(file.lastPathComponent.prefix(20))

        // 20251204T203800.123Z
        #expect(stamp.count == 20)
        #expect(stamp.dropFirst(8).first == "T")
        #expect(stamp.last == "Z")
        #expect(stamp.filter(\.isNumber).count == 17)
    }

    @Test func sameMessageTwiceGetsTwoFiles() throws {
        let folder = try TemporaryFolder()
        let transport = FileTransport(folder: folder.url)
        let message = try makeMessage()

        let first = try transport.write(message)
        let second = try transport.write(message)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)

        #expect(first != second)
        #expect(names.count == 2)
        #expect(Array(try Data(contentsOf: first)) == message.render())
        #expect(Array(try Data(contentsOf: second)) == message.render())
    }

    @Test func concurrentWritesKeepEveryMessage() async throws {
        let folder = try TemporaryFolder()
        let transport = FileTransport(folder: folder.url)
        let messages = try (0..<24).map { index in
            try MailMessage(
                from: MailAddress("stores@storefleet.example"), to: [MailAddress("ana@example.com")],
                subject: "Order \(index)", textBody: String(repeating: "line \(index)\n", count: 500),
                messageIDDomain: "mail.storefleet.example"
            )
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for message in messages {
                group.addTask { try transport.send(message) }
            }
            try await group.waitForAll()
        }

        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(names.count == messages.count)
        #expect(names.allSatisfy { $0.hasSuffix(".eml") })
        #expect(!names.contains { $0.hasPrefix(".") })
        for message in messages {
            let name = try #require(names.first { $0.contains(message.messageID) })
            #expect(Array(try Data(contentsOf: folder.file(name))) == message.render())
        }
    }

    @Test func folderThatIsAFileFails() throws {
        let folder = try TemporaryFolder()
        let blocker = folder.file("outbox")
        try Data("not a folder".utf8).write(to: blocker)
        let message = try makeMessage()

        do {
            try FileTransport(folder: blocker).send(message)
            Issue.record("writing into a regular file succeeded")
        } catch let error {
            guard case let .fileWriteFailed(path, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == blocker.path)
            #expect(!error.isPermanent)
            #expect(error.description.contains("Could not write the mail file"))
        }
    }
}

@Suite struct FileTransportBatchTests {
    private func messages(_ count: Int) throws -> [MailMessage] {
        try (0..<count).map { index in
            try MailMessage(
                from: MailAddress("stores@storefleet.example"), to: [MailAddress("ana@example.com")],
                subject: "Order \(index)", textBody: String(repeating: "line \(index)\n", count: 200),
                messageIDDomain: "mail.storefleet.example"
            )
        }
    }

    @Test func batchWritesEveryMessage() throws {
        let folder = try TemporaryFolder()
        let batch = try messages(30)

        let results = FileTransport(folder: folder.file("outbox/st_1")).send(batch)

        #expect(results.count == batch.count)
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.file("outbox/st_1").path)
        #expect(names.count == batch.count)
        #expect(!names.contains { $0.hasPrefix(".") })
        for message in batch {
            let name = try #require(names.first { $0.contains(message.messageID) })
            #expect(Array(try Data(contentsOf: folder.file("outbox/st_1/\(name)"))) == message.render())
        }
    }

    @Test func sameMessageTwiceInBatchGetsTwoFiles() throws {
        let folder = try TemporaryFolder()
        let message = try makeMessage()

        let results = FileTransport(folder: folder.url).send([message, message])

        #expect(results.count == 2)
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.hasSuffix(".eml") })
    }

    @Test func emptyBatchWritesNothing() throws {
        let folder = try TemporaryFolder()
        #expect(FileTransport(folder: folder.file("outbox")).send([]).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.file("outbox").path))
    }

    @Test func batchIntoFileFailsEveryMessage() throws {
        let folder = try TemporaryFolder()
        let blocker = folder.file("outbox")
        try Data("not a folder".utf8).write(to: blocker)

        let results = FileTransport(folder: blocker).send(try messages(3))

        #expect(results.count == 3)
        for result in results {
            guard case .failure(.fileWriteFailed(let path, _)) = result else {
                Issue.record("expected a write failure, got \(result)")
                continue
            }
            #expect(path == blocker.path)
        }
        #expect(try String(contentsOf: blocker, encoding: .utf8) == "not a folder")
    }
}
