import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import HostctlTransport

/// A listening socket on an epoll loop, handing accepted connections to an acceptor.
final class Listener: EpollRegistrant, LoopListener, @unchecked Sendable {
    let descriptor: Int32
    unowned let loop: EpollLoop
    let acceptor: ConnectionAcceptor
    private var slot = -1
    private var closed = false
    private let setsNoDelay: Bool

    /// Takes ownership of a listening `descriptor`; call `start()` on the loop's thread (or before it runs).
    init(descriptor: Int32, loop: EpollLoop, acceptor: ConnectionAcceptor, isTCP: Bool) {
        self.descriptor = descriptor
        self.loop = loop
        self.acceptor = acceptor
        self.setsNoDelay = isTCP
    }

    func start() throws(SystemError) {
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
            if setsNoDelay { SocketOptions.disableNagle(fd) }
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
    func close() {
        guard !closed else { return }
        closed = true
        if slot >= 0 { loop.release(slot: slot) }
        Glibc.close(descriptor)
    }

    var eventLoop: EventLoop { loop }
}
