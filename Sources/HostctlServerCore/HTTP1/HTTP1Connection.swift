import CHostctlLinux
import Glibc
import HostctlCore
import HostctlHTTP1
import HostctlHosting
import HostctlSystem

/// The HTTP/1.1 driver of one connection: heads, chunked coding, keep-alive and pipelining
/// over the bytes its transport moves. Each request runs through an `HTTPExchange`, the
/// rules every HTTP version shares; this type frames what the exchange reads and writes.
/// It owns no descriptor; the transport calls it and it asks the transport to send and close.
///
/// The app's side runs in one task per busy connection, on the connection's loop (its
/// task executor), started at the connection's first request and ended after it has
/// been idle a moment; parsing and writing stay synchronous on the loop thread, and the
/// task is resumed once per batch of received bytes, not once per request.
///
/// Thread confinement: every member is touched only on the loop's thread (transport
/// callbacks, the heartbeat, and the task, which runs on the loop's executor), which is
/// why the class may be marked `@unchecked Sendable`.
final class HTTP1Connection: ServedConnection, @unchecked Sendable {
    let transport: ConnectionTransport
    let loop: EventLoopContext
    let state: LoopState
    /// The server core outlives every connection it accepted (it waits for them all to close
    /// before it goes), so no reference count needs checking on this hot reference.
    unowned(unsafe) let core: HTTPServerCore
    let id: UInt64
    /// Inlined: a call would copy the whole struct (a memcpy) for the one field wanted.
    @inline(__always) var settings: ConnectionSettings { core.settings }
    /// HTTP.sys's extras for this connection's exchanges; nil unless the core applies them.
    var extras: HTTPSysExchangeExtras? { lentExtras?.object }
    let lentExtras: Lent<HTTPSysExchangeExtras>?
    /// The endpoint speaks HTTP/2 too: a client that opens with HTTP/2's preface gets it.
    let acceptsHTTP2Preface: Bool

    // Input
    @exclusivity(unchecked) var inbound: ByteBuffer?
    @exclusivity(unchecked) var inputEnded = false
    @exclusivity(unchecked) var readingPaused = false
    /// Every byte received on the connection, for the minimum body rate.
    @exclusivity(unchecked) var totalBytesReceived = 0
    /// When the connection last finished a response (or opened): the keep-alive clock.
    @exclusivity(unchecked) var idleSince: Int64

    // Requests
    @exclusivity(unchecked) var request: HTTP1RequestState?
    @exclusivity(unchecked) var inRequest = false
    @exclusivity(unchecked) var requestCount: UInt64 = 0
    @exclusivity(unchecked) var keepAlive = true
    @exclusivity(unchecked) var connectionInfo: ConnectionInfo?
    /// The request in progress is a forwarder's (`HTTP1ForwardingHandler`), or the
    /// connection is its tunnel after a 101; no task runs for it.
    @exclusivity(unchecked) var forwarded = ForwardedState.none
    /// The forwarder's final response head is in the output.
    @exclusivity(unchecked) var forwardedResponseStarted = false
    /// Serving forwarded requests, the connection keeps its request state through idleness
    /// as a parked task would, until the heartbeat retires it.
    @exclusivity(unchecked) var keepsIdleState = false
    /// Bytes in and out when a tunnel's traffic was last seen (its idle clock).
    @exclusivity(unchecked) var tunnelTrafficSeen = 0

    // Output
    @exclusivity(unchecked) var outbound: ByteBuffer?
    @exclusivity(unchecked) var spare: ByteBuffer?
    /// The buffer the transport is sending; it consumes the buffer as bytes go out, so its
    /// readable count is what is still unsent.
    @exclusivity(unchecked) var inFlight: ByteBuffer?
    /// A file region is going out through the transport (it holds the send slot).
    @exclusivity(unchecked) var fileInFlight = false
    /// The connection ends once its output is sent: it takes no more requests.
    @exclusivity(unchecked) var closeWhenSent = false
    /// The minimum response rate, watched while a send is pending.
    @exclusivity(unchecked) var responseRate = ResponseRateWatch()

