import CSystem
import Glibc

/// Reads `CLOCK_MONOTONIC`, which never jumps with wall-clock changes, for deadlines and
/// durations.
enum MonotonicClock {
    @inline(__always)
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to zero for negative durations.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// The duration in milliseconds as a Double, for log fields.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// Returns the text of an `errno` value, such as `Connection reset by peer (errno 104)`.
func describeErrno(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}

/// Starts a named, detached POSIX thread that blocks SIGINT and SIGTERM, so those signals
/// reach the thread the application expects them on instead of interrupting a loop's
/// `epoll_wait` or a worker's `poll`.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    defer { pthread_attr_destroy(&attributes) }

    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, { argument in
        let box = Unmanaged<AnyObject>.fromOpaque(argument!).takeRetainedValue() as! Box
        _ = csystem_block_shutdown_signals_in_thread()
        // Linux limits thread names to 15 bytes plus the terminator.
        _ = pthread_setname_np(pthread_self(), String(box.name.utf8.prefix(15))!)
        box.body()
        return nil
    }, box)
    precondition(result == 0, "pthread_create failed for thread \(name): \(describeErrno(result))")
}

/// A POSIX mutex with one condition variable, for threads that must sleep until another
/// thread changes shared state (the worker queue, the server's stop signal).
///
/// The mutex and condition live at fixed heap addresses because POSIX forbids moving them.
final class ConditionLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread objects are designed for use from many threads, and
    // the class has no other state.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)

        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits for a signal; the caller holds the lock and rechecks its condition afterwards.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal or until the monotonic clock reaches `deadline` (nanoseconds).
    /// Returns false on timeout.
    @discardableResult
    func wait(untilNanoseconds deadline: UInt64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    func signal() { pthread_cond_signal(condition) }
    func broadcast() { pthread_cond_broadcast(condition) }
}
