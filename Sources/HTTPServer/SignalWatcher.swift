import CSystem
import Glibc
import Synchronization

/// Turns SIGINT and SIGTERM into calls on an ordinary thread.
///
/// The signal handler (in the CSystem shim) only adds 1 to an eventfd, which is
/// async-signal-safe. A dedicated thread blocks reading that eventfd and runs the callbacks,
/// where taking locks and logging are allowed. This works whichever thread the kernel picks
/// to run the handler on, so no thread's signal mask has to be arranged in advance.
final class SignalWatcher: Sendable {
    private let eventDescriptor: Int32
    private let isStopping = Atomic<Bool>(false)
    private let onFirstSignal: @Sendable () -> Void
    private let onRepeatedSignal: @Sendable () -> Void

    init(
        onFirstSignal: @escaping @Sendable () -> Void,
        onRepeatedSignal: @escaping @Sendable () -> Void
    ) throws(ServerError) {
        let descriptor = eventfd(0, Int32(EFD_CLOEXEC))
        guard descriptor >= 0 else {
            throw .systemCallFailed(call: "eventfd", errno: errno, detail: "the signal watcher")
        }
        guard csystem_route_shutdown_signals(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            throw .systemCallFailed(call: "sigaction", errno: code, detail: "SIGINT and SIGTERM")
        }
        self.eventDescriptor = descriptor
        self.onFirstSignal = onFirstSignal
        self.onRepeatedSignal = onRepeatedSignal
    }

    func start() {
        startThread(name: "http-signals") { [self] in
            watch()
        }
    }

    /// Restores the default signal actions, unless another watcher has taken the signals
    /// over since, and ends the watching thread.
    func stop() {
        guard !isStopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if csystem_shutdown_signal_fd().pointee == eventDescriptor {
            _ = csystem_route_shutdown_signals(-1)
        }
        var one: UInt64 = 1
        _ = write(eventDescriptor, &one, 8)
    }

    private func watch() {
        var signalsSeen = 0
        while true {
            var count: UInt64 = 0
            let result = read(eventDescriptor, &count, 8)
            if result < 0 && errno == EINTR { continue }
            if isStopping.load(ordering: .acquiring) || result < 0 {
                break
            }
            signalsSeen += 1
            if signalsSeen == 1 {
                // The graceful shutdown blocks until it is done, so it runs on its own thread
                // and this one stays free to notice a second signal.
                let callback = onFirstSignal
                startThread(name: "http-shutdown") { callback() }
            } else {
                onRepeatedSignal()
            }
        }
        // Only this thread reads the descriptor, so closing it here cannot race a read.
        close(eventDescriptor)
    }
}
