/// The loop variables and partial arguments of one render, innermost last.
///
/// An `Array` checks that its buffer is uniquely referenced on every change, and a
/// render pushes, changes and pops frames for every loop step and partial call. Frames
/// are plain data, so this stack keeps them in memory it owns and changes them in
/// place.
struct FrameStack: ~Copyable {
    private var base: UnsafeMutablePointer<Renderer.Frame>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    subscript(index: Int) -> Renderer.Frame {
        @inline(__always) get {
            precondition(index >= 0 && index < count, "frame \(index) is outside the \(count) frames")
            return base[index]
        }
        @inline(__always) set {
            precondition(index >= 0 && index < count, "frame \(index) is outside the \(count) frames")
            base[index] = newValue
        }
    }

    @inline(__always)
    mutating func append(_ frame: Renderer.Frame) {
        if count == capacity {
            grow()
        }
        (base + count).initialize(to: frame)
        count += 1
    }

    /// Removes frames from the top until `newCount` remain.
    @inline(__always)
    mutating func removeAll(above newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "cannot shrink \(count) frames to \(newCount)")
        count = newCount
    }

    @inline(never)
    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Renderer.Frame>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
