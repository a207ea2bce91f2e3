/// Keys in least-recently-used order with O(1) insertion, removal and removal of the
/// oldest key: a doubly linked list threaded through a dictionary.
///
/// Not thread-safe; its owner guards it.
struct LRUList<Key: Hashable> {
    private struct Links {
        var older: Key?
        var newer: Key?
    }

    private var links: [Key: Links] = [:]
    private var oldest: Key?
    private var newest: Key?

    var count: Int { links.count }

    func contains(_ key: Key) -> Bool {
        links[key] != nil
    }

    /// Adds `key` as the most recently used key, moving it there if already present.
    mutating func touch(_ key: Key) {
        remove(key)
        links[key] = Links(older: newest, newer: nil)
        if let newest {
            links[newest]!.newer = key
        }
        newest = key
        if oldest == nil {
            oldest = key
        }
    }

    mutating func remove(_ key: Key) {
        guard let removed = links.removeValue(forKey: key) else { return }
        if let older = removed.older {
            links[older]!.newer = removed.newer
        } else {
            oldest = removed.newer
        }
        if let newer = removed.newer {
            links[newer]!.older = removed.older
        } else {
            newest = removed.older
        }
    }

    /// Removes and returns the least recently used key.
    mutating func removeOldest() -> Key? {
        guard let key = oldest else { return nil }
        remove(key)
        return key
    }

    /// The keys from least to most recently used, for tests.
    var keysFromOldest: [Key] {
        var result: [Key] = []
        var current = oldest
        while let key = current {
            result.append(key)
            current = links[key]!.newer
        }
        return result
    }
}
