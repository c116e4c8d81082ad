import HostctlSystem
import Synchronization

/// Messages from other threads (the front's task, the app's runs) to the watch loop, which
/// polls `descriptor` among its other descriptors.
final class WatchInbox<Message: Sendable>: Sendable {
    let descriptor: Int32
    private let messages = Mutex<[Message]>([])

    init() throws(SystemError) {
        descriptor = try Descriptor.makeEvent()
    }

    deinit { Descriptor.close(descriptor) }

    func post(_ message: Message) {
        messages.withLock { $0.append(message) }
        Descriptor.signalEvent(descriptor)
    }

    /// Everything posted so far, oldest first.
    func take() -> [Message] {
        Descriptor.drainEvent(descriptor)
        return messages.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }
}
