import HostctlCore

/// The protocol side of one endpoint's listeners: each accepted connection gets a place
/// under the core's limits, its endpoint's layers, and the protocol driver its endpoint and
/// negotiation choose. The core tracks the bottom of each stack (what the transport calls).
final class EndpointAcceptor: ConnectionAcceptor, @unchecked Sendable {
    /// The core, reached without counting: `retainedCore` keeps it alive for an endpoint's
    /// acceptor, and the core's own default acceptor lives inside the core.
    unowned(unsafe) let core: HTTPServerCore
    /// Held strongly for an endpoint's acceptor: the listeners hold their acceptor, so the
    /// core (which the connections reach without counting) lives as long as any loop can
    /// accept or tick through it, even for a server released without being stopped. Nil for
    /// the core's own acceptor, which would otherwise keep the core alive forever (a cycle).
    private let retainedCore: HTTPServerCore?
    let endpoint: HTTPEndpointOptions

    init(core: HTTPServerCore, endpoint: HTTPEndpointOptions) {
        self.core = core
        self.retainedCore = core
        self.endpoint = endpoint
    }

    /// The acceptor the core keeps for connections accepted through the core itself.
    init(ownedBy core: HTTPServerCore, endpoint: HTTPEndpointOptions) {
        self.core = core
        self.retainedCore = nil
        self.endpoint = endpoint
    }

    func accept(_ transport: ConnectionTransport, on loop: EventLoopContext) -> ConnectionHandler? {
        guard let state = core.reserveConnection(on: loop) else { return nil }
        let id = core.nextConnectionNumber()
        core.log.accepted(id)
        let connection: any ServedConnection
        if endpoint.layers.isEmpty {
            // The common case: the transport calls the driver directly.
            connection = makeProtocol(over: transport, loop: loop, state: state, id: id)
        } else {
            let layered = LayeredConnection(core: core, state: state)
            layered.outermost = makeLayers(over: transport, from: 0, loop: loop, state: state, id: id)
            connection = layered
        }
        state.add(connection)
        return connection
    }

    func heartbeat(on loop: EventLoopContext) {
        core.heartbeat(on: loop)
    }

    /// Layer `index` over `transport`, with the rest of the stack above it.
    private func makeLayers(over transport: ConnectionTransport, from index: Int, loop: EventLoopContext, state: LoopState, id: UInt64) -> any ServedConnection {
        guard index < endpoint.layers.count else { return makeProtocol(over: transport, loop: loop, state: state, id: id) }
        return endpoint.layers[index].makeLayer(over: transport, on: loop) { [self] above in
            makeLayers(over: above, from: index + 1, loop: loop, state: state, id: id)
        }
    }

    /// The driver for the protocol the endpoint and the connection settle on: ALPN's choice
    /// where a TLS layer negotiated one, else the endpoint's protocols (see `ProtocolChoice`).
    private func makeProtocol(over transport: ConnectionTransport, loop: EventLoopContext, state: LoopState, id: UInt64) -> any ServedConnection {
        switch ProtocolChoice.choose(endpoint.protocols, tls: transport.tls) {
        case .http1:
            return core.makeHTTP1Connection(transport: transport, loop: loop, state: state, id: id)
        case .http1OrHTTP2Preface:
            return core.makeHTTP1Connection(transport: transport, loop: loop, state: state, id: id, acceptsHTTP2Preface: true)
        case .http2:
            return core.makeHTTP2Connection(transport: transport, loop: loop, state: state, id: id)
        case .inadequateSecurity(let message):
            let connection = core.makeHTTP2Connection(transport: transport, loop: loop, state: state, id: id)
            connection.refuse(.inadequateSecurity, message: message)
            return connection
        case .refused(let message):
            return RefusedConnection(transport: transport, loop: loop, core: core, state: state, reason: message)
        }
    }
}
