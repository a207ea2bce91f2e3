import Foundation
import Synchronization
import Testing
@testable import Templates

/// Prints how fast the fixture store page renders. It asserts only the page's size, not
/// the speed, because the rate depends on the build configuration and the machine.
@Suite struct PerformanceTests {
    @Test func storePageRenderRate() throws {
        let library = try TemplateLibrary(root: fixturesRoot)
        let context = storeContext(productCount: 40)
        let page = try library.renderBytes("store/home", context, translator: englishTranslator)
        #expect(page.count > 9_000)
        #expect(page.count < 13_000)

        let duration = Duration.milliseconds(500)
        let singleThread = try rendersPerSecond(threads: 1, for: duration) {
            try library.renderBytes("store/home", context, translator: englishTranslator)
        }
        let twoThreads = try rendersPerSecond(threads: 2, for: duration) {
            try library.renderBytes("store/home", context, translator: englishTranslator)
        }
        print("templates: store/home with 40 products (\(page.count) bytes): \(singleThread) renders/s on 1 thread, \(twoThreads) renders/s on 2 threads")
    }

    /// Renders for `duration` on each of `threads` threads and returns the total rate.
    private func rendersPerSecond(threads: Int, for duration: Duration, _ body: @escaping @Sendable () throws -> [UInt8]) throws -> Int {
        let count = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let clock = ContinuousClock()
        let start = clock.now

        runOnThreads(threads) { _ in
            var renders = 0
            while clock.now - start < duration {
                do {
                    _ = try body()
                } catch {
                    failure.withLock { $0 = error }
                    return
                }
                renders += 1
            }
            count.add(renders, ordering: .relaxed)
        }

        if let error = failure.withLock({ $0 }) {
            throw error
        }
        let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
        return Int(Double(count.load(ordering: .relaxed)) / seconds)
    }
}
