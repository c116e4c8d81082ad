import HostctlCore
import HostctlHPACK
import HostctlHTTP2
import HostctlHosting
import HostctlSystem

/// The HTTP/2 driver of one connection, over the codec's state machine: the transport calls
/// it with bytes, it feeds them to the machine and turns the machine's events into streams,
/// each a request in an `HTTPExchange` of its own, many in flight at once, the same app code
/// as over HTTP/1.1. It owns no descriptor; the transport calls it and it asks the transport
/// to send and close.
///
/// Tasks: a stream's request runs on a worker, a task on the connection's loop that takes
/// queued streams one after another and parks between them; a connection keeps the workers
/// it needed (as many as streams ran at once) until it has been idle a moment, so a new
/// stream resumes a parked task rather than creating one. Parsing, framing and flow control
/// stay synchronous on the loop thread.
///
/// Output: every frame goes into one buffer, sent once per batch of events (`scheduleFlush`),
/// one send in flight. Response bodies are framed as the peer's windows allow and while the
/// output holds less than `outputHighWater`; what does not fit waits in its stream, and the
/// app's writes wait (`.writable`) while their stream holds more than the response buffer
/// limit: backpressure from the peer's windows and its reading, to the app.
///
/// Thread confinement: every member is touched only on the loop's thread (transport
/// callbacks, the heartbeat, and the workers, which run on the loop's executor).
final class HTTP2Connection: ServedConnection, @unchecked Sendable {
    let transport: ConnectionTransport
    let loop: EventLoopContext
    let state: LoopState
    /// The server core outlives every connection it accepted.
    unowned(unsafe) let core: HTTPServerCore
    let id: UInt64
    let machine: HTTP2ConnectionStateMachine
    /// "https" over TLS, else "http": what every request's :scheme must say.
    let scheme: String
    /// For HTTP.sys's request timing.
    let acceptedAt: Int64
    /// Inlined: a call would copy the whole struct (a memcpy) for the one field wanted.
    @inline(__always) var settings: ConnectionSettings { core.settings }

    /// Response bytes framed into the output beyond this wait in their streams until a send
    /// completes: the output stays small however large the peer's windows.
    static let outputHighWater = 64 * 1024

    // Input
    @exclusivity(unchecked) var inbound: ByteBuffer?
    /// Reading stopped: the machine waits for its replies to be sent (a flood of PINGs).
    @exclusivity(unchecked) var readingPaused = false
    @exclusivity(unchecked) var inputEnded = false

    // Output
    @exclusivity(unchecked) var outbound: ByteBuffer?
    @exclusivity(unchecked) var spare: ByteBuffer?
    /// The buffer the transport is sending (its readable count is what is still unsent).
    @exclusivity(unchecked) var inFlight: ByteBuffer?
    @exclusivity(unchecked) var flushScheduled = false
    /// Streams whose app returned since the output was last sent: past
    /// `settings.http2EarlyFlushStreams`, with more queued, a worker sends before going on.
    @exclusivity(unchecked) var streamsServedSinceSend = 0
    @exclusivity(unchecked) var closeWhenSent = false
    /// Made once: scheduling a flush then allocates nothing. Holds the connection, until
    /// `transportClosed` lets it go.
    @exclusivity(unchecked) var flushWork: (() -> Void)?
    /// The minimum response rate, watched per connection: while a send is pending or response
    /// bytes wait for windows the client does not open.
    @exclusivity(unchecked) var responseRate = ResponseRateWatch()

    // Streams
    /// The streams the app has or that still send, by id (ids only grow, so appending keeps
    /// the order).
    @exclusivity(unchecked) var streams: [HTTP2Stream] = []
    /// Finished streams kept for the next ones, with their exchange and context.
    @exclusivity(unchecked) var spareStreams: [HTTP2Stream] = []
    /// Streams waiting for a worker, first come first served; the id tells a stale entry
    /// (a stream reset while queued and reused since) from a live one.
    @exclusivity(unchecked) var readyStreams: [(stream: HTTP2Stream, id: HTTP2StreamID)] = []
    @exclusivity(unchecked) var readyStart = 0
    /// Streams with response bytes (or their end) still to frame.
    @exclusivity(unchecked) var streamsAwaitingFraming: [HTTP2Stream] = []
    /// Streams whose app waits for room to write.
    @exclusivity(unchecked) var writableWaiters = 0
    /// When the last stream finished (or the connection opened): the keep-alive clock.
    @exclusivity(unchecked) var idleSince: Int64
    @exclusivity(unchecked) var connectionInfo: ConnectionInfo?

    // Workers
    @exclusivity(unchecked) var idleWorkers: [HTTP2Worker] = []
    /// Workers created or resumed that have not run yet: the streams they will take.
    @exclusivity(unchecked) var wokenWorkers = 0
    @exclusivity(unchecked) var workerCount = 0
    /// Streams queued behind a woken worker get workers of their own at the end of the
    /// loop's turn, if that worker left them (`wakeWorkersForWaitingStreams`).
    @exclusivity(unchecked) var wakeCheckScheduled = false
    /// Made once, as `flushWork`; holds the connection until `transportClosed`.
    @exclusivity(unchecked) var wakeCheckWork: (() -> Void)?

    // Lifecycle
    @exclusivity(unchecked) var closed = false
    @exclusivity(unchecked) var abortReason: String?

    init(transport: ConnectionTransport, loop: EventLoopContext, state: LoopState, core: HTTPServerCore, id: UInt64, input: ByteBuffer?) {
        self.transport = transport
        self.loop = loop
        self.state = state
        self.core = core
        self.id = id
        let tls = transport.tls != nil
        scheme = tls ? "https" : "http"
        machine = HTTP2ConnectionStateMachine(limits: core.settings.http2Limits, transportScheme: tls ? "https" : "http")
        acceptedAt = state.stampClock.now()
        idleSince = loop.now
        inbound = input
    }

