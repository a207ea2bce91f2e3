import Synchronization

/// The messages other threads send to one event loop: a lock-free multi-producer,
/// single-consumer queue.
///
/// Producers push onto a linked stack with compare-and-swap; the loop takes the whole stack
/// with one exchange and reverses it into arrival order. No producer ever waits for the loop
/// or for another producer, which matters when many workers finish responses at once.
final class LoopInbox: Sendable {
    /// One queued message. Written only by the pushing thread before the compare-and-swap
    /// publishes it (release) and read only by the loop after the exchange that takes it
    /// (acquire), which is why `@unchecked Sendable` is safe.
    private final class Node: @unchecked Sendable {
        let message: LoopMessage
        var next: UInt = 0
        init(_ message: LoopMessage) { self.message = message }
    }

    /// The address of the newest node, 0 when empty, or `closedMarker` once closed.
    private let head = Atomic<UInt>(0)
    /// Whether a producer has written the loop's eventfd since the loop last took messages.
    private let wakePending = Atomic<Bool>(false)
    private static let closedMarker: UInt = 1

    enum PushResult {
        /// Queued; the caller must wake the loop when `needsWake` is set.
        case queued(needsWake: Bool)
        /// The loop has exited; the caller keeps ownership of what the message carries.
        case closed
    }

    func push(_ message: LoopMessage) -> PushResult {
        let node = Unmanaged.passRetained(Node(message))
        let address = UInt(bitPattern: node.toOpaque())
        var current = head.load(ordering: .acquiring)
        while true {
            if current == Self.closedMarker {
                node.release()
                return .closed
            }
            node.takeUnretainedValue().next = current
            let (exchanged, original) = head.compareExchange(
                expected: current, desired: address, ordering: .sequentiallyConsistent)
            if exchanged { break }
            current = original
        }
        // Sequentially consistent with `takeAll`: a push that the loop's exchange missed
        // always reads the flag the loop cleared before it, so it writes the eventfd.
        let alreadyPending = wakePending.exchange(true, ordering: .sequentiallyConsistent)
        return .queued(needsWake: !alreadyPending)
    }

    /// Takes every queued message in arrival order. Called only by the loop, after it read
    /// its eventfd.
    func takeAll() -> [LoopMessage] {
        wakePending.store(false, ordering: .sequentiallyConsistent)
        let top = head.exchange(0, ordering: .sequentiallyConsistent)
        guard top != Self.closedMarker else {
            head.store(Self.closedMarker, ordering: .sequentiallyConsistent)
            return []
        }
        return Self.drain(from: top)
    }

    /// Refuses later pushes and returns what was queued, in arrival order.
    func close() -> [LoopMessage] {
        let top = head.exchange(Self.closedMarker, ordering: .sequentiallyConsistent)
        guard top != Self.closedMarker else { return [] }
        return Self.drain(from: top)
    }

    private static func drain(from top: UInt) -> [LoopMessage] {
        var messages: [LoopMessage] = []
        var address = top
        while address != 0 {
            let node = Unmanaged<Node>.fromOpaque(UnsafeRawPointer(bitPattern: address)!).takeRetainedValue()
            messages.append(node.message)
            address = node.next
        }
        messages.reverse()
        return messages
    }
}
