import HostctlCore
import HostctlHosting

/// How the connections of one listening endpoint are served: the layers they pass through
/// between transport and protocol (TLS, outermost first), and the HTTP versions they may speak.
public struct HTTPEndpointOptions: Sendable {
    /// Kestrel's `ListenOptions.Protocols`, by default HTTP/1.1 and HTTP/2. Over TLS, ALPN
    /// chooses between them; in cleartext an endpoint for both speaks HTTP/1.1 unless the
    /// client opens with HTTP/2's preface (h2c with prior knowledge), and an HTTP/2-only one
    /// speaks HTTP/2 to every client.
    public var protocols: HTTPProtocols
    public var layers: [any ConnectionLayerFactory]

    public init(protocols: HTTPProtocols = [.http1, .http2], layers: [any ConnectionLayerFactory] = []) {
        self.protocols = protocols
        self.layers = layers
    }

    /// The application protocols (ALPN names) a TLS layer may offer for `protocols`,
    /// the server's preference first, as Kestrel: "h2" before "http/1.1" (`ProtocolChoice`
    /// then picks the driver from `tls.applicationProtocol`).
    public static func applicationProtocols(for protocols: HTTPProtocols) -> [String] {
        (protocols.contains(.http2) ? ["h2"] : []) + (protocols.contains(.http1) ? ["http/1.1"] : [])
    }
}
