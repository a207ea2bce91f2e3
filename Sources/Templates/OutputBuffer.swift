/// The growable byte buffer that one render writes into.
///
/// An `Array` append checks uniqueness and capacity through several calls, and a page
/// takes about a thousand appends of a few bytes each. Here an append is one capacity
/// comparison and a copy.
///
/// The buffer either starts in memory that the caller lends it (the uninitialized storage
/// of the array that becomes the result, so a page that fits is never copied) or in
/// memory of its own. When lent memory runs out, the bytes move to memory of its own.
struct OutputBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    /// Whether `base` is the caller's memory, which the buffer must not free.
    private(set) var isInLentMemory: Bool

    init(capacity: Int) {
        self.capacity = max(capacity, 256)
        base = .allocate(capacity: self.capacity)
        isInLentMemory = false
    }

    /// Writes into `memory` until it is full. The caller keeps `memory` allocated while
    /// the buffer lives and reads the bytes from it only while `isInLentMemory` is true.
    init(writingInto memory: UnsafeMutableBufferPointer<UInt8>) {
        if let start = memory.baseAddress, memory.count > 0 {
            base = start
            capacity = memory.count
            isInLentMemory = true
        } else {
            capacity = 256
            base = .allocate(capacity: capacity)
            isInLentMemory = false
        }
    }

    deinit {
        if !isInLentMemory {
            base.deallocate()
        }
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if capacity - count < bytes.count {
            grow(toAtLeast: count + bytes.count)
        }
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ byte: UInt8) {
        if count == capacity {
            grow(toAtLeast: count + 1)
        }
        base[count] = byte
        count += 1
    }

    /// Returns where the next byte goes, with room for at least `maximumCount` bytes.
    /// The caller writes there and then calls `commit` with the number it wrote.
    @inline(__always)
    mutating func reserve(_ maximumCount: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < maximumCount {
            grow(toAtLeast: count + maximumCount)
        }
        return base + count
    }

    /// Counts `written` bytes, written after `reserve`, as part of the output.
    @inline(__always)
    mutating func commit(_ written: Int) {
        assert(written <= capacity - count, "committed \(written) bytes with room for \(capacity - count)")
        count += written
    }

    /// Returns a copy of the bytes written since `start`.
    func bytes(from start: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: base + start, count: count - start))
    }

    func makeArray() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            if let destination = buffer.baseAddress {
                destination.initialize(from: base, count: count)
            }
            initializedCount = count
        }
    }

    @inline(never)
    private mutating func grow(toAtLeast minimum: Int) {
        let newCapacity = max(minimum, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        if !isInLentMemory {
            base.deallocate()
        }
        isInLentMemory = false
        base = newBase
        capacity = newCapacity
    }
}
