import HostctlCore
import HostctlHosting
import HostctlServerCore
import HostctlTransport
import Synchronization

/// The forwarding half of the front: sends each request to the app over a pooled
/// keep-alive HTTP/1.1 connection on loopback and streams the answer back.
///
/// Two paths lead here. HTTP/1.1 requests take the forwarding path: the server's HTTP/1.1
/// driver hands their parsed heads to an `HTTP1Relay` per client connection (the forwarder
/// is the server's `HTTP1ForwardingHandler`), with no context, middleware or task per
/// request. Everything else (HTTP/2 at the edge; paths `options.handledByFront` leaves to
/// the front's own middleware, which pass requests on) goes through the app pipeline, whose
/// terminal handler is `forward(_:)`.
///
/// Everything happens on the loop the client's connection runs on: each loop keeps its own
/// pool of connections to the app, so forwarding takes no lock and no thread hop. The front
/// runs on either server (event-loop or io_uring) for that, never on one without loops of
/// its own.
///
/// The response goes out through `context.response` (status and fields, then the body
/// through its `writer`): hostctl watch's browser refresh wraps that writer, in a middleware
/// before this one (`BrowserRefresh`), to put its script into HTML pages.
///
/// ```swift
/// let forwarder = Forwarder(source: supervisor)
/// let builder = WebApplicationBuilder(…, servers: WebApplication.servers(forwarding: forwarder), …)
/// front.use { context, _ in try await forwarder.forward(context) }   // the terminal handler
/// ```
public final class Forwarder: Sendable {
    public let source: any AppEndpointSource
    public let options: ForwardingOptions
    /// Names this forwarder's pool among each loop's per-loop states.
    let poolKey: Int

    private static let poolKeys = Atomic<Int>(0)

