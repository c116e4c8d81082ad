import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import Synchronization

/// A folder files are served from, opened once and kept: each file is opened relative to
/// it by openat2(2) with RESOLVE_BENEATH, so the kernel itself refuses any path (`..`, an
/// absolute symbolic link, a link to a parent) that would lead out of it, however the path
/// was spelled and whatever changes on disk meanwhile. Symbolic links that stay inside are
/// followed; with `allowsEscapingLinks`, links may lead anywhere (the request path's own
/// `..` segments are refused before this in any case).
///
/// The folder is looked at again at most once a second, so a deploy that swaps it (a
/// renamed folder, a re-pointed link) is served from within a second. A replaced handle is
/// kept until the middleware goes (a request on another thread may still be using it).
///
/// Where openat2 is missing (kernels before 5.6) or filtered (some container sandboxes),
/// it falls back to realpath(3) and a prefix check, then an open that does not follow a
/// final link: the same refusals, without the kernel's guarantee against a folder swapped
/// for a link between the check and the open.
final class WebRoot: @unchecked Sendable {
    let path: String
    let allowsEscapingLinks: Bool
    private let descriptor = Atomic<Int32>(-1)
    private let nextCheck = Atomic<Int64>(0)
    private let usesFallback: Atomic<Bool>
    /// Counts the times the root was (re)opened, so what was learnt under an older root
    /// (the small-file cache) can tell it is stale.
    private let openings = Atomic<Int>(0)
    /// The root is on a local file system (see `FileSystem.isLocal`).
    private let isLocal = Atomic<Bool>(false)
    private let lock = Lock()
    private var identity: (device: UInt64, inode: UInt64)?
    private var realRoot: String?
    private var retired: [Int32] = []

    init(path: String, allowsEscapingLinks: Bool, forceFallback: Bool = false) {
        self.path = path
        self.allowsEscapingLinks = allowsEscapingLinks
        usesFallback = Atomic(forceFallback)
    }

    deinit {
        let current = descriptor.load(ordering: .relaxed)
        if current >= 0 { Descriptor.close(current) }
        for old in retired { Descriptor.close(old) }
    }

    enum OpenResult {
        /// A regular file, open for reading, with its status.
        case file(descriptor: Int32, status: FileStatus)
        /// Not there (or a folder, a FIFO, a device, a socket, or outside the root).
        case missing(Missing)
    }

    enum Missing: Equatable {
        case notFound, notRegularFile, outsideRoot, noRoot, denied
    }

    /// Opens the file at `relativePath` (bytes `start...` of `path`) below the root.
    func open(_ requestPath: String, from start: Int, suffix: String = "") -> OpenResult {
        refreshIfDue()
        let root = descriptor.load(ordering: .acquiring)
        guard root >= 0 else { return .missing(.noRoot) }
        var opened: Int32 = -1
        var failure: Int32 = 0
        var text = suffix.isEmpty ? requestPath : requestPath + suffix
        text.withUTF8 { bytes in
            // The relative part, NUL-terminated, without building a new String.
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count - start + 1) { buffer in
                for index in start..<bytes.count { buffer[index - start] = CChar(bitPattern: bytes[index]) }
                buffer[bytes.count - start] = 0
                if usesFallback.load(ordering: .relaxed) {
                    opened = openWithoutOpenat2(buffer.baseAddress!)
                } else {
                    opened = chl_open_beneath(root, buffer.baseAddress!, allowsEscapingLinks ? 1 : 0)
                    if opened < 0, errno == ENOSYS || errno == EPERM {
                        usesFallback.store(true, ordering: .relaxed)
                        opened = openWithoutOpenat2(buffer.baseAddress!)
                    }
                }
                failure = errno
            }
        }
        guard opened >= 0 else {
            switch failure {
            case EXDEV, ELOOP: return .missing(.outsideRoot)
            case EACCES, EPERM: return .missing(.denied)
            default: return .missing(.notFound)
            }
        }
        guard let status = FileSystem.status(descriptor: opened) else {
            Descriptor.close(opened)
            return .missing(.notFound)
        }
        guard status.kind == .regular else {
            Descriptor.close(opened)
            return .missing(.notRegularFile)
        }
        return .file(descriptor: opened, status: status)
    }

    /// Which opening of the root requests are served from now (looking at the root again if
    /// due): it changes when the root is replaced. Nil when the root is on a file system
    /// whose changes inotify may not hear of, where nothing below it is cached.
    func cacheableOpening() -> Int? {
        refreshIfDue()
        return isLocal.load(ordering: .relaxed) ? openings.load(ordering: .relaxed) : nil
    }

    /// The absolute path, without symbolic links, of `relative` below the root as it was
    /// last opened, and the length of the root's part of it; nil when the root is missing.
    func resolvedPath(of relative: Substring.UTF8View) -> (path: String, rootLength: Int)? {
        guard let root = lock.withLock({ realRoot }) else { return nil }
        let base = root == "/" ? "" : root
        return (base + "/" + String(Substring(relative)), base.utf8.count)
    }

    /// Opens the root (again) when it has not been looked at for a second: the first
    /// request, and a root that was replaced or appeared since.
    private func refreshIfDue() {
        let now = MonotonicClock.now()
        guard now >= nextCheck.load(ordering: .relaxed) else { return }
        lock.withLock {
            guard now >= nextCheck.load(ordering: .relaxed) else { return }
            nextCheck.store(now + 1_000_000_000, ordering: .relaxed)
            let current = descriptor.load(ordering: .relaxed)
            guard let status = FileSystem.status(path), status.kind == .directory else {
                if current >= 0 { retired.append(current) }
                descriptor.store(-1, ordering: .releasing)
                identity = nil
                return
            }
            if current >= 0, let identity, identity == (status.device, status.inode) { return }
            let opened = chl_open_directory(path)
            guard opened >= 0 else { return }
            if current >= 0 { retired.append(current) }
            identity = (status.device, status.inode)
            realRoot = try? FileSystem.realPath(path)
            openings.add(1, ordering: .relaxed)
            isLocal.store(FileSystem.isLocal(descriptor: opened), ordering: .relaxed)
            descriptor.store(opened, ordering: .releasing)
        }
    }

    /// The fallback: resolve every link, check the result is inside the root, open it
    /// refusing a final link (the resolved path has none; one that appears is a race).
    private func openWithoutOpenat2(_ relative: UnsafePointer<CChar>) -> Int32 {
        let joined = FilePath.join(path, String(cString: relative))
        guard let resolved = try? FileSystem.realPath(joined) else {
            errno = ENOENT
            return -1
        }
        if !allowsEscapingLinks {
            guard let root = lock.withLock({ realRoot }), resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                errno = EXDEV
                return -1
            }
        }
        return Glibc.open(resolved, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)
    }
}
