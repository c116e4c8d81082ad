import Glibc
import HostctlSystem

/// Processes the tests look at from outside, through /proc.
enum Processes {
    /// Whether `pid` has ended: gone from /proc, or a zombie its new parent has not reaped
    /// (an orphan goes to a subreaper or init, which may be slow to reap, or never do it).
    static func hasEnded(_ pid: pid_t) -> Bool {
        guard let fields = statFields(pid) else { return true }
        return fields.first == "Z"
    }

    /// The processes whose parent is `pid`.
    static func children(of pid: pid_t) -> [pid_t] {
        let names = (try? FileSystem.contentsOfDirectory("/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { statFields($0).map { $0.count > 1 && pid_t($0[1]) == pid } ?? false }
    }

    /// The environment `pid` was started with (/proc/PID/environ), entry by entry.
    static func startingEnvironment(of pid: pid_t) -> [String] {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/environ") else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Checks `condition` every 20 ms for at most `seconds`; whether it came true.
    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// /proc/PID/stat after the command's closing parenthesis: state, ppid, pgrp, …
    private static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        let line = String(decoding: bytes, as: UTF8.self)
        guard let close = line.lastIndex(of: ")") else { return nil }
        return line[line.index(after: close)...].split(separator: " ")
    }
}