    // The task
    @exclusivity(unchecked) var task: Task<Void, Never>?
    @exclusivity(unchecked) var waiter: UnsafeContinuation<Void, Never>?
    @exclusivity(unchecked) var waitingFor = ExchangeWait.nothing
    @exclusivity(unchecked) var retireRequested = false

    // Lifecycle
    @exclusivity(unchecked) var closed = false
    @exclusivity(unchecked) var draining = false
    @exclusivity(unchecked) var abortReason: String?

    init(transport: ConnectionTransport, loop: EventLoopContext, state: LoopState, core: HTTPServerCore, id: UInt64, acceptsHTTP2Preface: Bool = false) {
        self.transport = transport
        self.loop = loop
        self.state = state
        self.core = core
        self.id = id
        self.acceptsHTTP2Preface = acceptsHTTP2Preface
        self.idleSince = loop.now
        lentExtras = core.extras.map { Lent(HTTPSysExchangeExtras(server: $0, acceptedAt: state.stampClock.now(), clock: state.stampClock)) }
    }

    // MARK: ConnectionHandler: input

    func receiveBuffer() -> ByteBuffer? {
        guard !closed, !inputEnded else { return nil }
        let buffer: ByteBuffer
        if let inbound {
            buffer = inbound
        } else {
            buffer = ByteBuffer(capacity: 4096)
            inbound = buffer
        }
        if unconsumedInput(buffer) >= settings.maxRequestBufferSize {
            readingPaused = true
            core.log.paused(id)
            return nil
        }
        if !inRequest || forwarded == .tunnel {
            buffer.compact()  // no request points into the buffer: safe to move bytes
        } else {
            compactBodyGap(buffer)
        }
        buffer.reserveWritable(4096)
        return buffer
    }

    func didReceive(_ count: Int) {
        totalBytesReceived += count
        if !inRequest { lentExtras?.with { $0.withTimeline { $0.requestBytesArrived(at: loop.now) } } }
        if forwarded != .none { return forwardedInputArrived() }
        if waiter != nil {
            resumeTask()
        } else if task == nil, !inRequest {
            startRequestIfReady()
        }
    }

    /// Bytes the connection holds that nothing has consumed: the receive-buffer limit counts these.
    func unconsumedInput(_ buffer: ByteBuffer) -> Int {
        guard inRequest, forwarded != .tunnel, let request else { return buffer.readableCount }
        return buffer.writerIndex - request.body.cursor + request.body.pending.count
    }

    func inputClosed() {
        inputEnded = true
        if forwarded == .tunnel { return forwardedInputArrived() }
        if inRequest, !(request?.exchange.response.completed ?? true) {
            abort(reason: "The client closed the connection.")
        } else if waiter != nil {
            resumeTask()
        } else if task == nil {
            closeAfterSending()
        }
    }

    func connectionFailed(errno: Int32) {
        if errno == ECONNRESET { core.log.reset(id) }
        if inRequest { core.log.endedAbnormally(id) }
        abort(reason: "The connection was reset by the client (errno \(errno)).")
    }

    func transportClosed() {
        guard !closed else { return }
        closed = true
        core.log.stopped(id)
        // Nothing a request holds may outlive its connection, whatever state it was in.
        signalAbort(reason: abortReason ?? "The connection was closed.")
        core.connectionClosed(self, on: state)
        if task == nil { releaseIdleMemory() }
    }

    // MARK: ConnectionHandler: output

    func fileSendCompleted(error: Int32?) {
        fileInFlight = false
        if responseRate.isObserving { responseRate.pause(now: loop.now, sentCount: transport.sentByteCount) }
        if let error {
            abort(reason: "Sending a file failed (errno \(error)).")
            return
        }
        if waitingFor == .file { resumeTask() }
        sendOutput()
    }

