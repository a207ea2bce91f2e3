/// The named values of a dictionary in a template context, kept as an array of key-value
/// pairs in the order they were given.
///
/// Building one hashes nothing: a dictionary literal's pairs are stored as the literal
/// passed them. A lookup compares keys one after another, starting from the last pair,
/// and skips keys of a different UTF-8 length without comparing their bytes. Context
/// dictionaries have a few dozen keys at most and a render reads each once or twice, so
/// this costs less than hashing every key on the way in and again on every read.
///
/// A key may occur more than once, for example in a dictionary literal that repeats it.
/// The last occurrence is the value, as a later assignment would be; `count`, `keys`,
/// equality and `{{#each}}` see each key once.
///
/// Keys match when Swift's `==` finds them equal and their UTF-8 lengths are the same.
/// The second condition makes canonically equivalent spellings of different length
/// different keys, such as a precomposed "é" and "e" with a combining accent. Template
/// paths are ASCII, where it changes nothing.
public struct TemplateFields: Sendable {
    /// Every pair as given, repeated keys included.
    private(set) var pairs: [(String, TemplateValue)]

    public init() {
        pairs = []
    }

    /// Copies a Swift dictionary's pairs, in the dictionary's iteration order.
    public init(_ dictionary: [String: TemplateValue]) {
        var pairs: [(String, TemplateValue)] = []
        pairs.reserveCapacity(dictionary.count)
        for (key, value) in dictionary {
            pairs.append((key, value))
        }
        self.pairs = pairs
    }

    init(pairs: [(String, TemplateValue)]) {
        self.pairs = pairs
    }

    /// Accesses the value stored under `key`, nil when there is none. Setting a value
    /// replaces the key's value in place or appends the pair, and setting nil removes
    /// every occurrence of the key.
    public subscript(key: String) -> TemplateValue? {
        get {
            lastIndex(of: key).map { pairs[$0].1 }
        }
        set {
            guard let newValue else {
                pairs.removeAll { TemplateFields.keysMatch($0.0, key) }
                return
            }
            if let index = lastIndex(of: key) {
                pairs[index].1 = newValue
            } else {
                pairs.append((key, newValue))
            }
        }
    }

    /// The number of distinct keys.
    public var count: Int {
        hasRepeatedKeys ? entries.count : pairs.count
    }

    public var isEmpty: Bool {
        pairs.isEmpty
    }

    /// The distinct keys, in the order of each key's last occurrence.
    public var keys: [String] {
        entries.map(\.key)
    }

    /// The distinct keys, each with its last value, in the order of each key's last
    /// occurrence.
    public var entries: [(key: String, value: TemplateValue)] {
        var result: [(key: String, value: TemplateValue)] = []
        result.reserveCapacity(pairs.count)
        for index in pairs.indices where lastIndex(of: pairs[index].0) == index {
            result.append((key: pairs[index].0, value: pairs[index].1))
        }
        return result
    }

    /// The fields as a Swift dictionary. Keys that Swift's `==` finds equal become one
    /// entry with the later value.
    public var dictionary: [String: TemplateValue] {
        Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    /// Returns the position of the last pair whose key is `key`.
    func lastIndex(of key: String) -> Int? {
        pairs.withUnsafeBufferPointer { buffer in
            TemplateFields.lastIndex(of: key, in: buffer)
        }
    }

    private var hasRepeatedKeys: Bool {
        for index in pairs.indices where lastIndex(of: pairs[index].0) != index {
            return true
        }
        return false
    }

    /// Returns whether two keys match: the same UTF-8 length and equal by `==`. The
    /// length is a few instructions on a string's stored count and rejects most other
    /// keys before `==` is called.
    @inline(__always)
    static func keysMatch(_ stored: String, _ key: String) -> Bool {
        stored.utf8.count == key.utf8.count && stored == key
    }

    /// Returns the position of the last pair in `pairs` whose key matches `key`.
    @inline(__always)
    static func lastIndex(of key: String, in pairs: UnsafeBufferPointer<(String, TemplateValue)>) -> Int? {
        guard let base = pairs.baseAddress else { return nil }
        let length = key.utf8.count
        var index = pairs.count - 1
        while index >= 0 {
            if base[index].0.utf8.count == length && base[index].0 == key {
                return index
            }
            index -= 1
        }
        return nil
    }
}

extension TemplateFields: Equatable {
    /// Fields are equal when they have the same keys with equal values, in any order, as
    /// two dictionaries are.
    public static func == (lhs: TemplateFields, rhs: TemplateFields) -> Bool {
        let left = lhs.entries
        guard left.count == rhs.count else { return false }
        for (key, value) in left {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }
}

extension TemplateFields: ExpressibleByDictionaryLiteral {
    /// Stores the literal's pairs as they are. A repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        pairs = elements
    }
}

// MARK: - Reading in place

extension TemplateFields {
    /// The offset of the value in a stored `(String, TemplateValue)` pair. A tuple is laid
    /// out like a struct, so the value follows the key at the value's alignment.
    /// Computed rather than stored so that it folds to a constant instead of a lazily
    /// initialised global checked on every read.
    static var valueOffset: Int {
        let alignment = MemoryLayout<TemplateValue>.alignment
        return (MemoryLayout<String>.size + alignment - 1) / alignment * alignment
    }

    /// Returns a pointer to the value of the last pair in `pairs` whose key is `key`, or
    /// nil. The pointer is valid as long as the storage of `pairs` is.
    @inline(__always)
    static func valuePointer(forKey key: String, in pairs: UnsafeBufferPointer<(String, TemplateValue)>) -> UnsafePointer<TemplateValue>? {
        guard let index = lastIndex(of: key, in: pairs) else { return nil }
        return (UnsafeRawPointer(pairs.baseAddress! + index) + TemplateFields.valueOffset).assumingMemoryBound(to: TemplateValue.self)
    }
}
