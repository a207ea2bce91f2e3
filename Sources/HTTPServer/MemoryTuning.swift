import CSystem
import Foundation

/// Process-wide settings of the C allocator, for server executables to apply once at start.
public enum MemoryTuning {
    /// Caps glibc's malloc arenas at one per core (at least two), unless the operator set
    /// `MALLOC_ARENA_MAX`, which glibc reads itself. Call before starting threads.
    /// Returns whether the cap was set here.
    ///
    /// glibc gives each thread that contends for malloc an arena of its own, up to eight
    /// per core, and memory freed into an arena stays with it. When memory is allocated on
    /// one thread and freed on another (store files opened by requests and closed in the
    /// background, for one), the process then keeps much more memory than it uses.
    @discardableResult
    public static func limitMallocArenasToCores() -> Bool {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return false }
        // mallopt returns 1 on success.
        return csystem_set_malloc_arena_limit(Int32(max(2, ProcessInfo.processInfo.activeProcessorCount))) == 1
    }
}
