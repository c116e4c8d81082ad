import CHostctlLinux

extension FileSystem {
    /// Whether the open file (or folder, or `O_PATH` handle) `descriptor` is on a file system
    /// whose every change this kernel makes, and so reports through inotify: not NFS, SMB,
    /// FUSE, 9p or virtiofs, where another machine (or a container's or VM's host) may
    /// change a file without an event.
    public static func isLocal(descriptor: Int32) -> Bool {
        let type = chl_file_system_type(descriptor)
        return type >= 0 && localFileSystemTypes.contains(UInt32(truncatingIfNeeded: type))
    }

    /// Magic numbers of statfs(2)'s f_type.
    static let localFileSystemTypes: Set<UInt32> = [
        0xEF53,  // ext2, ext3, ext4
        0x5846_5342,  // xfs
        0x9123_683E,  // btrfs
        0x0102_1994,  // tmpfs
        0x8584_58F6,  // ramfs
        0x794C_7630,  // overlayfs (a container's own layers)
        0x2FC1_2FC1,  // zfs
        0xF2F5_2010,  // f2fs
        0xCA45_1A4E,  // bcachefs
        0x7371_7368,  // squashfs (read-only)
        0x4D44,  // vfat
        0x5346_544E,  // ntfs3
        0x2011_BAB0,  // exfat
    ]
}
