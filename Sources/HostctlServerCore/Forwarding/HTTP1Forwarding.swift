import HostctlCore
import HostctlHTTP1

/// Takes HTTP/1.1 requests from the server's HTTP/1.1 driver before the app pipeline, so a
/// reverse proxy (the front) can forward them from the parsed head and relay the answer as
/// bytes: no `HTTPContext`, no middleware, no task per request. The driver still does
/// everything HTTP/1.1 itself asks for: parsing with the server's limits (and the same
/// rejections), keep-alive and pipelining, decoding the request body under its size limit
/// and minimum data rate, the request-headers, keep-alive and response-rate timeouts, and
/// graceful stop.
///
/// Set on a server with `LoopServer(configuration, forwarding:)`. Requests a forwarder does
/// not take (and every request on other HTTP versions) run through the app pipeline as
/// usual. Everything happens on the connection's loop thread.
public protocol HTTP1ForwardingHandler: AnyObject, Sendable {
    /// The forwarder for one client connection: made at the connection's first request and
    /// kept, request after request, while the connection is busy; dropped when it goes idle.
    func makeForwarder(for connection: any HTTP1ForwardingConnection) -> any HTTP1RequestForwarder
}

/// One client connection's forwarder: the driver asks it about each parsed head and tells it
/// what happens on the client's side while it has a request.
public protocol HTTP1RequestForwarder: AnyObject {
    /// Whether it takes the request whose head was just parsed (`withRequestHead`); false
    /// leaves it to the app pipeline. Decides from the head alone: nothing is read or written.
    func takesRequest() -> Bool
    /// Starts on the request it took. From now until it calls `finishRequest()` (or the
    /// request is aborted, or a body read is rejected) the request is the forwarder's.
    func startRequest()
    /// More bytes came from the client: request body (`readRequestBody`), or after an upgrade
    /// tunnel bytes (`tunnelInput`); after an upgrade also the client's end of input.
    func clientInputArrived()
    /// The output the client had not taken is back under `responseBufferLimit`: write more.
    func clientOutputDrained()
    /// The request is over without the forwarder: the client went away, a timeout or a
    /// stopping server ended it. Nothing more may be written; `finishRequest` is not called.
    func requestAborted(reason: String)
}

/// What the HTTP/1.1 driver offers the forwarder of its connection.
public protocol HTTP1ForwardingConnection: AnyObject {
    // MARK: The request

    /// The parsed head, and the bytes its ranges are offsets into (valid during the call).
    func withRequestHead(_ body: (_ head: borrowing HTTP1RequestHead, _ bytes: UnsafeRawBufferPointer) -> Void)
    /// "https" over TLS, else "http".
    var scheme: String { get }
    /// The client's address.
    var remoteAddress: SocketAddress? { get }

    // MARK: The request body

    /// Offers decoded body bytes to `consume`, which returns how many it took; never waits.
    /// The first call fixes the size limit: a declared length over it is rejected at once
    /// (413), as a server rejects it when the app first reads. `.rejected`: the server has
    /// answered with the status (or aborted, once the response started) and closes; the
    /// request is over, and the forwarder drops it.
    func readRequestBody(_ consume: (UnsafeRawBufferPointer) -> Int) -> HTTP1ForwardedBodyRead
    /// The forwarder waits for body bytes it could pass on now: the minimum request body
    /// data rate counts this time, until `clientInputArrived`.
    func waitingForRequestBody()
    /// A chunked body's trailer fields, once `readRequestBody` returned `.end`.
    var requestTrailers: [(name: String, value: String)] { get }

    // MARK: The response

    /// Where response bytes go, in order after anything sent before.
    var output: ByteBuffer { get }
    /// Hands what `output` holds to the transport.
    func flushOutput()
    /// Response bytes not yet taken by the client; write no more while this is over
    /// `responseBufferLimit` (`clientOutputDrained` says when it is under again).
    var unsentOutput: Int { get }
    var responseBufferLimit: Int { get }
    /// The cached `Date` value (IMF-fixdate), for a response that lacks one.
    var date: UnsafeRawBufferPointer { get }
    /// Whether the connection stays open after the response, as the server decides it (the
    /// request's Connection field and framing, an unanswered 100-continue, a server that is
    /// stopping). Asked when writing the final head, which says `Connection: close` if not.
    var keepsConnection: Bool { get }
    /// The connection closes after this response (its body runs until the close).
    func closeAfterResponse()
    /// An interim (1xx) head is in `output`; a 100 answers the request's 100-continue.
    func interimResponseWritten(status: Int)
    /// The final head is in `output`: from now on a failure can only cut the response off.
    func responseStarted()
    /// A whole response of the server's own, with the framing, Date and Server a server adds.
    func respond(status: Int, fields: HTTPFields, body: UnsafeRawBufferPointer)
    /// The response is complete: the driver sends it and goes on with the next request, or
    /// closes. The forwarder must have let go of the request first: the next may start
    /// during this call.
    func finishRequest()
    /// Ends the connection now (a response cut short, a peer that failed).
    func abort(reason: String)

    // MARK: After a 101

    /// A 101 (Switching Protocols) is in `output`: the connection stops being HTTP, and every
    /// byte after the request head is the tunnel's. The keep-alive timeout becomes its idle
    /// limit; a graceful stop waits for it until the shutdown timeout.
    func upgradeToTunnel()
    /// Tunnel bytes from the client not consumed yet (valid until the next call on the driver).
    var tunnelInput: UnsafeRawBufferPointer { get }
    func consumeTunnelInput(_ count: Int)
    /// The client sent its end (FIN): no more tunnel bytes will come.
    var clientInputEnded: Bool { get }
    /// Sends what `output` holds, then closes; the tunnel is over.
    func closeAfterSending()
}

/// What `readRequestBody` found.
public enum HTTP1ForwardedBodyRead: Equatable, Sendable {
    /// `consume` took this many bytes (possibly none).
    case bytes(Int)
    /// Nothing buffered now: `waitingForRequestBody()`, then wait for `clientInputArrived`.
    case waiting
    /// The body is complete (trailers in `requestTrailers`).
    case end
    /// Too large, malformed, cut short or too slow: the server has answered and closes.
    case rejected
}
