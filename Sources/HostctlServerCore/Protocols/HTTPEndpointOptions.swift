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

    /// The application protocols (ALPN names) a TLS layer may offer for `protocols`,
    /// preferred first: only those this core has a driver for (`makeProtocol` chooses from
    /// `tls.applicationProtocol`). HTTP/2's "h2" joins "http/1.1" here with its driver.
    public static func applicationProtocols(for protocols: HTTPProtocols) -> [String] {
        switch protocols {
        case .http1, .http1AndHttp2: ["http/1.1"]
        case .http2: []
        }
    }
}
