import Foundation
import Synchronization

/// A source of the current UTC time, injected so that tests can move time forward.
///
/// The name avoids the standard library's `Clock`, which measures instants and durations
/// rather than calendar time.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The machine's real time.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Date {
        Date()
    }
}

/// A clock that does not move until a test sets or advances it.
public final class SettableClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }

    public func advance(by interval: TimeInterval) {
        current.withLock { $0 += interval }
    }
}

/// The length of the free trial that every new store starts with.
public enum Trial {
    public static let length: TimeInterval = 14 * 24 * 60 * 60

    /// The moment a trial that starts at `start` ends.
    public static func end(startingAt start: Date) -> Date {
        start.addingTimeInterval(length)
    }
}