    /// Writes the server's preface (SETTINGS, the connection window) and reads what an
    /// HTTP/1.1 driver handed over; sends go out after the current batch of events, once the
    /// transport delivers to this driver.
    func start() {
        machine.start(now: loop.now, output: output)
        if inbound != nil { processInput() }
        scheduleFlush()
    }

    /// A connection HTTP/2 must not run on (TLS it forbids): GOAWAY with `code`, then close.
    func refuse(_ code: HTTP2ErrorCode, message: String) {
        abortReason = message
        machine.abort(code, message: message, output: output)
        closeAfterSending()
    }

    // MARK: ConnectionHandler: input

    func receiveBuffer() -> ByteBuffer? {
        guard !closed, !inputEnded, !readingPaused else { return nil }
        let buffer: ByteBuffer
        if let inbound {
            buffer = inbound
            buffer.compact()
        } else {
            buffer = ByteBuffer(capacity: 4096)
            inbound = buffer
        }
        // A frame the machine waits for must fit whole.
        let partial = buffer.readableCount
        buffer.reserveWritable(partial == 0 ? 1024 : max(1024, machine.minimumInputCapacity - partial))
        return buffer
    }

    func didReceive(_ count: Int) {
        processInput()
    }

    /// Hands the received bytes to the machine, event by event.
    func processInput() {
        guard let inbound, !closed else { return }
        let output = self.output
        while !closed, let event = machine.nextEvent(from: inbound, output: output) {
            handle(event)
        }
        if machine.isWaitingForOutput { readingPaused = true }
        scheduleFlush()
    }

    private func handle(_ event: HTTP2Event) {
        switch event {
        case .requestHead(let id, let head, let endStream):
            openStream(id, head: head, endStream: endStream)
        case .data(let id, let bytes, let endStream):
            received(bytes, endStream: endStream, on: id)
        case .trailers(let id, let trailers):
            receivedTrailers(trailers, on: id)
        case .streamReset(let id, let error):
            guard let stream = stream(id) else { return }
            streamWasReset(stream, reason: error.description)
        case .windowOpened, .settingsChanged:
            break  // the flush after these events frames what waits
        case .goAway:
            closeIfDone()
        case .connectionError(let error):
            fail(reason: error.description)
        }
    }

    /// DATA for a stream: kept for its app, or (the app is done with the request) given back
    /// to the client's windows at once.
    private func received(_ bytes: UnsafeRawBufferPointer, endStream: Bool, on id: HTTP2StreamID) {
        guard let stream = stream(id) else {
            machine.dataConsumed(bytes.count, stream: id, output: output)
            return
        }
        stream.requestBodyReceived += bytes.count
        if endStream { stream.requestEnded = true }
        guard stream.phase == .queued || stream.phase == .running, !stream.isReset else {
            machine.dataConsumed(bytes.count, stream: id, output: output)
            if stream.phase == .draining, stream.requestEnded || stream.requestBodyReceived > settings.maxRequestBodySize ?? Int.max {
                finish(stream)
            }
            return
        }
        if !bytes.isEmpty {
            let body: ByteBuffer
            if let existing = stream.requestBody {
                body = existing
            } else {
                body = ByteBuffer(capacity: max(4096, bytes.count))
                stream.requestBody = body
            }
            body.append(bytes)
        }
        if stream.waitingFor == .body { stream.wake() }
    }

    /// The request's trailers: they end its body.
    private func receivedTrailers(_ trailers: HPACKHeaderList, on id: HTTP2StreamID) {
        guard let stream = stream(id) else {
            machine.recycle(trailers)
            return
        }
        stream.requestEnded = true
        guard stream.phase == .queued || stream.phase == .running, !stream.isReset else {
            machine.recycle(trailers)
            if stream.phase == .draining { finish(stream) }
            return
        }
        stream.requestTrailers = trailers
        if stream.waitingFor == .body { stream.wake() }
    }

    /// The app read `count` octets of a stream's body: the client may send that much more.
    func requestBodyConsumed(_ count: Int, on stream: HTTP2Stream) {
        guard count > 0, !closed else { return }
        machine.dataConsumed(count, stream: stream.id, output: output)
        scheduleFlush()
    }

    func inputClosed() {
        inputEnded = true
        // A request still arriving can never complete; the others may still be answered.
        for stream in streams where !stream.requestEnded && stream.phase != .finishing && stream.phase != .idle {
            streamWasReset(stream, reason: "The client closed the connection.")
        }
        closeIfDone()
    }

    func connectionFailed(errno: Int32) {
        abort(reason: "The connection was reset by the client (errno \(errno)).")
    }

    func transportClosed() {
        guard !closed else { return }
        closed = true
        let reason = abortReason ?? "The connection was closed."
        for stream in streams { stream.abandon(reason: reason) }
        // Streams whose app is done go now; running ones go when their app returns.
        for stream in streams where stream.phase != .running { finish(stream) }
        retireIdleWorkers()
        for stream in spareStreams { stream.discard() }
        spareStreams.removeAll()
        core.connectionClosed(self, on: state)
        inbound = nil
        outbound = nil
        spare = nil
        flushWork = nil
        wakeCheckWork = nil
    }

    // MARK: Streams by id

    /// The stream `id`, if it is still the driver's.
    func stream(_ id: HTTP2StreamID) -> HTTP2Stream? {
        index(of: id).map { streams[$0] }
    }

    func index(of id: HTTP2StreamID) -> Int? {
        var low = 0
        var high = streams.count
        while low < high {
            let middle = (low + high) >> 1
            let candidate = streams[middle].id
            if candidate == id { return middle }
            if candidate < id { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
