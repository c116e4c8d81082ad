import HostctlCore

/// How the connections of one listening endpoint are served: the layers they pass through
/// between transport and protocol (TLS, outermost first), and the HTTP versions they may speak.
public struct HTTPEndpointOptions: Sendable {
    public var protocols: HTTPProtocols
    public var layers: [any ConnectionLayerFactory]

    public init(protocols: HTTPProtocols = .http1, layers: [any ConnectionLayerFactory] = []) {
        self.protocols = protocols
        self.layers = layers
    }
}
