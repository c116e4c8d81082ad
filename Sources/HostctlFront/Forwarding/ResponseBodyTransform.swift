import HostctlCore

/// Rewrites response bodies on their way from the app to the client, on the forwarding path
/// (`ForwardingOptions.responseBodyTransform`): hostctl watch's browser refresh puts its
/// script tag into HTML pages this way. Asked once per response whose status allows a body,
/// when its head has arrived from the app, and for the front's own pages.
///
/// Responses it declines are relayed as received, byte for byte. For one it takes, the body
/// is decoded, passed through the rewriter, and framed again for the client: with the app's
/// Content-Length changed by `lengthChange` when both are known, else chunked (or until the
/// close, for an HTTP/1.0 client).
///
/// ```swift
/// struct Shout: ResponseBodyTransform {
///     func rewriter(status: Int, fields: HTTPFields, isHead: Bool) -> (any ResponseBodyRewriter)? {
///         fields["Content-Type"]?.hasPrefix("text/plain") == true ? Uppercaser() : nil
///     }
/// }
/// ```
public protocol ResponseBodyTransform: Sendable {
    /// The rewriter for this response's body, or nil to leave it untouched. `fields` are the
    /// app's response fields; `isHead`: the request was HEAD (no body follows, but a declared
    /// length is still changed by `lengthChange`).
    func rewriter(status: Int, fields: HTTPFields, isHead: Bool) -> (any ResponseBodyRewriter)?
}

/// One response body's rewriting: bytes in, bytes out, no I/O (an `HTMLScriptInjector`
/// behind this face, for browser refresh).
public protocol ResponseBodyRewriter: AnyObject {
    /// How many bytes longer the rewritten body is than the original, when that is known
    /// before the body is seen; nil when it is not (the body is then chunked).
    var lengthChange: Int? { get }
    /// The next bytes of the body; `emit` gets what may go out now, in order (each piece is
    /// valid during the call only).
    func feed(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void)
    /// The body has ended: `emit` gets whatever was held back.
    func finish(emit: (UnsafeRawBufferPointer) -> Void)
}
