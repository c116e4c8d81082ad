import Glibc

/// Change notifications for directories (inotify(7)), read without blocking from a
/// descriptor that a poll loop watches.
public final class Inotify {
    /// One notification: the watch it came from, what happened, and the entry's name
    /// inside the watched directory (empty when it is about the directory itself).
    public struct Event: Sendable, Equatable {
        public let watch: Int32
        public let mask: UInt32
        public let name: String

        public func has(_ flag: Int32) -> Bool { mask & UInt32(bitPattern: flag) != 0 }
    }

    public let descriptor: Int32

    public init() throws(SystemError) {
        descriptor = try retryingInterrupts("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
    }

    deinit { Descriptor.close(descriptor) }

    /// Watches `directory` for the events in `mask`; returns the watch's number.
    public func watch(_ directory: String, mask: UInt32) throws(SystemError) -> Int32 {
        try retryingInterrupts("inotify_add_watch", subject: directory) { inotify_add_watch(descriptor, directory, mask) }
    }

    public func unwatch(_ watch: Int32) {
        _ = inotify_rm_watch(descriptor, watch)
    }

    /// Every notification queued now; empty when there is none.
    public func read() -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return events }
            buffer.withUnsafeBytes { raw in
                // struct inotify_event: wd, mask, cookie, len, then len bytes of NUL-padded name.
                var offset = 0
                while offset + 16 <= count {
                    let watch = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = raw[(offset + 16)..<min(count, offset + 16 + length)].prefix { $0 != 0 }
                    events.append(Event(watch: watch, mask: mask, name: String(decoding: nameBytes, as: UTF8.self)))
                    offset += 16 + length
                }
            }
        }
    }
}
