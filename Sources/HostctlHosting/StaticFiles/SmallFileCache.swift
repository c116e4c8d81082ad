import CHostctlLinux
import Glibc
import HostctlSystem
import Synchronization

/// Small files kept in memory with their status and validators, as IIS keeps static files
/// in its user-mode file cache and drops them on a change notification: a file served again
/// costs no open, stat, read or close, only a look at the change queue.
///
/// Every change is seen before the next request is answered. Each cached file is watched
/// (inotify(7)), as is every folder from the root down to it; the kernel queues an event
/// inside the system call that changes the file, renames or removes it or a folder above
/// it, or creates a sibling (a new `.br`). Each lookup reads that queue first (one read(2)
/// that finds it empty) and drops the whole cache on any event, so a request sent after a
/// change is answered from the disk, never from memory.
///
/// Cached: regular files up to `maxFileBytes` reached without a symbolic link (a link's
/// target may sit in a folder nobody watches), on a local file system (inotify hears
/// nothing of a change made by another NFS client, or by a container's host through
/// virtiofs), under a root that has not been replaced since. Anything else, and everything
/// when inotify is not available, is opened per request as before. A file changed through
/// a shared memory mapping raises no event either; static files are not written that way.
final class SmallFileCache: Sendable {
    /// A cached file: its bytes, its status when they were read, and its validators.
    struct File: Sendable {
        let content: [UInt8]
        let status: FileStatus
        let validators: FileValidatorCache.Values
    }

    /// What is known of a precompressed sibling of a cached file.
    enum Sibling: Sendable {
        case unknown, missing
        case file(File)
    }

    /// A cached file and its siblings, under one request path.
    struct Entry: Sendable {
        var file: File
        var brotli = Sibling.unknown
        var gzip = Sibling.unknown

        subscript(coding: ContentCodingChoice.Coding) -> Sibling {
            get { coding == .brotli ? brotli : gzip }
            set { if coding == .brotli { brotli = newValue } else { gzip = newValue } }
        }
    }

    /// What a lookup saw: the entry, and the cache's state it belongs to (to store what is
    /// read next only if nothing changed in between).
    struct Lookup {
        let entry: Entry?
        let generation: UInt64
    }

    private struct State: ~Copyable {
        /// The change queue; only touched under the lock.
        let inotify: Inotify?
        var entries: [String: Entry] = [:]
        /// Bumped whenever the cache is dropped.
        var generation: UInt64 = 0
        /// The root's opening the entries were read under.
        var rootOpening = -1
        var bytes = 0
        /// Watches by path (folders and files), removed when the cache is dropped.
        var watches: [String: Int32] = [:]
    }

    let maxFileBytes: Int
    let maxEntries: Int
    let maxBytes: Int
    let maxWatches: Int
    let isEnabled: Bool
    private let state: Mutex<State>

    /// What a watch on a cached file itself reports (its folders' watches report the rest,
    /// as `chl_inotify_watch_directory` sets them).
    static let fileEvents = UInt32(IN_CLOSE_WRITE | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)

    /// `maxFileBytes` of 0 caches nothing (and opens no inotify descriptor).
    init(maxFileBytes: Int, maxEntries: Int) {
        self.maxFileBytes = maxFileBytes
        self.maxEntries = maxEntries
        let (bytes, overflow) = maxFileBytes.multipliedReportingOverflow(by: maxEntries)
        maxBytes = overflow ? .max : bytes
        maxWatches = maxEntries.multipliedReportingOverflow(by: 4).overflow ? .max : maxEntries * 4
        let inotify = maxFileBytes > 0 && maxEntries > 0 ? try? Inotify() : nil
        isEnabled = inotify != nil
        state = Mutex(State(inotify: inotify))
    }

    /// Entries and watches held now.
    var counts: (entries: Int, bytes: Int, watches: Int) {
        state.withLock { ($0.entries.count, $0.bytes, $0.watches.count) }
    }

    /// The entry for `key`, after dropping everything if a change was queued or the root
    /// was replaced.
    func lookup(_ key: String, rootOpening: Int) -> Lookup {
        state.withLock { state in
            dropIfChanged(&state, rootOpening: rootOpening)
            return Lookup(entry: state.entries[key], generation: state.generation)
        }
    }

