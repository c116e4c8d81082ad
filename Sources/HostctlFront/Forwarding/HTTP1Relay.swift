import Glibc
import HostctlCore
import HostctlHTTP1
import HostctlHosting
import HostctlServerCore
import HostctlTransport

/// The forwarding path of one HTTP/1.1 client connection: its requests go to the app from
/// their parsed heads, and the app's answers come back as bytes, with no `HTTPContext`, no
/// middleware and no task (`HTTP1ForwardingHandler`). The server's HTTP/1.1 driver parses,
/// frames and times the client's side; an `AppConnection` from the loop's pool carries the
/// app's; this relays between them.
///
/// Event-driven and level-triggered: every event (client bytes, client output drained, app
/// bytes, app send done, app closed, a timeout, the endpoint found) leads to `advance()`,
/// which looks at both sides and does what can be done now — so an event that arrives
/// while it runs (a send that fails inside the call, the next pipelined request starting as
/// this one finishes) only asks for another look. Both bodies stream: the side that is
/// ahead waits for the other, so neither buffer grows past its limit.
///
/// - Request: the head is edited in one pass (`ForwardedRequestHead.write(parsed:…)`); the
///   body, decoded by the driver under the server's limits, is copied to the app in sends
///   of up to `sendSize`, chunk-framed again when it came chunked.
/// - Response: interim heads (100, 103) are relayed as they come (to HTTP/1.1 clients); the
///   final head is edited in one pass (`RelayedResponseHead`), and the body is relayed as
///   received when the client can take the app's framing, else decoded and framed again
///   (chunked, or until the close for HTTP/1.0), or rewritten by the response body transform.
/// - Upgrade: a 101 to a request that asked for one turns both connections into a tunnel
///   (`HTTP1Relay+Tunnel`).
///
/// Hook points: the endpoint is taken at the start (`AppEndpointSource.endpointIfRunning()`,
/// else `endpoint()`) and given back with `release(_:)` when the request (or its tunnel) is
/// over; responses pass `ForwardingOptions.responseBodyTransform`; requests for paths
/// `ForwardingOptions.handledByFront` claims are left to the front's pipeline.
///
/// Loop-confined: every member is touched on the client connection's loop thread only.
final class HTTP1Relay: HTTP1RequestForwarder, AppConnectionUser, @unchecked Sendable {
    /// Bytes of request body (or tunnel bytes) gathered per send to the app.
    static let sendSize = 64 * 1024

    enum Phase: Equatable {
        case idle
        /// A request was taken; nothing asked of the app yet.
        case starting
        /// Waiting for `AppEndpointSource.endpoint()` (the app is starting).
        case acquiring
        /// `endpoint()` answered (`acquired` holds the answer).
        case acquired
        /// The head is on its way to the app: body up, response back.
        case exchanging
        /// After a 101: bytes both ways.
        case tunnel
    }

    /// The driver outlives its forwarder (it drops the forwarder before it goes).
    unowned(unsafe) let client: any HTTP1ForwardingConnection
    let source: any AppEndpointSource
    let options: ForwardingOptions
    let pool: AppConnectionPool
    let loop: EventLoop
    let requestTimeout: Int64

    // The connection's, rendered once.
    /// The client's address as X-Forwarded-For takes it; empty for a Unix-socket client.
    private let clientAddress = ByteBuffer()
    private let scheme: StaticString
    /// Scratch for merging the client's own X-Forwarded-For and -Proto lists.
    private let forwardedFor = ByteBuffer()
    private let forwardedProto = ByteBuffer()

    // The request in progress.
    @exclusivity(unchecked) var phase = Phase.idle
    /// Counts requests, so an endpoint that arrives for an earlier one is only given back.
    @exclusivity(unchecked) private var serial = 0
    @exclusivity(unchecked) private var acquired: Result<AppEndpoint, FrontUnavailable>?
    @exclusivity(unchecked) var endpoint: AppEndpoint?
    @exclusivity(unchecked) var app: AppConnection?
    @exclusivity(unchecked) var method = HTTPMethod.get
    @exclusivity(unchecked) var clientVersion = HTTPVersion.http1_1
    @exclusivity(unchecked) var chunkedUpload = false
    /// The whole request, head and body, has been handed to the app connection.
    @exclusivity(unchecked) var requestSent = false
    /// The client waits for a 100 before its body (its time waiting is not the body's rate).
    @exclusivity(unchecked) var awaitsContinue = false
    /// The request asks to switch protocols, and the front passed that on.
    @exclusivity(unchecked) var upgrade = false
    @exclusivity(unchecked) var parser = HTTP1ResponseHeadParser()
    /// Set once the final response head is in the client's output.
    @exclusivity(unchecked) var responseBody: HTTP1ResponseBodyDecoder?
    @exclusivity(unchecked) var bodyOutput = BodyOutput.asReceived
    @exclusivity(unchecked) var rewriter: (any ResponseBodyRewriter)?
    @exclusivity(unchecked) var appKeepsConnection = false

