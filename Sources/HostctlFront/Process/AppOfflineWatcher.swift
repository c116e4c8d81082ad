import CHostctlLinux
import Glibc
import HostctlHosting
import HostctlSystem

/// Watches for `app_offline.htm` in a folder by looking once per interval (a stat(2) a
/// second costs nothing, and works on every file system, unlike inotify on network
/// mounts). Reports its content when it appears or changes, and nil when it goes away.
final class AppOfflineWatcher: @unchecked Sendable {
    static let fileName = "app_offline.htm"
    /// Larger files are cut: the page is held in memory and sent with every 503.
    static let maxBytes = 1024 * 1024

    let path: String
    private let stopDescriptor: Int32
    private var thread: NativeThread?

    /// Looks once now, so a file already present is reported before the first request.
    init(directory: String, interval: Duration, onChange: @escaping @Sendable ([UInt8]?) -> Void) {
        path = FilePath.join(directory, Self.fileName)
        stopDescriptor = chl_eventfd()
        let path = self.path
        let stopDescriptor = self.stopDescriptor
        let intervalMilliseconds = Int32(clamping: max(10, interval.nanoseconds / 1_000_000))
        let initial = Self.look(path, previous: nil)
        if let content = initial?.content { onChange(content) }
        thread = NativeThread(name: "hostctl-offline") {
            var seen = initial
            while true {
                var entry = pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&entry, 1, intervalMilliseconds)
                if ready > 0 { return }
                let now = Self.look(path, previous: seen)
                if now?.stamp != seen?.stamp { onChange(now?.content) }
                seen = now
            }
        }
    }

    /// Ends the thread and waits for it.
    func stop() {
        guard let thread else { return }
        self.thread = nil
        Descriptor.signalEvent(stopDescriptor)
        thread.join()
        Descriptor.close(stopDescriptor)
    }

    deinit { stop() }

    /// The file's status and content; nil when it is not there. The content is read
    /// again only when the status (size, times, inode) changed.
    private static func look(_ path: String, previous: (stamp: FileStatus, content: [UInt8])?) -> (stamp: FileStatus, content: [UInt8])? {
        guard let stamp = FileSystem.status(path), stamp.kind == .regular else { return nil }
        if let previous, previous.stamp == stamp { return previous }
        // A file that vanished between stat and open reads as empty; the next look settles it.
        let content = (try? FileSystem.readFile(path)) ?? []
        return (stamp, Array(content.prefix(maxBytes)))
    }
}