    public init(source: any AppEndpointSource, options: ForwardingOptions = ForwardingOptions()) {
        self.source = source
        self.options = options
        self.poolKey = Self.poolKeys.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Forwards one request. Ends when the response is complete; throws only after the
    /// response started (the connection is then aborted, as the hosting library does), or
    /// for the client's own errors (it went away, its body was malformed).
    ///
    /// The app unreachable (refused, or the connection lost before the response head):
    /// `source.connectionFailed` and 502; no response head within `options.requestTimeout`:
    /// 504; the source unable to provide the app: its `FrontUnavailable` page. A request whose
    /// bytes were sent is never retried.
    public func forward(_ context: HTTPContext) async throws {
        // An HTTP/2 extended CONNECT (RFC 8441) for a WebSocket goes to the app as the HTTP/1.1
        // upgrade: the method is compared first, so other requests ask nothing more.
        var webSocketKey: String?
        if context.request.method == .connect, let tunnelProtocol = context.request.extendedConnectProtocol {
            guard ASCII.equalsIgnoringCase(tunnelProtocol, "websocket") else {
                // 501, not 400: the request is well-formed, the front just has no HTTP/1.1 form
                // for this protocol to give the app (RFC 9110 §15.6.2), and the app is not asked.
                try await Self.sendPage(
                    status: 501, contentType: "text/plain; charset=utf-8",
                    body: Array("501 Not Implemented\n\nThe front forwards extended CONNECT for websocket only, not \(tunnelProtocol).\n".utf8),
                    to: context
                )
                return
            }
            webSocketKey = WebSocketHandshake.makeKey()
        }
        let endpoint: AppEndpoint
        do {
            endpoint = try await source.endpoint()
        } catch {
            try await Self.sendPage(status: error.status, contentType: error.contentType, body: error.body, to: context)
            return
        }
        // However the exchange ends: a run being replaced stops only once its requests are done.
        defer { source.release(endpoint) }
        guard let loop = EventLoop.current else {
            throw HTTPError(500, "The front forwards requests only from a server's own loops (the event-loop or io_uring server).")
        }
        let pool = pool(on: loop)

        let connection: AppConnection
        do {
            connection = try pool.checkOut(for: endpoint, context: context)
        } catch {
            try await answer(.noConnection(error.description), context, wroteBody: false)
            return
        }
        var exchange = ForwardingExchange(
            context: context, connection: connection, endpoint: endpoint, requestTimeout: options.requestTimeout,
            webSocketKey: webSocketKey, tunnelIdleTimeout: options.tunnelIdleTimeout
        )
        do {
            try await exchange.run()
        } catch {
            pool.checkIn(connection, reusable: false)
            guard let failure = error as? ForwardingFailure else { throw error }
            if failure.suggestsAppIsDown { source.connectionFailed(endpoint) }
            try await answer(failure, context, wroteBody: exchange.wroteResponseBody)
            return
        }
        pool.checkIn(connection, reusable: exchange.leavesConnectionReusable)
    }

    /// The front's own answer, while it can still give one.
    private func answer(_ failure: ForwardingFailure, _ context: HTTPContext, wroteBody: Bool) async throws {
        // Part of the app's response is on its way to the client: only cutting it off is honest.
        if context.response.hasStarted { throw failure }
        // Part of its body is buffered, unsent: the server drops it and answers with the status.
        if wroteBody { throw HTTPError(failure.status, failure.description) }
        try await Self.sendPage(status: failure.status, contentType: "text/plain; charset=utf-8", body: Array(failure.page.utf8), to: context)
    }

    private static func sendPage(status: Int, contentType: String, body: [UInt8], to context: HTTPContext) async throws {
        context.response.reset()
        context.response.status = status
        context.response.contentType = contentType
        try await context.response.write(body)
    }

    /// This forwarder's connections to the app on `loop`.
    func pool(on loop: EventLoop) -> AppConnectionPool {
        loop.localState(key: poolKey) { AppConnectionPool(loop: loop, options: options) }
    }
}

extension Forwarder: HTTP1ForwardingHandler {
    /// The relay of one client connection, made on its loop.
    public func makeForwarder(for connection: any HTTP1ForwardingConnection) -> any HTTP1RequestForwarder {
        let loop = EventLoop.current!  // the driver runs on its loop's thread
        return HTTP1Relay(client: connection, source: source, options: options, pool: pool(on: loop), loop: loop)
    }
}

/// The forwarding half's settings (ANCM's numbers where ANCM has one).
public struct ForwardingOptions: Sendable {
    /// No response head from the app in this long: 504 (ANCM's requestTimeout, 2 minutes).
    /// While the request body is still being sent, the time counts from the last bytes the
    /// app accepted.
    public var requestTimeout: Duration = .seconds(120)
    /// Idle keep-alive connections kept per event loop; more are closed as they come back.
    /// Large enough that a burst of concurrent requests does not turn into a connect per
    /// request once it ebbs (32 halved the rate at 64 concurrent clients); idle ones time out.
    public var maxIdleConnectionsPerLoop = 1024
    /// An idle connection is closed after this long: well inside the app's own keep-alive
    /// timeout (130 s), so the front never sends on a connection the app is closing.
    public var idleConnectionTimeout: Duration = .seconds(60)
    /// Requests whose path (raw, as sent) this returns true for are not forwarded from their
    /// head: they go through the front's pipeline, whose middleware answers them (hostctl
    /// watch's event stream and script) or passes them to `Forwarder.forward(_:)`.
    public var handledByFront: (@Sendable (_ rawPath: UnsafeRawBufferPointer) -> Bool)?
    /// Rewrites response bodies on the forwarding path (hostctl watch's browser refresh, in
    /// Development); nil relays every body as received.
    public var responseBodyTransform: (any ResponseBodyTransform)?
    /// An HTTP/2 extended CONNECT's tunnel with no byte either way this long ends: the
    /// front's keep-alive timeout (its server's default, which FrontHost leaves as it is),
    /// the limit the HTTP/1.1 driver applies to the tunnels of upgraded connections.
    public var tunnelIdleTimeout: Duration = ServerOptions().keepAliveTimeout

    public init() {}
}
