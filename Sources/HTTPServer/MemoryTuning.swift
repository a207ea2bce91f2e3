import CSystem
import Foundation

/// Process-wide settings of the C allocator, for server executables to apply once at start.
public enum MemoryTuning {
    /// Caps glibc's malloc arenas at `count` (at least two), unless the operator set
    /// `MALLOC_ARENA_MAX`, which glibc reads itself. Call before starting the worker
    /// threads; glibc creates arenas when threads first contend, so a later call still
    /// limits arenas not created yet. Returns whether the cap was set here.
    ///
    /// glibc gives each thread that contends for malloc an arena of its own, up to eight
    /// per core, and memory freed into an arena stays with it. When memory is allocated on
    /// one thread and freed on another (store files opened by requests and closed in the
    /// background, for one), the process then keeps much more memory than it uses. Fewer
    /// arenas than worker threads cost CPU time instead: workers that share an arena
    /// wait for its lock, which took 13 % more CPU time per rendered page with 4 workers
    /// on 2 arenas (docs/benchmarks.md). One arena per worker keeps both low.
    @discardableResult
    public static func limitMallocArenas(to count: Int = ServerConfiguration().workerCount) -> Bool {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return false }
        // mallopt returns 1 on success.
        return csystem_set_malloc_arena_limit(Int32(clamping: max(2, count))) == 1
    }
}