    // Re-entrancy (see the type's comment).
    @exclusivity(unchecked) private var advancing = false
    @exclusivity(unchecked) private var needsAnotherLook = false
    @exclusivity(unchecked) private var abortedWhileAdvancing = false

    /// How response body bytes go to the client.
    enum BodyOutput {
        /// The app's bytes as received, framing included.
        case asReceived
        /// Decoded, as they are (a length of the front's, or until the close).
        case plain
        /// Decoded, in chunks of the front's.
        case chunked
    }

    init(client: any HTTP1ForwardingConnection, source: any AppEndpointSource, options: ForwardingOptions, pool: AppConnectionPool, loop: EventLoop) {
        self.client = client
        self.source = source
        self.options = options
        self.pool = pool
        self.loop = loop
        requestTimeout = options.requestTimeout.nanoseconds
        scheme = client.scheme == "https" ? "https" : "http"
        if let address = client.remoteAddress { ForwardedRequestHead.appendAddress(address, to: clientAddress) }
    }

    // MARK: HTTP1RequestForwarder

    func takesRequest() -> Bool {
        guard let handledByFront = options.handledByFront else { return true }
        var takes = true
        client.withRequestHead { head, bytes in
            takes = !handledByFront(UnsafeRawBufferPointer(rebasing: bytes[head.path]))
        }
        return takes
    }

    func startRequest() {
        serial &+= 1
        phase = .starting
        step()
    }

    func clientInputArrived() { step() }

    func clientOutputDrained() { step() }

    func requestAborted(reason: String) {
        if advancing {
            abortedWhileAdvancing = true
        } else {
            dropRequest()
        }
    }

    func appConnectionChanged() { step() }

    // MARK: Advancing

    /// Looks at both sides and does what can be done, again while events arrived meanwhile.
    private func step() {
        if advancing {
            needsAnotherLook = true
            return
        }
        advancing = true
        repeat {
            needsAnotherLook = false
            if abortedWhileAdvancing { break }
            advance()
        } while needsAnotherLook
        advancing = false
        if abortedWhileAdvancing {
            abortedWhileAdvancing = false
            dropRequest()
        }
    }

    private func advance() {
        switch phase {
        case .idle, .acquiring:
            return
        case .starting:
            start()
        case .acquired:
            guard let answer = acquired else { return }
            acquired = nil
            switch answer {
            case .success(let endpoint):
                begin(with: endpoint)
            case .failure(let page):
                phase = .exchanging  // answered as any response is
                respond(status: page.status, contentType: page.contentType, body: page.body)
            }
        case .exchanging:
            if !requestSent { sendRequestBody() }
            if phase == .exchanging { relayResponse() }
        case .tunnel:
            pumpTunnel()
        }
    }

    /// A request was taken: check its declared length, then find the app.
    private func start() {
        var framing = HTTP1BodyFraming.none
        client.withRequestHead { head, bytes in
            method = head.method
            clientVersion = head.version
            awaitsContinue = head.expectsContinue
            upgrade = head.connectionUpgrade && head.framing == .none && head.version == .http1_1
                && Self.upgradeIsForwarded(head, bytes)
            framing = head.framing
        }
        chunkedUpload = framing == .chunked
        requestSent = framing == .none
        if framing != .none {
            // The first read fixes the size limit: a declared length over it is 413 now, as
            // for an app reading the body, before the app is even asked.
            if client.readRequestBody({ _ in 0 }) == .rejected { return dropRequest() }
        }
        if let endpoint = source.endpointIfRunning() { return begin(with: endpoint) }
        phase = .acquiring
        let serial = self.serial, source = self.source
        Task(executorPreference: loop.taskExecutor) { [self] in
            let answer: Result<AppEndpoint, FrontUnavailable>
            do throws(FrontUnavailable) { answer = .success(try await source.endpoint()) } catch { answer = .failure(error) }
            endpointArrived(answer, for: serial)
        }
    }

    /// `endpoint()` answered, on the loop (the app has started, or cannot be had).
    private func endpointArrived(_ answer: Result<AppEndpoint, FrontUnavailable>, for serial: Int) {
        guard serial == self.serial, phase == .acquiring else {
            if case .success(let endpoint) = answer { source.release(endpoint) }
            return
        }
        acquired = answer
        phase = .acquired
        step()
    }

