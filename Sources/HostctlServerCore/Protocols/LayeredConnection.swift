import HostctlCore

/// The bottom of a connection whose endpoint has layers (TLS): what the core tracks and the
/// transport calls, passing everything to the outermost layer. It exists so the core learns
/// when the connection closes whatever its layers do (a TLS handshake that fails never
/// creates a protocol driver to tell it); connections without layers have none of it.
final class LayeredConnection: ServedConnection {
    /// The core outlives every connection it accepted.
    unowned(unsafe) let core: HTTPServerCore
    let state: LoopState
    @exclusivity(unchecked) var outermost: (any ServedConnection)!

    init(core: HTTPServerCore, state: LoopState) {
        self.core = core
        self.state = state
    }

    func receiveBuffer() -> ByteBuffer? { outermost.receiveBuffer() }
    func didReceive(_ count: Int) { outermost.didReceive(count) }
    func sendCompleted(_ buffer: ByteBuffer) { outermost.sendCompleted(buffer) }
    func inputClosed() { outermost.inputClosed() }
    func connectionFailed(errno: Int32) { outermost.connectionFailed(errno: errno) }

    func transportClosed() {
        core.connectionClosed(self, on: state)
        outermost.transportClosed()
    }

    func heartbeat(now: Int64) { outermost.heartbeat(now: now) }
    func beginDraining() { outermost.beginDraining() }
    func abort(reason: String) { outermost.abort(reason: reason) }
}
