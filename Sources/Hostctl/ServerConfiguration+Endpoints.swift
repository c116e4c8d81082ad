import HostctlHosting
import HostctlServerCore

extension ServerConfiguration {
    /// The protocols a URL's connections may speak: its `Kestrel:Endpoints` entry's
    /// `Protocols`, else `Kestrel:EndpointDefaults:Protocols` (set in code as
    /// `builder.kestrel.endpointDefaults.protocols`), Kestrel's Http1AndHttp2 by default.
    func protocols(for url: String) -> HTTPProtocols {
        kestrel.endpoints.first { $0.url == url }?.protocols ?? kestrel.endpointDefaults.protocols
    }

    /// How a URL's connections are served: its protocols, through the options' layers.
    func endpointOptions(for url: String) -> HTTPEndpointOptions {
        HTTPEndpointOptions(protocols: protocols(for: url), layers: options.connectionLayers)
    }

    /// An endpoint must speak HTTP/1.1 or HTTP/2 (HTTP/3 is not served here).
    func checkProtocols(for url: String) throws(ServerStartError) {
        let protocols = protocols(for: url)
        guard protocols.contains(.http1) || protocols.contains(.http2) else {
            throw ServerStartError(
                protocols.isEmpty
                    ? "An endpoint must be configured to serve at least one protocol (\(url))."
                    : "The endpoint \(url) is configured for \(protocols), which this server does not serve: use Http1, Http2 or Http1AndHttp2."
            )
        }
    }
}
