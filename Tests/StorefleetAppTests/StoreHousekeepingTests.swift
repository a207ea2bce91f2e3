import Commerce
import Foundation
import SQLite
import Testing
@testable import StorefleetApp

@Suite struct StoreHousekeepingTests {
    private func makeStoreDatabase() throws -> (DatabaseQueue, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("housekeeping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("store.sqlite").path)
        _ = try queue.writeWithoutTransaction { try StoreSchema.migrate($0) }
        return (queue, folder)
    }

    @Test func removesOnlyExpiredSessions() throws {
        let (queue, folder) = try makeStoreDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = Date(timeIntervalSince1970: 1_800_000_000)

        _ = try queue.write { try SessionStore(database: $0, now: { start }).create(staffID: nil) }
        let later = start.addingTimeInterval(SessionStore.defaultIdleTimeout + 60)
        _ = try queue.write { try SessionStore(database: $0, now: { later }).create(staffID: nil) }

        let removed = try StoreHousekeeping.run(in: queue, now: later)
        #expect(removed.sessions == 1)
        let remaining = try queue.read { try $0.scalar("SELECT count(*) FROM sessions", as: Int.self) }
        #expect(remaining == 1)
    }

    @Test func claimsOncePerIntervalPerStore() {
        let housekeeping = StoreHousekeeping()
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        #expect(housekeeping.claim("st_a", now: now))
        #expect(!housekeeping.claim("st_a", now: now.addingTimeInterval(60)))
        #expect(housekeeping.claim("st_b", now: now.addingTimeInterval(60)))
        #expect(housekeeping.claim("st_a", now: now.addingTimeInterval(StoreHousekeeping.interval + 1)))
    }
}
