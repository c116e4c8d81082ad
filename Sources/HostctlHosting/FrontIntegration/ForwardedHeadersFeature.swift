import HostctlCore

/// What a request behind the front was before the forwarded headers were applied: the
/// front's own end of the loopback connection, "http", and the Host header. (ASP.NET keeps
/// these in `X-Original-For`, `X-Original-Proto` and `X-Original-Host` request headers;
/// adding headers would copy every field out of the server's buffer on each request, so
/// they are offered as a feature instead, and the `X-Forwarded-*` headers stay as sent.)
///
/// ```swift
/// if let forwarded = context.features[ForwardedHeadersFeature.self] {
///     print("front at \(forwarded.originalRemoteEndpoint?.description ?? "?"), client at \(context.connection.remoteEndpoint?.description ?? "?")")
/// }
/// ```
///
/// Present on every request once the app runs behind the front; nil otherwise.
public protocol ForwardedHeadersFeature: AnyObject {
    /// The connection's real peer (the front), whether or not `X-Forwarded-For` replaced it.
    var originalRemoteEndpoint: SocketAddress? { get }
    /// The scheme the request arrived with, whether or not `X-Forwarded-Proto` replaced it.
    var originalScheme: String { get }
    /// The Host header's value, whether or not `X-Forwarded-Host` replaced `request.host`.
    var originalHost: String { get }
}

/// One per connection, refilled for each request: the originals are kept only when a
/// forwarded value replaced them, and otherwise read from the request as it is.
final class ForwardedRequestOriginals: ForwardedHeadersFeature {
    unowned let request: HTTPRequest
    unowned let connection: ConnectionInfo
    @exclusivity(unchecked) var replacedRemoteEndpoint: SocketAddress??
    @exclusivity(unchecked) var replacedScheme: String?
    @exclusivity(unchecked) var replacedHost: String?

    init(request: HTTPRequest, connection: ConnectionInfo) {
        self.request = request
        self.connection = connection
    }

    func reset() {
        if replacedRemoteEndpoint != nil { replacedRemoteEndpoint = nil }
        if replacedScheme != nil { replacedScheme = nil }
        if replacedHost != nil { replacedHost = nil }
    }

    var originalRemoteEndpoint: SocketAddress? { replacedRemoteEndpoint ?? connection.remoteEndpoint }
    var originalScheme: String { replacedScheme ?? request.scheme }
    var originalHost: String { replacedHost ?? request.host }
}
