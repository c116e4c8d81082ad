import Glibc
import HostctlSystem

/// The port given to an app in `PORT` and `ASPNETCORE_PORT` (and for `{port}` in its
/// arguments), for apps that do not report the port they listen on.
///
/// Between choosing a free port and the app binding it, another program could take it.
/// That window cannot be closed without the app's help (the hosting library binds port 0
/// and reports the port, which has no window at all), so it is made as narrow as it can be:
/// the port is below the kernel's ephemeral range, from which the kernel hands out every
/// port nobody names (outgoing connections, bind to port 0), so only a program asking for
/// this very port could take it; and it is free at the moment it is chosen on every
/// address of both families. As ANCM, it tries ten random ports from 1025 up; then it takes
/// one from the kernel. The front also checks that whoever then listens on the port is the
/// app (`ListenerOwnership`), so a stranger that won the race is never forwarded to.
enum FreePort {
    static let tries = 10
    static let lowest: UInt16 = 1025

    /// nil only when no socket can be made at all.
    static func pick() -> UInt16? {
        let ephemeral = ephemeralRange() ?? (32768, 60999)
        if ephemeral.lower > lowest + 100 {
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<tries {
                let port = UInt16.random(in: lowest..<ephemeral.lower, using: &generator)
                if isFree(port) { return port }
            }
        }
        return kernelsPick()
    }

    /// Whether nothing is bound to `port` on any address: a dual-stack bind to `[::]` fails
    /// when any IPv4 or IPv6 socket holds the port, listening or not.
    static func isFree(_ port: UInt16) -> Bool {
        withWildcardSocket(port: port) { _ in true } ?? false
    }

    /// `ip_local_port_range`: "32768\t60999".
    static func ephemeralRange() -> (lower: UInt16, upper: UInt16)? {
        guard let bytes = try? FileSystem.readFile("/proc/sys/net/ipv4/ip_local_port_range") else { return nil }
        let numbers = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { UInt16($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return nil }
        return (numbers[0], numbers[1])
    }

    private static func kernelsPick() -> UInt16? {
        withWildcardSocket(port: 0) { fd in
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { return nil }
            // sin_port and sin6_port sit at the same offset, in network order.
            return withUnsafeBytes(of: address) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
        } ?? nil
    }

    /// Binds a socket to the wildcard address and `port` (IPv6 dual-stack, or IPv4 where
    /// IPv6 is absent), runs `body` on it and closes it; nil when the bind fails.
    private static func withWildcardSocket<R>(port: UInt16, _ body: (Int32) -> R) -> R? {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        var fd = socket(AF_INET6, type, 0)
        let bound: Int32
        if fd >= 0 {
            var off: Int32 = 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            fd = socket(AF_INET, type, 0)
            guard fd >= 0 else { return nil }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        defer { close(fd) }
        return bound == 0 ? body(fd) : nil
    }
}
