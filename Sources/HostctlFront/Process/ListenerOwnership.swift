import Glibc
import HostctlSystem

/// Whether the socket listening on a port belongs to the app, read from /proc, as ANCM
/// checks that the process listening on the port it gave is the one it started: a probe
/// that connects proves only that *someone* listens there.
enum ListenerOwnership {
    /// Whether a process of process group `group` (the app and whatever it started; the app
    /// leads its group) holds a socket listening on `port`; nil when /proc cannot tell (its
    /// socket tables cannot be read).
    static func isListening(port: UInt16, inGroup group: pid_t) -> Bool? {
        var inodes = Set<UInt64>()
        var readAny = false
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let bytes = try? FileSystem.readFile(table) else { continue }
            readAny = true
            inodes.formUnion(listeningInodes(port: port, in: String(decoding: bytes, as: UTF8.self)))
        }
        guard readAny else { return nil }
        if inodes.isEmpty { return false }
        // The leader first: usually the app itself listens.
        if holdsSocket(pid: group, among: inodes) { return true }
        let processes = (try? FileSystem.contentsOfDirectory("/proc")) ?? []
        for name in processes {
            guard let pid = pid_t(name), pid != group, processGroup(of: pid) == group else { continue }
            if holdsSocket(pid: pid, among: inodes) { return true }
        }
        return false
    }

    /// The inodes of the sockets in the LISTEN state on `port`, from the text of
    /// /proc/net/tcp or /proc/net/tcp6 (any address: loopback, wildcard, either family).
    /// A line: `sl local_address rem_address st … uid timeout inode …`, with the local
    /// address as `HEXADDRESS:HEXPORT` and the state 0A for LISTEN.
    static func listeningInodes(port: UInt16, in table: String) -> [UInt64] {
        var inodes: [UInt64] = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A",
                  let colon = fields[1].lastIndex(of: ":"),
                  UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                  let inode = UInt64(fields[9]), inode != 0
            else { continue }
            inodes.append(inode)
        }
        return inodes
    }

    /// The process group in /proc/PID/stat: `pid (comm) state ppid pgrp …`, where comm may
    /// hold spaces and parentheses, so the fields are counted from the last ")".
    static func processGroup(statLine: String) -> pid_t? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        return fields.count > 2 ? pid_t(fields[2]) : nil
    }

    private static func processGroup(of pid: pid_t) -> pid_t? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        return processGroup(statLine: String(decoding: bytes, as: UTF8.self))
    }

    /// Whether one of `pid`'s descriptors is `socket:[INODE]` with an inode of `inodes`.
    private static func holdsSocket(pid: pid_t, among inodes: Set<UInt64>) -> Bool {
        let directory = "/proc/\(pid)/fd"
        guard let names = try? FileSystem.contentsOfDirectory(directory) else { return false }
        var buffer = [CChar](repeating: 0, count: 64)
        for name in names {
            let count = readlink("\(directory)/\(name)", &buffer, buffer.count)
            guard count > 9 else { continue }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard target.hasPrefix("socket:["), target.hasSuffix("]"),
                  let inode = UInt64(target.dropFirst(8).dropLast()) else { continue }
            if inodes.contains(inode) { return true }
        }
        return false
    }
}
