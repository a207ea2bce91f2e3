import Foundation
import Synchronization
import Testing
@testable import Templates

/// Prints how fast the fixture store page renders. It asserts only the page's size, not
/// the speed, because the rate depends on the build configuration and the machine.
@Suite struct PerformanceTests {
    @Test func storePageRenderRate() throws {
        let library = try TemplateLibrary(root: fixturesRoot)
        let page = try library.renderBytes("store/home", storeContext(productCount: 40), translator: englishTranslator)
        #expect(page.count > 9_000)
        #expect(page.count < 13_000)

        let duration = Duration.milliseconds(500)
        let singleThread = try rendersPerSecond(library, threads: 1, for: duration)
        let twoThreads = try rendersPerSecond(library, threads: 2, for: duration)
        print("templates: store/home with 40 products (\(page.count) bytes): \(singleThread) renders/s on 1 thread, \(twoThreads) renders/s on 2 threads")
    }

    /// Renders the store page for `duration` on each of `threads` threads and returns the
    /// total rate. Each thread builds its own context, as each request of the server does.
    private func rendersPerSecond(_ library: TemplateLibrary, threads: Int, for duration: Duration) throws -> Int {
        let count = Atomic<Int>(0)
        let failure = Mutex<TemplateError?>(nil)
        let clock = ContinuousClock()
        let start = clock.now

        runOnThreads(threads) { _ in
            let context = storeContext(productCount: 40)
            var renders = 0
            while clock.now - start < duration {
                do throws(TemplateError) {
                    _ = try library.renderBytes("store/home", context, translator: englishTranslator)
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
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Int(Double(count.load(ordering: .relaxed)) / seconds)
    }
}
