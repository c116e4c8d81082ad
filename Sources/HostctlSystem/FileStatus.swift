import Glibc

/// The parts of `struct stat` hostctl looks at.
public struct FileStatus: Equatable, Sendable {
    public enum Kind: Sendable { case regular, directory, symbolicLink, other }

    public let kind: Kind
    public let size: Int64
    /// Modification time in nanoseconds since the epoch.
    public let modified: Int64
    /// Status-change time: it moves when a file is replaced in place, even if mtime is restored.
    public let changed: Int64
    public let device: UInt64
    public let inode: UInt64
    public let mode: UInt32

    init(_ raw: stat) {
        switch raw.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int64(raw.st_size)
        modified = Int64(raw.st_mtim.tv_sec) * 1_000_000_000 + Int64(raw.st_mtim.tv_nsec)
        changed = Int64(raw.st_ctim.tv_sec) * 1_000_000_000 + Int64(raw.st_ctim.tv_nsec)
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        mode = UInt32(raw.st_mode)
    }

    public var isExecutable: Bool { kind == .regular && mode & 0o111 != 0 }
}
