import Commerce
import Foundation
import SQLite
import Tenancy
import Testing
@testable import StorefleetApp

/// The mail sender's batches and its schedule, and the visit recording that lets most
/// store requests take a read transaction.
@Suite struct MailBatchTests {
    @Test func senderDeliversSeveralBatches() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let count = StoreMailSender.batchSize * 2 + 3
        let ids = try shop.write { database in
            let outbox = Outbox(database: database, now: { app.clock.now() })
            return try (1...count).map { number in
                try outbox.enqueue(OutgoingMail(
                    toAddress: "shopper\(number)@example.com", subject: "Mail \(number)", textBody: "Hi", kind: .orderConfirmation
                ))
            }
        }

        let workers = try ShopWorkers.start(app.app)
        defer { workers.stop() }
        let files = try waitForMailFiles(in: shop.mailFolder, count: count)

        #expect(files.count == count)
        let statuses = try shop.read { database in
            try database.query("SELECT status, attempts FROM outbox ORDER BY id", map: {
                (try $0.get("status", as: String.self), try $0.get("attempts", as: Int.self))
            })
        }
        #expect(statuses.count == count)
        #expect(statuses.allSatisfy { $0.0 == "sent" && $0.1 == 1 })
        for id in [ids[0], ids[StoreMailSender.batchSize], ids[count - 1]] {
            #expect(app.log.contains { $0.contains("mail.sent") && $0.contains(" outbox_id=\(id) ") })
        }
        let contents = try files.map { try String(contentsOf: $0, encoding: .utf8) }
        for number in 1...count {
            #expect(contents.filter { $0.contains("Subject: Mail \(number)\r\n") }.count == 1)
        }
    }

    @Test func scheduleGivesStoreToOneThreadAtATime() throws {
        let clock = SettableClock(Date(timeIntervalSince1970: 1_800_000_000))
        let schedule = MailSchedule()
        schedule.schedule("store-a", at: clock.now().addingTimeInterval(-2))
        schedule.schedule("store-b", at: clock.now().addingTimeInterval(-1))

        #expect(schedule.waitForDueStore(clock: clock, maximumWait: 0.01) == "store-a")
        // A request queues more mail in store A while a thread delivers it: another thread
        // gets store B, not A.
        schedule.schedule("store-a", at: clock.now().addingTimeInterval(-5))
        #expect(schedule.waitForDueStore(clock: clock, maximumWait: 0.01) == "store-b")
        #expect(schedule.snapshot.keys.sorted() == ["store-a"])

        schedule.finish("store-a")
        #expect(schedule.waitForDueStore(clock: clock, maximumWait: 0.01) == "store-a")
        schedule.stop()
        #expect(schedule.waitForDueStore(clock: clock, maximumWait: 0.01) == nil)
    }

    @Test func staleSessionVisitIsRecorded() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let shopper = app.browser()

        // The cart page starts a session; browsing the catalogue alone does not.
        #expect(try shopper.get("/cart", host: shop.host).status == 200)
        let started = app.clock.now()
        let lastSeen = { try shop.read { try $0.scalar("SELECT last_seen_at FROM sessions", as: Date.self) } }
        #expect(try lastSeen() == started)

        app.clock.advance(by: SessionStore.touchInterval - 1)
        #expect(try shopper.get("/", host: shop.host).status == 200)
        #expect(try lastSeen() == started)

        app.clock.advance(by: 1)
        let page = try shopper.get("/", host: shop.host)
        #expect(page.status == 200)
        #expect(try lastSeen() == app.clock.now())
        #expect(try shop.read { try $0.scalar("SELECT count(*) FROM sessions", as: Int.self) } == 1)
    }
}

/// The background checkpoint that keeps store requests from running SQLite's automatic one.
@Suite struct StoreCheckpointerTests {
    private func walSize(_ shop: ShopFixture) throws -> Int {
        let path = shop.app.app.dataDirectory.storeDatabasePath(shop.store.id) + "-wal"
        return try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    /// Writes `count` rows of about 4 KiB each, one transaction each, through the pool.
    private func writeRows(_ shop: ShopFixture, count: Int, from first: Int) throws {
        for number in first..<(first + count) {
            try shop.write { database in
                try database.run("INSERT INTO checkpoint_test (id, body) VALUES (?, ?)", number, String(repeating: "x", count: 4_000))
            }
        }
    }

    @Test func storeConnectionsRaiseAutomaticCheckpoint() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        let pages = try shop.read { try $0.scalar("PRAGMA wal_autocheckpoint", as: Int.self) }
        #expect(pages == Application.automaticCheckpointPages)
    }

    @Test func backgroundCheckpointKeepsWALBounded() throws {
        let app = try TestApp()
        defer { app.stop() }
        let shop = try ShopFixture(app: app)
        try shop.write { try $0.execute("CREATE TABLE checkpoint_test (id INTEGER PRIMARY KEY, body TEXT NOT NULL)") }
        let checkpointer = StoreCheckpointer(app: app.app)

        // Each round writes about 400 KiB of pages, far below the automatic checkpoint, so
        // only the checkpointer copies them back.
        try writeRows(shop, count: 100, from: 0)
        let first = try checkpointer.checkpoint(shop.store.id)
        #expect(first.walFrames > 100)
        #expect(first.checkpointedFrames == first.walFrames)
        let sizeAfterFirstRound = try walSize(shop)

        for round in 1...5 {
            try writeRows(shop, count: 100, from: round * 100)
            let frames = try checkpointer.checkpoint(shop.store.id)
            #expect(frames.checkpointedFrames == frames.walFrames)
            // The writer started the WAL again from its beginning after the complete
            // checkpoint, so it contains about one round's frames, not all rounds'.
            #expect(frames.walFrames < first.walFrames * 2)
        }
        #expect(try walSize(shop) <= sizeAfterFirstRound * 2)
        #expect(try shop.read { try $0.scalar("SELECT count(*) FROM checkpoint_test", as: Int.self) } == 600)
    }

    @Test func checkpointOfMissingStoreFails() throws {
        let app = try TestApp()
        defer { app.stop() }
        let checkpointer = StoreCheckpointer(app: app.app)
        #expect(throws: SQLiteError.self) { try checkpointer.checkpoint(StoreID.generate()) }
    }

    @Test func scheduleReturnsEachStoreOnce() {
        let schedule = CheckpointSchedule()
        schedule.noteWrite("store-a")
        schedule.noteWrite("store-b")
        schedule.noteWrite("store-a")

        #expect(schedule.waitForStores() == ["store-a", "store-b"])
        #expect(schedule.snapshot.isEmpty)
        schedule.noteWrite("store-b")
        schedule.stop()
        #expect(schedule.waitForStores() == nil)
    }
}
