import CHostctlLinux
import Glibc

/// Watches a few files and reports which of them changed, on a thread of its own.
///
/// It watches their folders, not the files: editors save by writing a new file and renaming
/// it over the old one, and Kubernetes updates a ConfigMap volume by swapping a symbolic
/// link, so a watch on the file itself would be lost at the first save. Any event in a
/// folder makes it look at the files again (stat(2), following links: size, times, inode)
/// and report the ones that differ, so a change to an unrelated file reports nothing.
///
/// inotify by default, as .NET's FileSystemWatcher on Linux. It falls back to looking once
/// per `pollingInterval` where inotify cannot be used (`max_user_instances` reached, a
/// folder that does not exist, a kernel or sandbox without it) or when asked to (.NET's
/// `DOTNET_USE_POLLING_FILE_WATCHER`, for network and container mounts whose changes
/// inotify never hears about).
///
/// ```swift
/// let watcher = FileWatcher(paths: ["/srv/app/appsettings.json"]) { changed in print(changed) }
/// // ...
/// watcher.stop()
/// ```
public final class FileWatcher: @unchecked Sendable {
    public enum Mechanism: Sendable, Equatable {
        case inotify
        case polling(interval: Duration)
    }

    /// How this watcher learns of changes (inotify, or polling when inotify was refused or
    /// not wanted).
    public let mechanism: Mechanism
    public let paths: [String]
    private let stopDescriptor: Int32
    private let inotifyDescriptor: Int32
    private var thread: NativeThread?

    /// Starts watching. `onChange` runs on the watcher's thread with the paths whose status
    /// changed, once a burst of events has been quiet for `settleDelay` (a save is several
    /// events: without waiting, a reader could see half a file).
    public init(
        paths: [String], forcePolling: Bool = false, pollingInterval: Duration = .seconds(1),
        settleDelay: Duration = .milliseconds(50), onChange: @escaping @Sendable ([String]) -> Void
    ) {
        self.paths = paths
        stopDescriptor = chl_eventfd()
        var inotify: Int32 = -1
        if !forcePolling {
            inotify = chl_inotify_init()
            if inotify >= 0 {
                let folders = Set(paths.map(FilePath.directory))
                if !folders.allSatisfy({ chl_inotify_watch_directory(inotify, $0) >= 0 }) {
                    Descriptor.close(inotify)
                    inotify = -1
                }
            }
        }
        inotifyDescriptor = inotify
        mechanism = inotify >= 0 ? .inotify : .polling(interval: pollingInterval)

        let stopDescriptor = self.stopDescriptor
        let paths = self.paths
        let inotifyDescriptor = inotify
        let pollMilliseconds = Int32(clamping: max(10, Self.milliseconds(pollingInterval)))
        let settleMilliseconds = Int32(clamping: max(1, Self.milliseconds(settleDelay)))
        let initial = Self.stamps(paths)
        thread = NativeThread(name: "hostctl-watch") {
            var seen = initial
            let inotify = inotifyDescriptor
            while true {
                var entries = [
                    pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                ]
                let count = inotify >= 0 ? 2 : 1
                let ready = poll(&entries, nfds_t(count), inotify >= 0 ? -1 : pollMilliseconds)
                if ready < 0, errno == EINTR { continue }
                if entries[0].revents != 0 { return }
                if inotify >= 0 {
                    guard entries[1].revents != 0 else { continue }
                    Self.settle(inotify, stop: stopDescriptor, quietMilliseconds: settleMilliseconds)
                }
                let now = Self.stamps(paths)
                let changed = paths.filter { now[$0] != seen[$0] }
                seen = now
                if !changed.isEmpty { onChange(changed) }
            }
        }
    }

    deinit { stop() }

    /// Ends the thread and waits for it; no `onChange` call starts afterwards.
    public func stop() {
        guard let thread else { return }
        self.thread = nil
        Descriptor.signalEvent(stopDescriptor)
        if !thread.isCurrent { thread.join() } else { thread.detach() }
        Descriptor.close(stopDescriptor)
        if inotifyDescriptor >= 0 { Descriptor.close(inotifyDescriptor) }
    }

    /// Drains events until none has come for `quietMilliseconds` (at most a second in all,
    /// so a file rewritten without pause is still read).
    private static func settle(_ inotify: Int32, stop: Int32, quietMilliseconds: Int32) {
        let deadline = MonotonicClock.now() + 1_000_000_000
        _ = chl_inotify_drain(inotify)
        while MonotonicClock.now() < deadline {
            var entries = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&entries, 2, quietMilliseconds)
            if ready == 0 || entries[1].revents != 0 { return }
            if ready > 0 { _ = chl_inotify_drain(inotify) }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private static func stamps(_ paths: [String]) -> [String: FileStatus] {
        var result: [String: FileStatus] = [:]
        for path in paths { result[path] = FileSystem.status(path) }
        return result
    }
}