    func sendCompleted(_ buffer: ByteBuffer) {
        if responseRate.isObserving { responseRate.pause(now: loop.now, sentCount: transport.sentByteCount) }
        inFlight = nil
        buffer.clear()
        if spare == nil { spare = buffer }
        sendOutput()
        if waitingFor == .writable, pendingOutput <= settings.maxResponseBufferSize { resumeTask() }
        if forwarded != .none, pendingOutput <= settings.maxResponseBufferSize { request?.forwarder?.clientOutputDrained() }
        // On a completion transport every send ends here, after the request did: an idle
        // connection must not keep the buffer (as it would not on epoll, where it came back at once).
        if task == nil, !inRequest, inFlight == nil, !closed, !keepsIdleState { releaseIdleMemory() }
    }

    /// Output buffered and in flight.
    var pendingOutput: Int { (outbound?.readableCount ?? 0) + (inFlight?.readableCount ?? 0) }

    /// Hands buffered output to the transport (one send in flight at a time).
    func sendOutput() {
        guard !closed, inFlight == nil, !fileInFlight, let buffer = outbound, !buffer.isEmpty else {
            if closeWhenSent, inFlight == nil, !fileInFlight, outbound?.isEmpty ?? true { transport.close() }
            return
        }
        outbound = spare
        spare = nil
        if let returned = transport.send(buffer) {
            returned.clear()
            if outbound == nil { outbound = returned } else if spare == nil { spare = returned }
            if closeWhenSent, outbound?.isEmpty ?? true { transport.close() }
        } else if !closed {
            inFlight = buffer
        }
    }

    /// The buffer to append output to.
    var output: ByteBuffer {
        if let outbound { return outbound }
        let buffer = spare ?? ByteBuffer(capacity: 4096)
        spare = nil
        outbound = buffer
        return buffer
    }

    // MARK: Closing

    /// Sends what is buffered, then closes; no request after this one is taken.
    func closeAfterSending() {
        guard !closed else { return }
        if !closeWhenSent { core.log.disconnecting(id) }
        closeWhenSent = true
        inputEnded = true
        sendOutput()
    }

    /// Ends the connection now: the request in flight is aborted and unsent output dropped.
    func abort(reason: String) {
        guard !closed else { return }
        if abortReason == nil { core.log.disconnecting(id) }
        if abortReason == nil { abortReason = reason }
        signalAbort(reason: reason)
        transport.close()
    }

    /// Tells the request in flight it is over: its exchange fails what it waits on, the
    /// task is cancelled and woken.
    func signalAbort(reason: String) {
        if abortReason == nil { abortReason = reason }
        request?.exchange.signalAbort(reason: abortReason ?? reason)
        if forwarded != .none {
            forwarded = .none
            request?.forwarder?.requestAborted(reason: abortReason ?? reason)
        }
        task?.cancel()
        if waiter != nil { resumeTask() }
    }

    // MARK: The task

    func resumeTask() {
        guard let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }

    /// Suspends the connection's task until input, writability or a timeout resumes it.
    func park(for reason: ExchangeWait) async {
        waitingFor = reason
        await withUnsafeContinuation { waiter = $0 }
        waitingFor = .nothing
    }

    /// Buffers go back to the allocator once nothing is in flight, so idle connections hold none.
    func releaseIdleMemory() {
        state.releasedSinceTrim += 1
        if let inbound, inbound.isEmpty { inbound.release(); self.inbound = nil }
        if inFlight == nil {
            if outbound?.isEmpty ?? true { outbound = nil }
            spare = nil
        }
        if closed || !inRequest, let request {
            request.exchange.pendingBody = nil
            // The context points back at this connection (its request reads the head from
            // here, its response writes to the exchange): detaching breaks that cycle.
            request.exchange.detach()
            if closed || request.headStartedAt == nil {
                self.request = nil
                connectionInfo = nil  // rebuilt (with the same id) by the next request
            }
        }
    }
}
