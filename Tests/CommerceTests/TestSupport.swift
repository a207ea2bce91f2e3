import Commerce
import Crypto
import Foundation
import SQLite
import Synchronization

/// A clock the tests move by hand. Starts at a whole second so stored times, which keep
/// milliseconds, read back equal.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(start: Date = Date(timeIntervalSince1970: 1_772_366_400)) { // 2026-03-01 12:00:00 UTC
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The closure the types under test take as their clock.
    var closure: @Sendable () -> Date {
        { [self] in self.now }
    }
}

/// A migrated store file in a fresh temporary directory, deleted when released.
final class TestStore {
    let directory: URL
    let path: String
    let database: Database
    let clock = TestClock()

    init(migrate: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("commerce-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("store.sqlite").path
        database = try Database(path: path)
        if migrate {
            try StoreSchema.migrate(database)
        }
    }

    deinit {
        try? database.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var products: ProductStore { ProductStore(database: database, now: clock.closure) }
    var staff: StaffDirectory {
        StaffDirectory(database: database, passwordHasher: testHasher, now: clock.closure)
    }
    var sessions: SessionStore { SessionStore(database: database, now: clock.closure) }
    func throttle(policy: LoginThrottle.Policy = .default) -> LoginThrottle {
        LoginThrottle(database: database, policy: policy, now: clock.closure)
    }

    func saveSettings(currencyCode: String = "USD") throws {
        try StoreSettings(storeName: "Trailhead Supply", contactEmail: "hello@trailhead.example", currencyCode: currencyCode)
            .save(to: database)
    }
}

let testHasher = PasswordHasher(policy: .insecureFastForTesting)

/// Runs `body` and returns the `ValidationErrors` it throws, or nil when it throws nothing.
/// Any other error fails the test by propagating.
func validationErrors(_ body: () throws -> Void) throws -> ValidationErrors? {
    do {
        try body()
        return nil
    } catch let errors as ValidationErrors {
        return errors
    }
}