    /// Keeps `entry` under `key` if nothing changed since `lookup` returned `generation`.
    /// A full cache makes room by dropping an entry the table's order picks (in effect at
    /// random, which serves skewed traffic nearly as well as LRU without a list to keep).
    func store(_ entry: Entry, for key: String, generation: UInt64, rootOpening: Int) {
        state.withLock { state in
            dropIfChanged(&state, rootOpening: rootOpening)
            guard state.generation == generation else { return }
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.bytes }
            while !state.entries.isEmpty, state.entries.count >= maxEntries || state.bytes + entry.bytes > maxBytes {
                state.bytes -= state.entries.remove(at: state.entries.startIndex).value.bytes
            }
            state.entries[key] = entry
            state.bytes += entry.bytes
        }
    }

    /// Watches `path` (a folder, or a cached file) until the cache is next dropped; false
    /// when the kernel refuses (no such file, out of watches).
    func watch(_ path: String, isFolder: Bool) -> Bool {
        state.withLock { state in
            guard let inotify = state.inotify else { return false }
            if state.watches[path] != nil { return true }
            // Files dropped to make room keep their watches until the next change; past
            // this many, everything goes, so the kernel's watches stay bounded.
            if state.watches.count >= maxWatches { drop(&state) }
            let watch = isFolder
                ? chl_inotify_watch_directory(inotify.descriptor, path) : (try? inotify.watch(path, mask: Self.fileEvents)) ?? -1
            guard watch >= 0 else { return false }
            state.watches[path] = watch
            return true
        }
    }

    private func dropIfChanged(_ state: inout State, rootOpening: Int) {
        guard let inotify = state.inotify else { return }
        // Nothing watched, nothing to hear: a root serving only large files pays no read(2).
        let events = state.watches.isEmpty ? 0 : chl_inotify_drain(inotify.descriptor)
        guard events != 0 || state.rootOpening != rootOpening else { return }
        state.rootOpening = rootOpening
        drop(&state)
    }

    /// Empties the cache and removes its watches; what was being read meanwhile is not stored.
    private func drop(_ state: inout State) {
        state.generation &+= 1
        state.entries.removeAll()
        state.bytes = 0
        // A watch left behind would keep its file's inode and a kernel watch slot; removing
        // it queues IN_IGNORED, drained here so that it does not drop the cache again.
        guard let inotify = state.inotify, !state.watches.isEmpty else { return }
        for watch in state.watches.values { inotify.unwatch(watch) }
        state.watches.removeAll()
        _ = chl_inotify_drain(inotify.descriptor)
    }
}

extension SmallFileCache.Entry {
    var bytes: Int {
        func size(_ sibling: SmallFileCache.Sibling) -> Int {
            if case .file(let file) = sibling { return file.content.count }
            return 0
        }
        return file.content.count + size(brotli) + size(gzip)
    }
}

extension SmallFileCache {
    /// Reads the open regular file `descriptor` (whose status is `status`), found at
    /// `relativePath` + `suffix` below `root`, into a `File`, when it may be cached: no larger
    /// than `maxFileBytes`, on a local file system, open at the path the root resolves it to
    /// (so no link led to it), watched with every folder from the root down before it is
    /// read, and unchanged from `status` after.
    func capture(
        _ descriptor: Int32, status: FileStatus, below root: WebRoot, relativePath: Substring.UTF8View, suffix: String,
        validators: () -> FileValidatorCache.Values
    ) -> File? {
        guard isEnabled, status.size <= maxFileBytes, FileSystem.isLocal(descriptor: descriptor),
              let resolved = root.resolvedPath(of: relativePath)
        else { return nil }
        let path = resolved.path + suffix
        var folderEnd = path.utf8.index(path.utf8.startIndex, offsetBy: resolved.rootLength)
        guard watch(resolved.rootLength == 0 ? "/" : String(Substring(path.utf8[..<folderEnd])), isFolder: true) else { return nil }
        while let slash = path.utf8[path.utf8.index(after: folderEnd)...].firstIndex(of: UInt8(ascii: "/")) {
            folderEnd = slash
            guard watch(String(Substring(path.utf8[..<folderEnd])), isFolder: true) else { return nil }
        }
        guard watch(path, isFolder: false), Self.path(of: descriptor) == path else { return nil }
        guard let content = Self.read(descriptor, count: Int(status.size)), FileSystem.status(descriptor: descriptor) == status else {
            return nil
        }
        return File(content: content, status: status, validators: validators())
    }

    /// Where the kernel has `descriptor` open (its /proc/self/fd link).
    private static func path(of descriptor: Int32) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PATH_MAX) + 1) { buffer in
            let count = readlink("/proc/self/fd/\(descriptor)", buffer.baseAddress!, buffer.count)
            guard count > 0, count < buffer.count else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count), as: UTF8.self)
        }
    }

    /// Exactly `count` bytes from the start of the file; nil when it is shorter now.
    private static func read(_ descriptor: Int32, count: Int) -> [UInt8]? {
        try? [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try FileRegionCopy.read(descriptor, at: 0, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }
}
