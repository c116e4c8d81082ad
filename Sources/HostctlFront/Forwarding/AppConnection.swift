import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// Who uses an app connection on the forwarding path (`HTTP1Relay`): told of everything that
/// happens on it, at once, on the loop's thread.
protocol AppConnectionUser: AnyObject {
    func appConnectionChanged()
}

/// One keep-alive HTTP/1.1 connection from the front to one run of the app, on one loop.
///
/// It moves bytes and tells the exchange using it; the exchange does the HTTP: on the
/// forwarding path an `HTTP1Relay`, called back at each event (`user`), on the pipeline's a
/// `ForwardingExchange`, woken in its task. Every member is touched on the loop's thread
/// only: transport callbacks, the pool's heartbeat, and the exchange, which runs on that
/// loop (so, as in the server's connections, no access needs a dynamic exclusivity check).
final class AppConnection: OutboundConnectionHandler {
    /// The app run this connection belongs to (`AppEndpoint.generation`).
    let generation: Int
    /// "x-hostctl-token: <that run's token>\r\n", as the forwarded heads carry it.
    let tokenLine = ByteBuffer()
    /// The pool closes its connections before its loop lets it go (`loopWillStop`).
    unowned(unsafe) let pool: AppConnectionPool
    @exclusivity(unchecked) var transport: ConnectionTransport?

    /// Bytes from the app the exchange has not consumed yet.
    let inbound = ByteBuffer(capacity: 16 * 1024)
    /// Where the exchange puts bytes to send; nil while the transport holds it for a send
    /// that has not finished (one send in flight: the backpressure towards the app).
    @exclusivity(unchecked) var outbound: ByteBuffer? = ByteBuffer(capacity: 16 * 1024)
    /// The response head is parsed into this, reused so its fields keep their capacity.
    @exclusivity(unchecked) var responseHead = HTTP1ResponseHead()
    /// Scratch for field values the front composes (X-Forwarded-For and -Proto).
    let forwardedFor = ByteBuffer()
    let forwardedProto = ByteBuffer()

    // What happened to the connection, as the exchange finds it after a wake-up.
    @exclusivity(unchecked) private(set) var isEstablished = false
    @exclusivity(unchecked) private(set) var inputEnded = false
    @exclusivity(unchecked) private(set) var failure: Int32?
    @exclusivity(unchecked) private(set) var isClosed = false
    /// `close()` was asked for; the transport tells `transportClosed` a moment later.
    @exclusivity(unchecked) private(set) var isClosing = false
    /// The client of the exchange went away (its request-aborted signal fired).
    @exclusivity(unchecked) private(set) var clientAborted = false
    /// No response head arrived before `deadline`.
    @exclusivity(unchecked) private(set) var timedOut = false

    /// When the exchange gives up waiting for the response head (loop-monotonic ns); nil once
    /// it arrived. A tunnel's idle limit, while it carries one.
    @exclusivity(unchecked) var deadline: Int64?
    /// Set while a tunnel waits for its client's bytes: news on this connection (the app's
    /// bytes, its end, the deadline) ends that wait too (`RequestBody.cancelPendingRead`).
    @exclusivity(unchecked) var interruptsClientWait = false
    /// In an exchange (checked out of the pool), or idle in it.
    var inUse: Bool { context != nil || user != nil }
    /// The loop time the connection went idle, for the pool's idle expiry.
    @exclusivity(unchecked) var idleSince: Int64 = 0
    /// Position in the pool's list of busy connections, for removal in O(1).
    @exclusivity(unchecked) var busySlot = -1

    @exclusivity(unchecked) private var context: HTTPContext?
    /// The forwarding path's exchange using the connection now; it outlives its use (it
    /// ends it before it goes).
    @exclusivity(unchecked) private unowned(unsafe) var user: (any AppConnectionUser)?
    /// Close once the bytes handed over have been sent (a tunnel whose client has ended).
    @exclusivity(unchecked) private var closesWhenSent = false
    @exclusivity(unchecked) private var readingPaused = false
    @exclusivity(unchecked) private var waiter: UnsafeContinuation<Void, Never>?
    /// Registered with each client request's abort signal. Made once per connection, so an
    /// exchange allocates nothing for it; it acts only if the request that fired is the one
    /// this connection is serving now (a context's callbacks outlive its request).
    private(set) lazy var abortCallback: () -> Void = { [weak self] in
        guard let self, let context = self.context, context.requestAborted.isAborted else { return }
        self.clientAborted = true
        self.close()
        self.wake()
    }

