import HostctlSystem

/// What hostctl watch watches: what the build reads, as the build stamp sees it (the
/// package's tree and its local dependencies' trees, less `.build*/`, `.git/` and the
/// launch settings files), less what editors, tools and the front write beside the sources.
enum WatchedFiles {
    /// Left out with everything under it (a folder) or by itself (a file).
    static func isExcluded(name: String, relative: String) -> Bool {
        TreeFingerprint.isExcluded(name: name, relative: relative) || relative == "app_offline.htm"
    }

    /// Files no build reads that editors and tools write while saving: hidden files (vim's
    /// `.x.swp`, emacs' `.#x`, atomic writers' `.x.tmp`; SwiftPM skips hidden files in
    /// targets too), backups (`x~`, `#x#`), vim's write probe `4913`, and JetBrains' safe
    /// writes. Hidden folders (`.swiftpm`) are still watched.
    static func isScratchFile(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasSuffix("~") || name == "4913" { return true }
        if name.count > 1 && name.hasPrefix("#") && name.hasSuffix("#") { return true }
        return name.hasSuffix("___jb_tmp___") || name.hasSuffix("___jb_old___")
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

    /// Whether a change to the file or folder at `path` (absolute), in the tree at `root`, matters.
    static func isWatched(_ path: String, isDirectory: Bool, root: String) -> Bool {
        guard path.hasPrefix(root + "/") else { return path == root }
        var relative = ""
        let components = path.dropFirst(root.count + 1).split(separator: "/")
        for component in components {
            relative = relative.isEmpty ? String(component) : relative + "/" + component
            if isExcluded(name: String(component), relative: relative) { return false }
        }
        return isDirectory || components.last.map { !isScratchFile(String($0)) } ?? true
    }

    private static func walk(_ root: String, _ visit: (String, Bool) -> Void) {
        var visited: Set<[UInt64]> = []
        func walk(_ directory: String, relative: String) {
            guard let status = FileSystem.status(directory), visited.insert([status.device, status.inode]).inserted else { return }
            visit(directory, true)
            for name in ((try? FileSystem.contentsOfDirectory(directory)) ?? []).sorted() {
                let childRelative = relative.isEmpty ? name : relative + "/" + name
                if isExcluded(name: name, relative: childRelative) { continue }
                let path = FilePath.join(directory, name)
                if FileSystem.isDirectory(path) {
                    walk(path, relative: childRelative)
                } else if !isScratchFile(name) {
                    visit(path, false)
                }
            }
        }
        walk(root, relative: "")
    }
}
