import CHostctlLinux
import Glibc
import HostctlCore
import HostctlTransport
import HostctlSystem

extension EventLoop {
    /// Opens a non-blocking stream connection to `address` on this loop, registered like an
    /// accepted one (edge-triggered, once; TCP_NODELAY for TCP). `handler` learns the outcome
    /// after this call returns: `connectionEstablished()`, or `connectionFailed(errno:)`
    /// (ECONNREFUSED…) then `transportClosed()`. Bytes sent before establishment wait in the
    /// transport and go out as soon as it is established. Throws only when no socket could be
    /// made (EMFILE…). On the loop's thread.
    public func connect(to address: SocketAddress, handler: OutboundConnectionHandler) throws(SystemError) -> ConnectionTransport {
        let family: Int32 = switch address {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        case .unix: AF_UNIX
        }
        let fd = try retryingInterrupts("socket") { chl_stream_socket(family) }
        if family != AF_UNIX { SocketOptions.disableNagle(fd) }
        // Non-blocking: EINPROGRESS, then the first EPOLLOUT (or EPOLLERR) tells how it went.
        // EINTR means the same: the connect goes on in the background (connect(2)).
        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        let failure = result == 0 || errno == EINPROGRESS || errno == EINTR ? 0 : errno
        let connection = SocketConnection(descriptor: fd, loop: self, remote: address)
        do {
            try connection.attachConnecting(handler)
        } catch {
            Glibc.close(fd)
            throw error
        }
        if failure != 0 {
            // Refused at once (a Unix socket nobody listens on): reported like a late failure.
            runSoon { connection.connectFailed(failure) }
        }
        return connection
    }
}
