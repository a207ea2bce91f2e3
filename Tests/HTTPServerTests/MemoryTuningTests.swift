import Foundation
import Testing
@testable import HTTPServer

@Suite struct MemoryTuningTests {
    @Test func arenaCapIsAcceptedByGlibc() {
        // Without MALLOC_ARENA_MAX in the environment the cap is applied, and mallopt
        // reports whether glibc took the value.
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        #expect(MemoryTuning.limitMallocArenas())
    }
}
