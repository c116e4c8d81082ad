import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem

/// Opening listening sockets.
public enum ListeningSocket {
    /// A bound, listening, non-blocking socket and the address it really has (port 0 resolved).
    /// `reusePort` lets one listener per event loop share a port, the kernel spreading
    /// connections across them.
    /// `joiningOwnGroup`: the port is already one of ours (another loop's listener), so the
    /// in-use check is skipped.
    public static func open(_ address: SocketAddress, reusePort: Bool, joiningOwnGroup: Bool = false, backlog: Int32 = 1024) throws(SystemError) -> (descriptor: Int32, bound: SocketAddress) {
        if reusePort, !joiningOwnGroup, address.port != 0 { try checkNotInUse(address) }
        let family = address.family
        let fd = try retryingInterrupts("socket") { chl_stream_socket(family) }
        do throws(SystemError) {
            var one: Int32 = 1
            if family != AF_UNIX {
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
            }
            if case .ipv6(let high, let low, _, _) = address {
                // [::] takes IPv4 too (dual stack); any other IPv6 address means only itself.
                var v6only: Int32 = high == 0 && low == 0 ? 0 : 1
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
            }
            let bound = address.withSockAddr { Glibc.bind(fd, $0, $1) }
            guard bound == 0 else { throw SystemError.last("bind", subject: address.description) }
            guard listen(fd, backlog) == 0 else { throw SystemError.last("listen", subject: address.description) }
            return (fd, SocketAddress.local(of: fd) ?? address)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }
}

extension ListeningSocket {
    /// SO_REUSEPORT lets any socket of the same user join a port, so a second server (a
    /// second `hostctl run` of the same app) would silently share it instead of failing.
    /// A plain bind first, without the option, fails with EADDRINUSE if anything listens there.
    static func checkNotInUse(_ address: SocketAddress) throws(SystemError) {
        let family: Int32 = address.isIPv6 ? AF_INET6 : AF_INET
        let probe = chl_stream_socket(family)
        guard probe >= 0 else { return }
        defer { Glibc.close(probe) }
        var one: Int32 = 1
        setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if case .ipv6(let high, let low, _, _) = address {
            var v6only: Int32 = high == 0 && low == 0 ? 0 : 1
            setsockopt(probe, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
        }
        if address.withSockAddr({ Glibc.bind(probe, $0, $1) }) != 0, errno == EADDRINUSE {
            throw SystemError("bind", code: EADDRINUSE, subject: address.description)
        }
    }
}

