/// A binary min-heap of (deadline, connection token) pairs for an event loop's timeouts.
///
/// Entries are never removed early. A connection records the deadline it wants and the one
/// it has an entry for, and the loop skips entries that no longer match when they surface
/// (see `EventLoop.processExpiredTimers`). Pushing only when a deadline moves earlier keeps
/// the usual case, a deadline pushed later by progress, free of heap operations.
struct DeadlineHeap {
    struct Entry {
        let deadline: UInt64
        let token: ConnectionToken
    }

    private var entries: [Entry] = []

    var count: Int { entries.count }
    var first: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Entry? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        guard !entries.isEmpty else { return top }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
