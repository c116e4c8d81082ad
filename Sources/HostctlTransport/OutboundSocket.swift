import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem

/// Opening sockets for connections this side makes (`EventLoop.connect`).
public enum OutboundSocket {
    /// A close-on-exec stream socket for `address`'s family, without Nagle's delay for TCP.
    /// Non-blocking for a readiness transport (epoll); blocking for a completion transport
    /// (io_uring waits for readiness itself, as with the sockets it accepts).
    public static func open(for address: SocketAddress, nonBlocking: Bool) throws(SystemError) -> Int32 {
        let family = address.family
        let fd = try retryingInterrupts("socket") {
            nonBlocking ? chl_stream_socket(family) : socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        if family != AF_UNIX { SocketOptions.disableNagle(fd) }
        return fd
    }
}

extension SocketAddress {
    /// AF_INET, AF_INET6 or AF_UNIX.
    var family: Int32 {
        switch self {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        case .unix: AF_UNIX
        }
    }
}
