import Synchronization

/// The owner of a connection's socket while its request is with the worker pool, shared
/// by the connection's event loop and the worker.
///
/// A worker that wrote a whole keep-alive response normally gives the socket back without
/// posting to the loop, which saves the loop a wake-up per request. The loop then finds the
/// connection returned the next time it looks at it: on the next request's EPOLLIN edge, on
/// the timer armed at dispatch, or at shutdown. Whenever the loop needs to hear about the
/// response (input is already waiting, so no new edge will come, or a shutdown started),
/// it requests a post instead, and the worker posts as before.
///
/// Exactly one of the two compare-and-swaps from `working` wins, so the socket never has
/// two owners and never none.
final class WorkerHandoff: Sendable {
    private enum State: UInt8, AtomicRepresentable {
        /// The loop owns the socket.
        case loopOwned
        /// A worker owns the socket and may return it without posting.
        case working
        /// A worker owns the socket and posts to the loop when it finishes.
        case workingWithNotice
        /// The worker wrote a whole keep-alive response and returned the socket without
        /// posting. The loop owns it but has not taken it back yet.
        case returned
    }

    private let state = Atomic<State>(.loopOwned)
    /// The monotonic time at which the worker returned the socket, published by the release
    /// in `returnWithoutNotice` and read after the acquire in `takeBackOrRequestNotice`.
    private let returnNanoseconds = Atomic<UInt64>(0)

    // MARK: - Loop side

    /// Gives the socket to a worker. Called by the loop before it submits the request.
    func startWork(noticeNeeded: Bool) {
        state.store(noticeNeeded ? .workingWithNotice : .working, ordering: .releasing)
    }

    /// Takes the socket back from a request that never reached a worker, or after the
    /// worker posted its outcome.
    func resetToLoop() {
        state.store(.loopOwned, ordering: .relaxed)
    }

    /// Returns the time the worker returned the socket, after which the loop owns it again.
    /// Returns nil when a worker still owns it, and that worker will then post when it
    /// finishes. Also returns nil for a request that the loop parsed in its current pass
    /// and has not submitted yet: `EventLoop.flushDispatches` decides about the notice
    /// for it, from the same conditions.
    func takeBackOrRequestNotice() -> UInt64? {
        let (exchanged, original) = state.compareExchange(
            expected: .working, desired: .workingWithNotice, ordering: .acquiringAndReleasing)
        guard !exchanged, original == .returned else {
            return nil
        }
        state.store(.loopOwned, ordering: .relaxed)
        return returnNanoseconds.load(ordering: .relaxed)
    }

    // MARK: - Worker side

    /// Returns the socket to the loop without a post, and returns true, unless the loop
    /// asked for a notice. Called by the worker after the last byte of a keep-alive
    /// response, and it must not touch the socket afterwards.
    func returnWithoutNotice(atNanoseconds now: UInt64) -> Bool {
        returnNanoseconds.store(now, ordering: .relaxed)
        let (exchanged, _) = state.compareExchange(expected: .working, desired: .returned, ordering: .releasing)
        return exchanged
    }
}
