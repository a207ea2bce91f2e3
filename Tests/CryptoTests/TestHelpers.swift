@testable import Crypto

/// Decodes a hexadecimal test vector, which the tests write as literals.
func bytes(hex: String) -> [UInt8] {
    guard let decoded = Hex.decode(hex) else {
        fatalError("Test vector is not valid hexadecimal: \(hex)")
    }
    return decoded
}

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

import Synchronization

/// A thread-safe count for checks made on several threads.
final class Counter: Sendable {
    private let storage = Mutex(0)

    func increment() {
        storage.withLock { $0 += 1 }
    }

    var value: Int {
        storage.withLock { $0 }
    }
}
