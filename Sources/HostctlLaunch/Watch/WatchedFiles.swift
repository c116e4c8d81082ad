import HostctlSystem

/// What hostctl watch watches: what the build reads, as the build stamp sees it (the
/// package's tree and its local dependencies' trees, less `.build*/`, `.git/` and the
/// launch settings files), less what editors and the front write beside the sources.
enum WatchedFiles {
    static func isIgnored(name: String, relative: String) -> Bool {
        TreeFingerprint.isExcluded(name: name, relative: relative) || relative == "app_offline.htm" || isEditorFile(name)
    }

    /// Swap, backup, lock and probe files: vim (`.x.swp`, `x~`, `4913`), emacs (`.#x`,
    /// `#x#`), JetBrains' safe writes, and macOS's folder records.
    static func isEditorFile(_ name: String) -> Bool {
        if name.hasSuffix("~") || name == "4913" || name == ".DS_Store" { return true }
        if name.hasPrefix(".#") || (name.count > 1 && name.hasPrefix("#") && name.hasSuffix("#")) { return true }
        if name.hasSuffix("___jb_tmp___") || name.hasSuffix("___jb_old___") || name.hasSuffix(".swpx") { return true }
        // vim's .swp, .swo, .swn … (".sw" and one letter)
        guard let last = name.last, last.isASCII, last.isLowercase else { return false }
        return name.dropLast().hasSuffix(".sw")
    }

    /// The directories to watch under `root`, `root` first (links to directories followed
    /// once, as the fingerprint follows them).
    static func directories(under root: String) -> [String] {
        var found: [String] = []
        walk(root) { path, isDirectory in if isDirectory { found.append(path) } }
        return found
    }

    /// Every watched file under `root`, sorted (`hostctl watch --list`).
    static func files(under root: String) -> [String] {
        var found: [String] = []
        walk(root) { path, isDirectory in if !isDirectory { found.append(path) } }
        return found.sorted()
    }

    /// Whether a change at `path` (absolute), in the tree at `root`, matters.
    static func isWatched(_ path: String, root: String) -> Bool {
        guard path.hasPrefix(root + "/") else { return path == root }
        var relative = ""
        for component in path.dropFirst(root.count + 1).split(separator: "/") {
            relative = relative.isEmpty ? String(component) : relative + "/" + component
            if isIgnored(name: String(component), relative: relative) { return false }
        }
        return true
    }

    private static func walk(_ root: String, _ visit: (String, Bool) -> Void) {
        var visited: Set<[UInt64]> = []
        func walk(_ directory: String, relative: String) {
            guard let status = FileSystem.status(directory), visited.insert([status.device, status.inode]).inserted else { return }
            visit(directory, true)
            for name in ((try? FileSystem.contentsOfDirectory(directory)) ?? []).sorted() {
                let childRelative = relative.isEmpty ? name : relative + "/" + name
                if isIgnored(name: name, relative: childRelative) { continue }
                let path = FilePath.join(directory, name)
                if FileSystem.isDirectory(path) {
                    walk(path, relative: childRelative)
                } else {
                    visit(path, false)
                }
            }
        }
        walk(root, relative: "")
    }
}
