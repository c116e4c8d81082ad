import HostctlSystem

/// A fingerprint of everything under a directory that a build could read: every file's
/// path, size, modification and change times and identity, and every directory's name.
///
/// It leaves out what SwiftPM never reads as input: build folders (`.build*`) and `.git`
/// anywhere, and hostctl's own launchSettings.json files at the package root and in
/// Properties/, and the Properties folder itself (editing a profile, or moving the file
/// between the two places, must not cost a rebuild; any other file in Properties/ still
/// counts). Everything else counts, because a target may be laid out anywhere and any
/// doubt means build.
enum TreeFingerprint {
    static func compute(_ root: String, into hash: inout ContentHash) {
        var visited: Set<[UInt64]> = []
        walk(root, relative: "", hash: &hash, visited: &visited)
    }

    static func isExcluded(name: String, relative: String) -> Bool {
        if name.hasPrefix(".build") || name == ".git" { return true }
        return relative == "launchSettings.json" || relative == "Properties/launchSettings.json"
    }

    private static func walk(_ directory: String, relative: String, hash: inout ContentHash, visited: inout Set<[UInt64]>) {
        guard let status = FileSystem.status(directory), visited.insert([status.device, status.inode]).inserted else {
            hash.feed("L \(relative)")  // a directory seen before through a link: record, do not loop
            return
        }
        guard let names = try? FileSystem.contentsOfDirectory(directory) else {
            hash.feed("U \(relative)")  // unreadable now; if it becomes readable, the fingerprint changes
            return
        }
        for name in names.sorted() {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if isExcluded(name: name, relative: childRelative) { continue }
            let path = FilePath.join(directory, name)
            guard let child = FileSystem.status(path) else {
                hash.feed("X \(childRelative)")  // a dangling link
                continue
            }
            if child.kind == .directory {
                if childRelative != "Properties" { hash.feed("D \(childRelative)") }
                walk(path, relative: childRelative, hash: &hash, visited: &visited)
            } else {
                hash.feed("F \(childRelative) \(child.size) \(child.modified) \(child.changed) \(child.inode) \(child.mode)")
            }
        }
    }
}
