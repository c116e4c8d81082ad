/// An extended CONNECT (RFC 8441), as ASP.NET Core's IHttpExtendedConnectFeature: an HTTP/2
/// request that opens a tunnel for another protocol (`protocol`, "websocket") on its stream.
/// The request's body is what the client sends through the tunnel, open-ended; the app
/// accepts with a 2xx response (200) whose body is what it sends back, both at once, until
/// either side ends. Answered for every request (implemented by `HTTPContext`);
/// `isExtendedConnect` is false for any other.
///
/// ```swift
/// if let connect = context.features[HTTPExtendedConnectFeature.self], connect.isExtendedConnect, connect.protocol == "websocket" {
///     context.response.status = 200
///     try await context.response.flush()
///     // read context.request.body, write context.response, until either ends
/// }
/// ```
public protocol HTTPExtendedConnectFeature: AnyObject {
    var isExtendedConnect: Bool { get }
    /// :protocol's value; nil unless `isExtendedConnect`.
    var `protocol`: String? { get }
}

extension HTTPRequest {
    /// :protocol of an extended CONNECT; nil for any other request. Asked of the server's
    /// head only when someone wants it: ordinary requests pay nothing for it.
    public var extendedConnectProtocol: String? { source?.extendedConnectProtocol }
}

/// The context answers the feature (`context.isExtendedConnect`, `context.protocol`), so it
/// costs no object per request.
extension HTTPContext: HTTPExtendedConnectFeature {
    public var isExtendedConnect: Bool { request.extendedConnectProtocol != nil }
    public var `protocol`: String? { request.extendedConnectProtocol }
}
