import HostctlCore

/// Where a server keeps a request's head while the app handles it. The server core
/// leaves the head in its receive buffer and hands the request a view of it, so a
/// request costs no copies and no Strings until the app asks for a value.
///
/// Custom servers need not implement this: they set `HTTPRequest`'s properties and
/// headers directly.
public protocol RequestHeadSource: AnyObject {
    /// The raw request-target ("/a%20b?x=1").
    func withRawTarget<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
    /// The path part of the target, still percent-encoded.
    func withRawPath<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
    /// The query without its '?'; nil when the target has none.
    func withRawQuery<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R
    var headerCount: Int { get }
    func withHeader<R>(at index: Int, _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> R) -> R
    /// Percent-decodes a path the way the server's protocol does.
    func decodePath(_ raw: UnsafeRawBufferPointer) -> String
    /// The protocol an extended CONNECT (RFC 8441's :protocol) asks for; nil for any other request.
    var extendedConnectProtocol: String? { get }
}

extension RequestHeadSource {
    /// Protocols without extended CONNECT (HTTP/1.1) have none.
    public var extendedConnectProtocol: String? { nil }
}
