/// A connection as a server tracks it, whatever runs on it: a protocol driver, or a layer
/// (TLS) with the driver above it. The server ticks it once a second and tells it when the
/// server stops; a layer passes both on to what runs above it.
public protocol ServedConnection: ConnectionHandler {
    /// Once a second, on the connection's loop: timeouts and minimum data rates.
    func heartbeat(now: Int64)
    /// The server is stopping: finish what is in flight, take nothing new.
    func beginDraining()
    /// Ends the connection now; requests in flight are aborted with `reason`.
    func abort(reason: String)
}

/// Makes a layer that sits between a transport and the protocol above it: a handler toward
/// the transport, a transport toward the protocol (TLS, or the test suite's pass-through).
///
/// ```swift
/// struct PassThrough: ConnectionLayerFactory {
///     func makeLayer(over transport: ConnectionTransport, on loop: EventLoopContext,
///                    above: @escaping (ConnectionTransport) -> ServedConnection) -> ServedConnection {
///         PassThroughLayer(below: transport, makeAbove: above)   // calls above(self) when ready
///     }
/// }
/// ```
public protocol ConnectionLayerFactory: Sendable {
    /// The layer over `transport`. Once it knows what runs above (at once, or after a
    /// handshake that settles the protocol by ALPN), it calls `above` with itself as that
    /// protocol's transport, and hands it the bytes it has for it.
    func makeLayer(over transport: ConnectionTransport, on loop: EventLoopContext, above: @escaping (ConnectionTransport) -> ServedConnection) -> ServedConnection
}
