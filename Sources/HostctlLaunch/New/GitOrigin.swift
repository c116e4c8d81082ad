import HostctlSupervisor
import HostctlSystem

/// The URL of a git checkout's `origin` remote, as configured (not rewritten by this
/// machine's `insteadOf` settings, which a colleague may not share).
enum GitOrigin {
    /// nil when `directory` is not the top of a git checkout, has no origin, its origin is
    /// a local path (no better than a path dependency), or git is not installed.
    static func url(of directory: String, environment: ProcessEnvironment) -> String? {
        guard FileSystem.exists(FilePath.join(directory, ".git")),
              let git = ExecutableSearch.find("git", path: environment["PATH"])
        else { return nil }
        var gitEnvironment = environment
        // Variables that would point git at another repository than the one in `directory`.
        for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS"] { gitEnvironment[name] = nil }
        var request = SpawnRequest(
            executable: git, arguments: ["-C", directory, "config", "--get", "remote.origin.url"], environment: gitEnvironment
        )
        request.standardInput = .null
        request.standardOutput = .pipe
        request.standardError = .null
        guard let child = try? ChildProcess.spawn(request) else { return nil }
        var output: [UInt8] = []
        var monitor = ChildMonitor()
        monitor.outputs = [ChildMonitor.Output(descriptor: child.standardOutput!) { output.append(contentsOf: $0) }]
        monitor.deadline = MonotonicClock.now() + 10_000_000_000
        guard monitor.wait(for: child).status.isSuccess else { return nil }
        var url = String(decoding: output, as: UTF8.self)
        while url.last?.isWhitespace == true { url.removeLast() }
        return isRemote(url) ? url : nil
    }

    /// `scheme://host/…` (not file://) or scp-like `user@host:path`.
    static func isRemote(_ url: String) -> Bool {
        if let scheme = url.firstRange(of: "://") {
            return !url[..<scheme.lowerBound].isEmpty && !url.lowercased().hasPrefix("file:")
        }
        guard let colon = url.firstIndex(of: ":"), let at = url.firstIndex(of: "@"), at < colon else { return false }
        return !url[..<at].contains("/")
    }
}
