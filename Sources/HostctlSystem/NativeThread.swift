import CHostctlLinux
import Glibc

/// A plain pthread running a closure: event loops and blocking watchers need threads of
/// their own, outside Swift's cooperative pool (which must never be blocked).
public final class NativeThread: @unchecked Sendable {
    private var thread = pthread_t()

    private final class Box {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread named `name` (15 characters at most are kept).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(name: name, body: body))
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            chl_set_thread_name(String(box.name.prefix(15)))
            box.body()
            return nil
        }, box.toOpaque())
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    /// Lets the thread end on its own; nobody will join it.
    public func detach() {
        pthread_detach(thread)
    }

    /// Waits for the thread to finish.
    public func join() {
        pthread_join(thread, nil)
    }

    /// Whether the caller is running on this thread.
    public var isCurrent: Bool { pthread_equal(thread, pthread_self()) != 0 }
}
