/// Finds programs the way a shell does.
public enum ExecutableSearch {
    /// The first executable file named `name` on `path` (a `PATH`-style list).
    /// A name containing a slash is taken as a path and only checked.
    public static func find(_ name: String, path: String?) -> String? {
        if name.contains("/") {
            return FileSystem.status(name)?.isExecutable == true ? name : nil
        }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = FilePath.join(directory.isEmpty ? "." : String(directory), name)
            if FileSystem.status(candidate)?.isExecutable == true { return candidate }
        }
        return nil
    }
}
