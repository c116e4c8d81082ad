import HostctlCore

/// Browser refresh on the forwarding path (HTTP/1.1 requests forwarded from their heads):
/// the same pages get the same script tag as through the middleware's
/// `ScriptInjectingWriter`, by an `HTMLScriptInjector` behind the response body transform;
/// its own two paths go to the front's pipeline, where its middleware answers them.
extension BrowserRefresh: ResponseBodyTransform {
    public func rewriter(status: Int, fields: HTTPFields, isHead: Bool) -> (any ResponseBodyRewriter)? {
        guard ScriptInjectingWriter.shouldInject(status: status, headers: fields) else { return nil }
        return ScriptInjection(snippet: BrowserRefreshScript.tag(version: version))
    }

    /// Whether a raw request path is the script's or the event stream's.
    static let isOwnPath: @Sendable (UnsafeRawBufferPointer) -> Bool = { path in
        path.elementsEqual(eventsPath.utf8) || path.elementsEqual(scriptPath.utf8)
    }
}

/// One page's injection: the snippet before `</body>`, or at the end.
private final class ScriptInjection: ResponseBodyRewriter {
    private var injector: HTMLScriptInjector

    init(snippet: [UInt8]) {
        injector = HTMLScriptInjector(snippet: snippet)
    }

    var lengthChange: Int? { injector.snippet.count }

    func feed(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        injector.feed(input, emit: emit)
    }

    func finish(emit: (UnsafeRawBufferPointer) -> Void) {
        injector.finish(emit: emit)
    }
}
