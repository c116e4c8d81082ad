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
        let family: Int32 = switch address {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        case .unix: AF_UNIX
        }
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
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            let actual = withUnsafeBytes(of: storage) { SocketAddress($0.baseAddress!, length: Int(length)) } ?? address
            return (fd, actual)
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

/// A listening socket on an event loop, handing accepted connections to an acceptor.
public final class Listener: EpollRegistrant, @unchecked Sendable {
    let descriptor: Int32
    unowned let loop: EventLoop
    let acceptor: ConnectionAcceptor
    private var slot = -1
    private var closed = false
    private let setsNoDelay: Bool

    /// Takes ownership of a listening `descriptor`; call `start()` on the loop's thread (or before it runs).
    public init(descriptor: Int32, loop: EventLoop, acceptor: ConnectionAcceptor, isTCP: Bool) {
        self.descriptor = descriptor
        self.loop = loop
        self.acceptor = acceptor
        self.setsNoDelay = isTCP
    }

    public func start() throws(SystemError) {
        loop.addAcceptor(acceptor)
        slot = try loop.register(self, descriptor: descriptor, events: CHL_EPOLLIN)
    }

    func handle(events: UInt32) {
        // Level-triggered: what is left after this batch raises the event again, and
        // established connections get their turn in between.
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = UInt32(MemoryLayout<sockaddr_storage>.size)
            let fd = chl_accept(descriptor, &storage, &length)
            if fd < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN, or out of descriptors (EMFILE): try again on the next event
            }
            if setsNoDelay {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            let remote = withUnsafeBytes(of: storage) { SocketAddress($0.baseAddress!, length: Int(length)) }
            let connection = SocketConnection(descriptor: fd, loop: loop, remote: remote)
            guard let handler = acceptor.accept(connection, on: loop) else {
                Glibc.close(fd)  // over the connection limit, or stopping: closed at once, no response
                continue
            }
            do {
                try connection.attach(handler)
            } catch {
                connection.close()
            }
        }
    }

    /// Stops listening. On the loop's thread.
    public func close() {
        guard !closed else { return }
        closed = true
        if slot >= 0 { loop.release(slot: slot) }
        Glibc.close(descriptor)
    }

    /// The loop this listener belongs to.
    public var loopContext: EventLoopContext { loop }

    /// Stops listening and forgets the acceptor's heartbeat. On the loop's thread.
    public func closeAndDetach() {
        close()
        loop.removeAcceptor(acceptor)
    }
}
