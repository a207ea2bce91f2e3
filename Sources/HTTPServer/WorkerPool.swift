/// A fixed set of threads that run jobs from a bounded FIFO queue.
///
/// `submit` never blocks: when `queueLimit` jobs are already waiting it returns false and the
/// caller responds with `503`. The limit counts waiting jobs, not running ones, so with one thread
/// and a limit of one, a second job waits while the first runs and a third is refused.
///
/// Each thread owns a `State` value (a date cache, for instance) passed to every job it runs.
final class WorkerPool<Job: Sendable, State>: @unchecked Sendable {
    // @unchecked Sendable: `queue`, `stopping`, `liveThreads` and `busyThreads` are only
    // touched while holding `lock`; `process`, `cancel` and `makeState` are immutable.

    private let lock = ConditionLock()
    private var queue: RingBuffer<Job>
    private let queueLimit: Int
    private let threadCount: Int
    private let name: String
    private let makeState: @Sendable () -> State
    private let process: @Sendable (Job, inout State) -> Void
    private let cancel: @Sendable (Job) -> Void

    private var stopping = false
    private var started = false
    private var liveThreads = 0
    private var busyThreads = 0
    /// Threads blocked waiting for a job.
    private var idleThreads = 0
    /// Signals sent to idle threads that have not woken up yet. Counting them keeps a burst
    /// of submissions from waking more threads than there are new jobs, since each wake-up
    /// costs a context switch.
    private var pendingWakeUps = 0

    /// - Parameters:
    ///   - process: runs one job on a pool thread.
    ///   - cancel: disposes of a job that was queued but will never run, after `stop(cancelQueued: true)`.
    init(
        name: String,
        threadCount: Int,
        queueLimit: Int,
        makeState: @escaping @Sendable () -> State,
        process: @escaping @Sendable (Job, inout State) -> Void,
        cancel: @escaping @Sendable (Job) -> Void
    ) {
        precondition(threadCount >= 1, "a worker pool needs at least one thread")
        self.name = name
        self.threadCount = threadCount
        self.queueLimit = queueLimit
        self.queue = RingBuffer(capacity: min(queueLimit, 4096))
        self.makeState = makeState
        self.process = process
        self.cancel = cancel
    }

    /// Starts the threads. Calling it twice has no effect.
    func start() {
        let alreadyStarted = lock.withLock {
            defer { started = true }
            if !started { liveThreads = threadCount }
            return started
        }
        guard !alreadyStarted else { return }
        for index in 0..<threadCount {
            startThread(name: "\(name)-\(index)") { [self] in
                runThread()
            }
        }
    }

    /// Queues a job. Returns false, without queueing, when the queue is full or the pool is
    /// stopping.
    func submit(_ job: Job) -> Bool {
        submit(contentsOf: CollectionOfOne(job)).isEmpty
    }

    /// Queues jobs in order under one lock acquisition and wakes as many idle threads as
    /// there are new jobs. Returns the jobs that did not fit, in order.
    func submit<Jobs: Collection<Job>>(contentsOf jobs: Jobs) -> [Job] {
        var refused: [Job] = []
        lock.lock()
        for job in jobs {
            // The limit counts waiting jobs. A job that an idle thread takes at once never
            // waits, so it is accepted even with a limit of zero.
            let idleThreadsLeft = threadCount - busyThreads - queue.count
            if !stopping && (queue.count < queueLimit || idleThreadsLeft > 0) {
                queue.append(job)
            } else {
                refused.append(job)
            }
        }
        let wakeCount = max(0, min(jobs.count - refused.count, idleThreads - pendingWakeUps))
        pendingWakeUps += wakeCount
        lock.unlock()
        for _ in 0..<wakeCount {
            lock.signal()
        }
        return refused
    }

    /// Jobs waiting for a thread.
    var queuedCount: Int { lock.withLock { queue.count } }
    /// Threads running a job right now.
    var runningCount: Int { lock.withLock { busyThreads } }

    /// Lets each thread finish its current job and exit. Queued jobs still run unless
    /// `cancelQueued` is set, in which case `cancel` receives each of them instead.
    func stop(cancelQueued: Bool) {
        var cancelled: [Job] = []
        lock.withLock {
            stopping = true
            if cancelQueued {
                while let job = queue.popFirst() {
                    cancelled.append(job)
                }
            }
            lock.broadcast()
        }
        for job in cancelled {
            cancel(job)
        }
    }

    /// Waits until every thread has exited or the monotonic clock reaches `deadline`
    /// (nanoseconds). Returns whether all exited.
    @discardableResult
    func waitForThreadsToExit(untilNanoseconds deadline: UInt64) -> Bool {
        lock.withLock {
            while liveThreads > 0 {
                if !lock.wait(untilNanoseconds: deadline) && liveThreads > 0 {
                    return false
                }
            }
            return true
        }
    }

    private func runThread() {
        var state = makeState()
        lock.lock()
        while true {
            if let job = queue.popFirst() {
                busyThreads += 1
                lock.unlock()
                process(job, &state)
                lock.lock()
                busyThreads -= 1
                continue
            }
            if stopping {
                break
            }
            idleThreads += 1
            lock.wait()
            idleThreads -= 1
            // A spurious wake-up may take another thread's signal. That is harmless, because
            // the count only steers how many threads to wake and any woken thread drains the
            // whole queue.
            pendingWakeUps = max(0, pendingWakeUps - 1)
        }
        liveThreads -= 1
        // Wakes `waitForThreadsToExit`, which shares the condition with idle workers.
        lock.broadcast()
        lock.unlock()
    }
}

/// A growable FIFO queue in a circular buffer, so popping the front is O(1).
struct RingBuffer<Element> {
    private var storage: [Element?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        storage = Array(repeating: nil, count: max(capacity, 1))
    }

    var isEmpty: Bool { count == 0 }

    mutating func append(_ element: Element) {
        if count == storage.count {
            grow()
        }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    private mutating func grow() {
        var larger: [Element?] = Array(repeating: nil, count: storage.count * 2)
        for index in 0..<count {
            larger[index] = storage[(head + index) % storage.count]
        }
        storage = larger
        head = 0
    }
}
