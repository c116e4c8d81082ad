import Glibc
import HostctlSystem

/// Watches the trees `WatchedFiles` describes with inotify, one watch per directory, and
/// reports which watched paths changed. Folders created later are watched as they appear.
final class SourceWatcher {
    private let inotify: Inotify
    /// Each watch's directory (absolute) and the root of the tree it belongs to.
    private var watches: [Int32: (directory: String, root: String)] = [:]
    private(set) var roots: [String] = []
    /// Files created since `forgetCreated()`: one gone again was a tool's temporary file
    /// (sed -i, an editor's atomic save), not a change worth naming.
    private(set) var created: Set<String> = []

    /// What a change is: written and closed, moved in or out, created, deleted.
    private static let mask = UInt32(bitPattern: Int32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB))
        | UInt32(bitPattern: Int32(IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR))

    var descriptor: Int32 { inotify.descriptor }

    init() throws(SystemError) {
        inotify = try Inotify()
    }

    /// Watches the tree at `root` (once; later calls for the same root only pick up folders
    /// that appeared meanwhile).
    func watchTree(_ root: String) {
        if !roots.contains(root) { roots.append(root) }
        for directory in WatchedFiles.directories(under: root) { watch(directory, root: root) }
    }

    /// The watched paths that changed since the last call (absolute, in the order seen,
    /// each once). A queue overflow reports each root, since anything may have changed.
    func changes() -> [String] {
        var changed: [String] = []
        func note(_ path: String) { if !changed.contains(path) { changed.append(path) } }
        for event in inotify.read() {
            if event.has(Int32(IN_Q_OVERFLOW)) {
                for root in roots {
                    watchTree(root)
                    note(root)
                }
                continue
            }
            guard let (directory, root) = watches[event.watch] else { continue }
            if event.has(Int32(IN_IGNORED)) {
                watches[event.watch] = nil  // the folder is gone; its parent reports the deletion
                continue
            }
            guard !event.name.isEmpty else { continue }
            let path = FilePath.join(directory, event.name)
            guard WatchedFiles.isWatched(path, isDirectory: event.has(Int32(IN_ISDIR)), root: root) else { continue }
            if event.has(Int32(IN_ISDIR)), event.has(Int32(IN_CREATE)) || event.has(Int32(IN_MOVED_TO)) {
                // A new folder: watch it, and what was written into it before the watch began.
                for directory in WatchedFiles.directories(under: path) { watch(directory, root: root) }
                for file in WatchedFiles.files(under: path) { note(file) }
            }
            if !event.has(Int32(IN_ISDIR)), event.has(Int32(IN_CREATE)) || event.has(Int32(IN_MOVED_TO)) { created.insert(path) }
            note(path)
        }
        return changed
    }

    func forgetCreated() { created.removeAll() }

    private func watch(_ directory: String, root: String) {
        // A folder that vanished meanwhile, or the watch limit reached: the rest still works.
        guard let watch = try? inotify.watch(directory, mask: Self.mask) else { return }
        watches[watch] = (directory, root)
    }
}
