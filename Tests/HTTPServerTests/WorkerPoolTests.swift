@testable import HTTPServer
import Glibc
import Synchronization
import Testing

typealias TestJob = @Sendable () -> Void

func makePool(threads: Int, queueLimit: Int, cancelled: Atomic<Int>.Box? = nil) -> WorkerPool<TestJob, Int> {
    WorkerPool<TestJob, Int>(
        name: "test-worker", threadCount: threads, queueLimit: queueLimit,
        makeState: { 0 },
        process: { job, runCount in
            runCount += 1
            job()
        },
        cancel: { _ in cancelled?.value.add(1, ordering: .relaxed) })
}

extension Atomic where Value == Int {
    final class Box: Sendable {
        let value = Atomic<Int>(0)
        var current: Int { value.load(ordering: .relaxed) }
    }
}

@Suite struct WorkerPoolTests {
    @Test func runsEveryJob() {
        let pool = makePool(threads: 4, queueLimit: 1000)
        pool.start()
        let done = Atomic<Int>.Box()
        for _ in 0..<500 {
            #expect(pool.submit { done.value.add(1, ordering: .relaxed) })
        }
        #expect(waitFor { done.current == 500 })
        pool.stop(cancelQueued: false)
        #expect(pool.waitForThreadsToExit(untilNanoseconds: MonotonicClock.nanoseconds() + 2_000_000_000))
    }

    @Test func singleThreadRunsJobsInOrder() {
        let pool = makePool(threads: 1, queueLimit: 100)
        let order = Mutex<[Int]>([])
        // Jobs queue up before the thread starts, so they all wait in the queue.
        for index in 0..<50 {
            #expect(pool.submit { order.withLock { $0.append(index) } })
        }
        pool.start()
        #expect(waitFor { order.withLock { $0.count } == 50 })
        #expect(order.withLock { $0 } == Array(0..<50))
        pool.stop(cancelQueued: false)
    }

    @Test func fullQueueRefusesJobs() {
        let pool = makePool(threads: 1, queueLimit: 2)
        pool.start()
        let gate = Gate()
        #expect(pool.submit { gate.pass() })
        #expect(gate.waitForEntered(1))
        #expect(pool.runningCount == 1)
        #expect(pool.submit {})
        #expect(pool.submit {})
        #expect(pool.queuedCount == 2)
        #expect(!pool.submit {})

        let refused = pool.submit(contentsOf: [{}, {}] as [TestJob])
        #expect(refused.count == 2)
        gate.open()
        #expect(waitFor { pool.queuedCount == 0 })
        #expect(waitFor { pool.runningCount == 0 })
        #expect(pool.submit {})
        pool.stop(cancelQueued: false)
    }

    @Test func stopCancelsQueuedJobs() {
        let cancelled = Atomic<Int>.Box()
        let pool = makePool(threads: 1, queueLimit: 10, cancelled: cancelled)
        pool.start()
        let gate = Gate()
        let ran = Atomic<Int>.Box()
        #expect(pool.submit { gate.pass() })
        #expect(gate.waitForEntered(1))
        for _ in 0..<3 {
            #expect(pool.submit { ran.value.add(1, ordering: .relaxed) })
        }
        pool.stop(cancelQueued: true)
        #expect(cancelled.current == 3)
        #expect(!pool.submit {})
        gate.open()
        #expect(pool.waitForThreadsToExit(untilNanoseconds: MonotonicClock.nanoseconds() + 2_000_000_000))
        #expect(ran.current == 0)
    }

    @Test func stopWithoutCancelRunsQueuedJobs() {
        let pool = makePool(threads: 1, queueLimit: 10)
        let ran = Atomic<Int>.Box()
        for _ in 0..<5 {
            #expect(pool.submit { ran.value.add(1, ordering: .relaxed) })
        }
        pool.start()
        pool.stop(cancelQueued: false)
        #expect(pool.waitForThreadsToExit(untilNanoseconds: MonotonicClock.nanoseconds() + 2_000_000_000))
        #expect(ran.current == 5)
    }

    @Test func ringBufferGrowsAndKeepsOrder() {
        var ring = RingBuffer<Int>(capacity: 2)
        for value in 0..<5 { ring.append(value) }
        #expect(ring.popFirst() == 0)
        #expect(ring.popFirst() == 1)
        for value in 5..<12 { ring.append(value) }
        var drained: [Int] = []
        while let value = ring.popFirst() { drained.append(value) }
        #expect(drained == Array(2..<12))
        #expect(ring.isEmpty)
    }
}
