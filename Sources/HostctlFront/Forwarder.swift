import HostctlHosting

/// The forwarding half of the front: sends each request to the app over a pooled
/// keep-alive HTTP/1.1 connection on loopback and streams the answer back.
///
/// (Placeholder until the forwarding work lands: answers 502.)
public final class Forwarder: Sendable {
    public let source: any AppEndpointSource
    public let options: ForwardingOptions

    public init(source: any AppEndpointSource, options: ForwardingOptions = ForwardingOptions()) {
        self.source = source
        self.options = options
    }

    /// Forwards one request. Ends when the response is complete; throws only after the
    /// response started (the connection is then aborted, as the hosting library does).
    public func forward(_ context: HTTPContext) async throws {
        context.response.status = 502
        try await context.response.write("The front cannot forward requests yet.\n")
    }
}

/// The forwarding half's settings (ANCM's numbers).
public struct ForwardingOptions: Sendable {
    /// No answer from the app in this long: 504 (ANCM's requestTimeout, 2 minutes).
    public var requestTimeout: Duration = .seconds(120)
    public init() {}
}
