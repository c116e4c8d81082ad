import HostctlCore

/// A connection that settled on nothing its endpoint speaks (an HTTP/2-only TLS endpoint
/// whose client did not negotiate h2): it is closed as soon as the transport has taken it,
/// with nothing sent, as Kestrel closes it.
final class RefusedConnection: ServedConnection {
    let transport: ConnectionTransport
    /// The core outlives every connection it accepted.
    unowned(unsafe) let core: HTTPServerCore
    let state: LoopState
    /// Why, for whoever inspects the connection (Kestrel logs it at Debug).
    let reason: String

    init(transport: ConnectionTransport, loop: EventLoopContext, core: HTTPServerCore, state: LoopState, reason: String) {
        self.transport = transport
        self.core = core
        self.state = state
        self.reason = reason
        // Not here: the transport starts delivering to this handler after it is returned.
        loop.afterEvents { [weak self] in self?.transport.close() }
    }

    func receiveBuffer() -> ByteBuffer? { nil }
    func didReceive(_ count: Int) {}
    func sendCompleted(_ buffer: ByteBuffer) {}
    func inputClosed() { transport.close() }
    func connectionFailed(errno: Int32) {}
    func transportClosed() { core.connectionClosed(self, on: state) }
    func heartbeat(now: Int64) { transport.close() }
    func beginDraining() { transport.close() }
    func abort(reason: String) { transport.close() }
}
