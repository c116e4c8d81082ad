import Glibc

/// File and directory operations as hostctl needs them, over plain libc calls.
///
/// hostctl runs before every app start, so it avoids Foundation: loading it alone
/// costs a few milliseconds, which is a fifth of the overhead budget.
public enum FileSystem {
    /// `stat` that follows symbolic links; nil when nothing is there.
    public static func status(_ path: String) -> FileStatus? {
        var raw = stat()
        guard stat(path, &raw) == 0 else { return nil }
        return FileStatus(raw)
    }

    /// `lstat`: the link itself, not its target.
    public static func linkStatus(_ path: String) -> FileStatus? {
        var raw = stat()
        guard lstat(path, &raw) == 0 else { return nil }
        return FileStatus(raw)
    }

    /// `fstat`: the status of an open descriptor.
    public static func status(descriptor: Int32) -> FileStatus? {
        var raw = stat()
        guard fstat(descriptor, &raw) == 0 else { return nil }
        return FileStatus(raw)
    }

    public static func exists(_ path: String) -> Bool { status(path) != nil }

    public static func isDirectory(_ path: String) -> Bool { status(path)?.kind == .directory }

    public static func isRegularFile(_ path: String) -> Bool { status(path)?.kind == .regular }

    /// Reads a whole file.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try retryingInterrupts("open", subject: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { Descriptor.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in
                    try retryingInterrupts("read", subject: path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
                }
            }.get()
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Writes a file by writing a sibling and renaming it over the target, so readers
    /// never see half a file and a crash never leaves one behind. `mode` applies from the
    /// start (a private key is never readable by others, not even for a moment).
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = try retryingInterrupts("open", subject: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        }
        do {
            try Descriptor.writeAll(fd, bytes)
        } catch {
            Descriptor.close(fd)
            unlink(temporary)
            throw error
        }
        Descriptor.close(fd)
        if rename(temporary, path) != 0 {
            let error = SystemError.last("rename", subject: path)
            unlink(temporary)
            throw error
        }
    }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String) throws(SystemError) {
        if isDirectory(path) { return }
        let parent = FilePath.directory(path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw SystemError.last("mkdir", subject: path)
        }
    }

    /// `mkdir` of one folder, whose parent exists.
    public static func makeDirectory(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) != 0 { throw SystemError.last("mkdir", subject: path) }
    }

    /// `rmdir`: removes an empty folder, and leaves one that is not.
    public static func removeDirectory(_ path: String) {
        rmdir(path)
    }

    public static func removeFile(_ path: String) {
        unlink(path)
    }

    /// The names in a directory, without "." and "..", in no particular order.
    public static func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError.last("opendir", subject: path) }
        defer { closedir(dir) }
        var names: [String] = []
        // A dirent is only as long as its name: read the name in place, never copy the
        // whole 256-byte field (that reads past the last entry of readdir's buffer).
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The canonical absolute path, with every symbolic link resolved.
    public static func realPath(_ path: String) throws(SystemError) -> String {
        guard let resolved = realpath(path, nil) else { throw SystemError.last("realpath", subject: path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public static func currentDirectory() throws(SystemError) -> String {
        guard let cwd = getcwd(nil, 0) else { throw SystemError.last("getcwd") }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}
