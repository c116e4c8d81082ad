/// The HTTP versions an endpoint speaks (Kestrel's HttpProtocols).
public enum HTTPProtocols: Sendable, Equatable {
    case http1
    case http2
    case http1AndHttp2
}
