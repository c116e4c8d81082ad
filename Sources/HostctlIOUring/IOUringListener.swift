import CHostctlIOUring
import Glibc
import HostctlCore
import HostctlTransport

/// A listening socket on an io_uring loop: one multishot accept, re-armed when the kernel
/// ends it. Accepted connections go to the acceptor (the protocol side), which gives each
/// its handler or refuses it.
final class IOUringListener: CompletionTarget, LoopListener, @unchecked Sendable {
    let descriptor: Int32
    unowned let loop: IOUringLoop
    let acceptor: ConnectionAcceptor
    private let setsNoDelay: Bool
    private var slot = -1
    private var generation: UInt32 = 0
    private var accepting = false
    private var closing = false
    private var closed = false

    /// Takes ownership of a listening `descriptor`; call `start()` on the loop's thread or
    /// before it runs.
    init(descriptor: Int32, loop: IOUringLoop, acceptor: ConnectionAcceptor, isTCP: Bool) {
        self.descriptor = descriptor
        self.loop = loop
        self.acceptor = acceptor
        self.setsNoDelay = isTCP
    }

    func start() {
        loop.addAcceptor(acceptor)
        (slot, generation) = loop.register(self)
        arm()
    }

    private var tag: CompletionTag { CompletionTag(slot: slot, generation: generation, operation: .accept) }

    private func arm() {
        guard !accepting, !closing else { return }
        accepting = true
        chu_prep_multishot_accept(loop.uring.nextSubmission(), descriptor, tag.userData)
    }

    func complete(_ operation: CompletionTag.Operation, result: Int32, flags: UInt32, on loop: IOUringLoop) {
        if flags & UInt32(IORING_CQE_F_MORE) == 0 { accepting = false }
        if result >= 0 {
            accepted(result)
        } else if !closing {
            switch -result {
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: try again in a second rather than spin.
                loop.runAtNextHeartbeat { [weak self] in self?.arm() }
                finishClosingIfIdle()
                return
            default:
                break  // ECONNABORTED and other per-connection failures: keep accepting
            }
        }
        if !accepting { arm() }
        finishClosingIfIdle()
    }

    private func accepted(_ fd: Int32) {
        guard !closing else {
            Glibc.close(fd)
            return
        }
        if setsNoDelay { SocketOptions.disableNagle(fd) }
        let connection = IOUringConnection(descriptor: fd, loop: loop)
        guard let handler = acceptor.accept(connection, on: loop) else {
            Glibc.close(fd)  // over the connection limit, or stopping: closed at once, no response
            return
        }
        connection.start(handler)
    }

    /// Stops accepting: the armed accept is cancelled (it holds the socket open) and the
    /// descriptor closes once its last completion is in. An accept the kernel has not been
    /// given yet (the loop never ran: a server whose start failed) is withdrawn instead,
    /// and the descriptor closes at once. On the loop's thread, or before it runs.
    func close() {
        guard !closing else { return }
        closing = true
        if accepting {
            if loop.uring.withdraw(tag.userData) {
                accepting = false
            } else {
                chu_prep_cancel_user_data(loop.uring.nextSubmission(), tag.userData, CompletionTag(slot: slot, generation: generation, operation: .cancel).userData)
            }
        }
        finishClosingIfIdle()
    }

    private func finishClosingIfIdle() {
        guard closing, !closed, !accepting else { return }
        closed = true
        Glibc.close(descriptor)
        loop.unregister(slot: slot)
    }

    var eventLoop: EventLoop { loop }
}