    /// Sends the head to the app on a pooled connection; the body and the response follow.
    private func begin(with endpoint: AppEndpoint) {
        self.endpoint = endpoint
        phase = .exchanging
        let app: AppConnection
        do {
            app = try pool.checkOut(for: endpoint, user: self)
        } catch {
            return fail(.noConnection(error.description))
        }
        self.app = app
        guard let out = app.outbound else { return fail(.connectionLost(errno: nil)) }
        let additions = ForwardedRequestHead.Additions(
            client: clientAddress.readableBytes,
            scheme: UnsafeRawBufferPointer(start: scheme.utf8Start, count: scheme.utf8CodeUnitCount),
            tokenLine: app.tokenLine.readableBytes, appPort: endpoint.port, upgrade: upgrade
        )
        client.withRequestHead { head, bytes in
            ForwardedRequestHead.write(
                parsed: head, bytes, adding: additions, forwardedFor: forwardedFor, forwardedProto: forwardedProto, into: out
            )
        }
        app.deadline = loop.now + requestTimeout
        // A bodiless head waits for the loop's batch of events to end, so the app wakes once
        // for all the requests of the batch; a body goes with its head.
        if requestSent { app.flushAfterEvents() } else { sendRequestBody() }
    }

    // MARK: Ending

    /// The response is complete: the app connection goes back to the pool (kept if both
    /// sides left it in step), the endpoint is given back, and the driver goes on.
    func finish(appConnectionReusable: Bool) {
        if let app { pool.checkIn(app, reusable: appConnectionReusable) }
        endRequest()
        client.finishRequest()  // the next request may start during this call
    }

    /// The request is over without a response from here (the server answered it, or the
    /// client is gone): the app connection is closed, unless it was never used.
    func dropRequest() {
        guard phase != .idle else { return }
        if let app { pool.checkIn(app, reusable: false) }
        endRequest()
    }

    private func endRequest() {
        if let endpoint { source.release(endpoint) }
        endpoint = nil
        acquired = nil
        app = nil
        responseBody = nil
        rewriter = nil
        parser.reset()
        phase = .idle
    }

    /// What went wrong with the app: a page of the front's while the response has not
    /// started, else the client's connection is cut (as the app's own failure would be).
    func fail(_ failure: ForwardingFailure) {
        if failure.suggestsAppIsDown, let endpoint { source.connectionFailed(endpoint) }
        if responseBody != nil || phase == .tunnel {
            let reason = failure.description
            dropRequest()
            client.abort(reason: reason)
            return
        }
        // The client may still be sending a body that nobody will read.
        if !requestSent { client.closeAfterResponse() }
        respond(status: failure.status, contentType: "text/plain; charset=utf-8", body: Array(failure.page.utf8))
    }

    /// A whole response of the front's own (a failure's page, the source's page), through
    /// the response body transform like any other.
    private func respond(status: Int, contentType: String, body: [UInt8]) {
        var fields = HTTPFields()
        fields["Content-Type"] = contentType
        var page = body
        if let transform = options.responseBodyTransform, let rewriter = transform.rewriter(status: status, fields: fields, isHead: method == .head) {
            page.removeAll(keepingCapacity: true)
            body.withUnsafeBytes { input in rewriter.feed(input) { page.append(contentsOf: $0) } }
            rewriter.finish { page.append(contentsOf: $0) }
        }
        page.withUnsafeBytes { client.respond(status: status, fields: fields, body: $0) }
        finish(appConnectionReusable: false)
    }

    /// The app connection's state, as a failure, when it can no longer carry the exchange.
    func appProblem(_ app: AppConnection) -> ForwardingFailure? {
        if app.timedOut { return .timedOut(seconds: requestTimeout / 1_000_000_000) }
        guard app.failure != nil || app.isClosed || app.isClosing else { return nil }
        if !app.isEstablished { return .connectFailed(errno: app.failure ?? ECONNREFUSED) }
        return .connectionLost(errno: app.failure)
    }

    // MARK: Upgrades

    /// Upgrades the front passes on: any but h2c alone (HTTP/2 is the front's business at
    /// the edge, and the app is spoken to in HTTP/1.1).
    private static func upgradeIsForwarded(_ head: borrowing HTTP1RequestHead, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offered = false
        for field in head.fields where field.name.count == 7 {
            guard ASCII.equalsLowercased(UnsafeRawBufferPointer(rebasing: bytes[field.name]), "upgrade") else { continue }
            HTTP1ListElements.forEach(bytes.baseAddress!, field.value) { name in
                if !ASCII.equalsLowercased(name, "h2c") { offered = true }
            }
        }
        return offered
    }
}
