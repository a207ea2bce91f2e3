/// Counters of a connection's prepared-statement cache.
public struct StatementCacheStatistics: Sendable, Equatable {
    /// Uses that found a compiled statement for the same SQL text.
    public var hits: Int
    /// Uses that had to compile the SQL, including uses while the cached copy was busy.
    public var misses: Int
    /// Statements held now.
    public var count: Int
    /// The maximum number of statements kept before the least recently used one is finalized.
    public var capacity: Int
}

/// A bounded cache of prepared statements keyed by SQL text, evicting the least recently
/// used statement when full.
///
/// A statement is lent out while it runs and marked in use. A second use of the same SQL
/// during that time (a query inside another query's row callback) gets its own one-off
/// statement, so neither run resets the other.
final class StatementCache {
    final class Entry {
        let statement: Statement
        var lastUse: UInt64
        var isInUse = false

        init(statement: Statement, lastUse: UInt64) {
            self.statement = statement
            self.lastUse = lastUse
        }
    }

    /// A statement lent to one run; `entry` is nil for a one-off statement.
    struct Lease {
        let statement: Statement
        let entry: Entry?
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0
    private var hits = 0
    private var misses = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 0)
    }

    var statistics: StatementCacheStatistics {
        StatementCacheStatistics(hits: hits, misses: misses, count: entries.count, capacity: capacity)
    }

    /// Lends the cached statement for `sql`, or one made by `prepare`.
    func checkout(_ sql: String, prepare: () throws -> Statement) throws -> Lease {
        clock += 1
        if let entry = entries[sql] {
            if !entry.isInUse {
                hits += 1
                entry.isInUse = true
                entry.lastUse = clock
                return Lease(statement: entry.statement, entry: entry)
            }
            misses += 1
            return Lease(statement: try prepare(), entry: nil)
        }

        misses += 1
        let statement = try prepare()
        guard capacity > 0 else { return Lease(statement: statement, entry: nil) }
        let entry = Entry(statement: statement, lastUse: clock)
        entry.isInUse = true
        entries[sql] = entry
        evictIfNeeded()
        return Lease(statement: statement, entry: entry)
    }

    /// Takes a lent statement back. The caller has already reset it.
    func checkin(_ lease: Lease) {
        if let entry = lease.entry {
            entry.isInUse = false
        } else {
            lease.statement.finalize()
        }
    }

    /// Finalizes every statement, used when the connection closes.
    func removeAll() {
        for entry in entries.values {
            entry.statement.finalize()
        }
        entries.removeAll()
    }

    /// Finalizes the least recently used idle statement while over capacity. A linear scan is
    /// enough because eviction happens only when a new SQL text arrives at a full cache.
    private func evictIfNeeded() {
        while entries.count > capacity {
            guard let victim = entries.filter({ !$0.value.isInUse }).min(by: { $0.value.lastUse < $1.value.lastUse }) else {
                // Every statement is running (deeply nested queries): exceed the capacity
                // until they finish rather than finalize a running statement.
                return
            }
            victim.value.statement.finalize()
            entries.removeValue(forKey: victim.key)
        }
    }
}
