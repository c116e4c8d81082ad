import HostctlCore

/// Makes the TLS layer of one HTTPS endpoint's connections: a handler toward the transport,
/// a transport toward the protocol, with the engine (`TLSServerConnection`) between. The
/// protocol above is made once the handshake is done, so it can be chosen by ALPN (the
/// acceptor reads `tls.applicationProtocol` from the transport it is given).
///
/// ```swift
/// let context = try TLSServerContext(configuration: .init(applicationProtocols: .http1), certificates: store)
/// let endpoint = HTTPEndpointOptions(layers: [TLSLayerFactory(context: context)])
/// ```
public struct TLSLayerFactory: ConnectionLayerFactory {
    public let context: TLSServerContext
    public let limits: TLSLayerLimits
    /// Told of every connection that ends badly before or during its handshake, and of TLS
    /// failures after it (the server logs them at Debug, as Kestrel does): never the app.
    public let onFailure: (@Sendable (TLSFailure, _ remote: SocketAddress?) -> Void)?

    public init(
        context: TLSServerContext, limits: TLSLayerLimits = TLSLayerLimits(),
        onFailure: (@Sendable (TLSFailure, _ remote: SocketAddress?) -> Void)? = nil
    ) {
        self.context = context
        self.limits = limits
        self.onFailure = onFailure
    }

    public func makeLayer(
        over transport: ConnectionTransport, on loop: EventLoopContext, above: @escaping (ConnectionTransport) -> ServedConnection
    ) -> ServedConnection {
        TLSLayer(below: transport, loop: loop, factory: self, makeAbove: above)
    }
}

/// The TLS layer's time limits, in nanoseconds of the loop's clock.
public struct TLSLayerLimits: Sendable {
    /// From the connection's accept to the end of its handshake: Kestrel's `HandshakeTimeout`
    /// (10 s). A client that stalls mid-handshake (TLS slowloris) is closed when it passes.
    public var handshakeTimeout: Int64
    /// While part of a handshake record has arrived and the rest has not, the client must
    /// keep up this rate once the grace period has passed (the server's minimum request data
    /// rate, applied to the handshake): a trickled ClientHello ends before the timeout. A
    /// client thinking between flights (choosing a client certificate) is held to the
    /// timeout only.
    public var minimumHandshakeRate: (bytesPerSecond: Double, grace: Int64)?
    /// How long a closing connection may take to send its last records and close_notify
    /// before it is closed regardless (a client that stopped reading).
    public var closeFlushLimit: Int64 = 5_000_000_000
    /// After a failed handshake's answer (the 400 to plain HTTP, or an alert): how long the
    /// connection keeps reading and discarding what the client still sends, and how much,
    /// so the answer is read rather than lost to a reset.
    public var lingerTime: Int64 = 2_000_000_000
    public var lingerBytes = 64 * 1024

    public init(handshakeTimeout: Int64 = 10_000_000_000, minimumHandshakeRate: (bytesPerSecond: Double, grace: Int64)? = (240, 5_000_000_000)) {
        self.handshakeTimeout = handshakeTimeout
        self.minimumHandshakeRate = minimumHandshakeRate
    }
}