    /// Unconsumed input past which reading pauses until the exchange catches up (the client
    /// is slower than the app): what bounds the front's memory on a large download.
    static let maxBufferedInput = 256 * 1024

    init(endpoint: AppEndpoint, pool: AppConnectionPool) {
        self.generation = endpoint.generation
        tokenLine.append(string: "\(ForwardedRequestHead.tokenHeaderName): \(endpoint.token)\r\n")
        self.pool = pool
    }

    /// Nothing of an earlier exchange is left and nothing has gone wrong: another request may use it.
    var isReusable: Bool {
        isEstablished && !inputEnded && failure == nil && !isClosed && !isClosing && !clientAborted && !timedOut
            && inbound.isEmpty && outbound != nil
    }

    // MARK: Exchanges

    func beginExchange(for context: HTTPContext) {
        self.context = context
        context.requestAborted.onAbort(abortCallback)
    }

    func beginExchange(for user: any AppConnectionUser) {
        self.user = user
    }

    func endExchange() {
        context = nil
        user = nil
        deadline = nil
        interruptsClientWait = false
    }

    /// Whether the exchange may hand `outbound` more bytes now (none in flight, still open).
    var isWritable: Bool { outbound != nil && !isClosed && !isClosing }

    /// Suspends the exchange until something happens on the connection (or to its client).
    func wait() async {
        await withUnsafeContinuation { waiter = $0 }
    }

    private func wake() {
        if let user { return user.appConnectionChanged() }
        if interruptsClientWait { context?.request.body.cancelPendingRead() }
        guard let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }

    /// Sends `outbound` once the loop has handled its current batch of events, so the
    /// bodiless requests of one batch reach the app together and it wakes once for them
    /// rather than once each. For a request head with nothing after it; bodies use `flush()`.
    func flushAfterEvents() {
        guard !flushScheduled, let buffer = outbound, !buffer.isEmpty else { return }
        flushScheduled = true
        pool.flushAfterEvents(self)
    }

    /// The pool's batch flush reached this connection.
    func scheduledFlush() {
        flushScheduled = false
        flush()
    }

    @exclusivity(unchecked) private var flushScheduled = false

    /// Hands `outbound` to the transport; it comes back at once or with `sendCompleted`.
    func flush() {
        guard let buffer = outbound, !buffer.isEmpty, let transport, !isClosed, !isClosing else { return }
        outbound = nil
        if let returned = transport.send(buffer) {
            returned.clear()
            outbound = returned
        }
    }

    /// The exchange used `count` input bytes; reading resumes once there is room again.
    func consume(_ count: Int) {
        inbound.consume(count)
        if readingPaused, inbound.readableCount < Self.maxBufferedInput / 2 {
            readingPaused = false
            transport?.resumeReading()
        }
    }

    /// Sends what `outbound` holds, then closes (the peer gets everything, then the end).
    func closeAfterSending() {
        closesWhenSent = true
        flush()
        if outbound != nil { close() }
    }

    /// Closes the connection now (nothing more will be sent or received).
    func close() {
        guard !isClosing, !isClosed else { return }
        isClosing = true
        transport?.close()
    }

    /// The pool's heartbeat found the deadline passed.
    func timeOut() {
        timedOut = true
        wake()
    }

    // MARK: OutboundConnectionHandler

    func connectionEstablished() {
        isEstablished = true
        wake()
    }

    func receiveBuffer() -> ByteBuffer? {
        guard !isClosed, !isClosing else { return nil }
        if inbound.readableCount >= Self.maxBufferedInput {
            readingPaused = true
            return nil
        }
        if inbound.writableCount < 4096 {
            inbound.compact()
            inbound.reserveWritable(64 * 1024)
        }
        return inbound
    }

    func didReceive(_ count: Int) {
        // An idle connection has nothing to say; bytes now mean the app and the front no
        // longer agree on where a response ended.
        guard inUse else { return close() }
        wake()
    }

    func sendCompleted(_ buffer: ByteBuffer) {
        buffer.clear()
        outbound = buffer
        if closesWhenSent { close() }
        wake()
    }

    func inputClosed() {
        inputEnded = true
        if !inUse { close() }  // the app closed an idle connection: it is gone from the pool's point of view
        wake()
    }

    func connectionFailed(errno: Int32) {
        failure = errno
        wake()
    }

    func transportClosed() {
        isClosed = true
        transport = nil
        pool.connectionClosed(self)
        wake()
    }
}
