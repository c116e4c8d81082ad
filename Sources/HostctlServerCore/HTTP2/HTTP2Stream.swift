import HostctlCore
import HostctlHPACK
import HostctlHTTP2

/// One stream of an HTTP/2 connection: a request and its response, run through an
/// `HTTPExchange` as every HTTP/1.1 request is, so an app sees the same context either way.
/// The stream holds what the client sent until the app reads it, and what the app wrote
/// until the flow-control windows let the connection frame it.
///
/// A connection keeps finished streams, with their exchange and context, for its next
/// requests. Loop-confined, like its connection.
final class HTTP2Stream: @unchecked Sendable {
    enum Phase {
        /// Not in use (kept for a later stream).
        case idle
        /// Its head arrived; it waits for a worker.
        case queued
        /// The app has it.
        case running
        /// The app is done; response bytes are still waiting for the peer's windows.
        case finishing
        /// The response has left; the client is still sending a request body nobody reads,
        /// which is taken and dropped for a while (as HTTP/1.1 drains one) so the client can
        /// end its request without being reset.
        case draining
    }

    /// The connection owns its streams and outlives them.
    unowned(unsafe) let connection: HTTP2Connection
    /// Set once, right after init (the exchange needs the stream as its driver).
    @exclusivity(unchecked) private(set) var exchange: HTTPExchange<HTTP2Stream>!
    @exclusivity(unchecked) var id = HTTP2StreamID.connection
    @exclusivity(unchecked) var phase = Phase.idle
    /// The request's head, the state machine's until the stream is finished.
    @exclusivity(unchecked) var head: HTTP2RequestHead?
    /// The app sees a Host field made from :authority (HTTP/2 carries the host there).
    @exclusivity(unchecked) var synthesizesHost = false

    // The request body.
    /// Received and not yet read by the app.
    @exclusivity(unchecked) var requestBody: ByteBuffer?
    /// DATA octets received (the minimum body data rate counts these).
    @exclusivity(unchecked) var requestBodyReceived = 0
    /// The client ended its side (END_STREAM, with or without trailers).
    @exclusivity(unchecked) var requestEnded = false
    /// The request had no body at all (END_STREAM on its HEADERS).
    @exclusivity(unchecked) var requestHadNoBody = false
    @exclusivity(unchecked) var requestTrailers: HPACKHeaderList?
    @exclusivity(unchecked) var continueSent = false
    /// The app's request ended without a body failure or an abort: an unread rest of the body
    /// may be drained rather than refused.
    @exclusivity(unchecked) var mayDrainRequest = false
    @exclusivity(unchecked) var drainStartedAt: Int64 = 0

    // The response.
    /// Written by the app, not yet framed (the windows were closed, or it is small and may
    /// leave in one frame with END_STREAM).
    @exclusivity(unchecked) var responseBody: ByteBuffer?
    /// The app finished its response: END_STREAM (or the trailers) follows the body.
    @exclusivity(unchecked) var endRequested = false
    @exclusivity(unchecked) var responseTrailers: HTTPFields?
    /// END_STREAM is in the output: nothing more to frame.
    @exclusivity(unchecked) var endSent = false
    /// Listed in the connection's streams with output to frame.
    @exclusivity(unchecked) var awaitsFraming = false
    /// Reset (either way) or cut off with its connection: nothing more is sent or delivered.
    @exclusivity(unchecked) var isReset = false

    // The app's task.
    @exclusivity(unchecked) var worker: HTTP2Worker?
    @exclusivity(unchecked) var waiter: UnsafeContinuation<Void, Never>?
    @exclusivity(unchecked) var waitingFor = ExchangeWait.nothing

    init(connection: HTTP2Connection) {
        self.connection = connection
        let extras = connection.core.extras.map { Lent(HTTPSysExchangeExtras(server: $0, acceptedAt: connection.acceptedAt, clock: connection.state.stampClock)) }
        exchange = HTTPExchange(
            driver: self, core: connection.core, loop: connection.loop, state: connection.state, scheme: connection.scheme, extras: extras
        )
    }

    /// Takes the stream a new request opened.
    func open(_ id: HTTP2StreamID, head: HTTP2RequestHead, endStream: Bool) {
        self.id = id
        self.head = head
        phase = .queued
        requestEnded = endStream
        requestHadNoBody = endStream
        synthesizesHost = head.namesHostOnlyInAuthority
    }

    /// Back to unused, keeping what memory is worth keeping.
    func prepareForReuse() {
        phase = .idle
        head = nil
        requestTrailers = nil
        requestBodyReceived = 0
        requestEnded = false
        continueSent = false
        mayDrainRequest = false
        endRequested = false
        responseTrailers = nil
        endSent = false
        isReset = false
        worker = nil
        if let body = requestBody { body.capacity > 64 * 1024 ? body.release() : body.clear() }
        if let body = responseBody { body.capacity > 64 * 1024 ? body.release() : body.clear() }
    }

    /// Lets go of the exchange and its context (whose request reads its head from here, so
    /// the two hold each other): for a stream that is not kept.
    func discard() {
        exchange.detach()
        exchange = nil
    }

    // MARK: The app's task

    /// Suspends the app's task until the connection has news for it. A stream already over
    /// does not wait.
    func park(for reason: ExchangeWait) async {
        guard !isReset, !connection.closed else { return }
        waitingFor = reason
        if reason == .writable { connection.writableWaiters += 1 }
        await withUnsafeContinuation { waiter = $0 }
    }

    /// Resumes the app's task if it waits.
    func wake() {
        guard let waiter else { return }
        self.waiter = nil
        if waitingFor == .writable { connection.writableWaiters -= 1 }
        waitingFor = .nothing
        waiter.resume()
    }

    /// The stream is over before its response: it was reset, or its connection failed. The
    /// app is told (its reads and writes fail, its task is cancelled) and woken; what it
    /// wrote and nothing sent is dropped.
    func abandon(reason: String) {
        guard !isReset else { return }
        isReset = true
        responseBody?.clear()
        if phase == .running {
            exchange.signalAbort(reason: reason)
            worker?.task?.cancel()
            wake()
        }
    }

    // MARK: Framing

    /// Frames what the app wrote, within the windows and at most `quantum` octets, and
    /// END_STREAM or the trailers once everything before them is out. Returns whether
    /// anything is still to frame.
    func frameOutput(into output: ByteBuffer, quantum: Int) -> Bool {
        let machine = connection.machine
        guard !isReset else { return false }
        if let body = responseBody, !body.isEmpty {
            let count = min(body.readableCount, quantum)
            let last = endRequested && responseTrailers == nil && count == body.readableCount
            let written = machine.writeData(UnsafeRawBufferPointer(rebasing: body.readableBytes[..<count]), stream: id, endStream: last, output: output)
            body.consume(written)
            if last && written == count { endSent = true }
            if !body.isEmpty { return true }
        }
        guard endRequested, !endSent else { return false }
        endSent = true
        if let trailers = responseTrailers {
            do {
                try machine.writeTrailers(id, fields: trailers, output: output)
            } catch {
                machine.resetStream(id, code: .internalError, output: output)
                isReset = true
            }
        } else {
            _ = machine.writeData(UnsafeRawBufferPointer(start: nil, count: 0), stream: id, endStream: true, output: output)
        }
        return false
    }

    /// Nothing of the response is left to frame (or it will never be).
    var outputIsDone: Bool { isReset || endSent }

    /// An extended CONNECT (RFC 8441): a tunnel whose DATA flows both ways until either side
    /// ends; the minimum body rate, the body size limit and draining do not apply to it.
    var isExtendedConnect: Bool { head?.isExtendedConnect ?? false }
}

/// A task that runs streams' requests one after another, parked between them: a connection
/// keeps a few, so a new stream resumes one instead of creating a task.
final class HTTP2Worker: @unchecked Sendable {
    @exclusivity(unchecked) var task: Task<Void, Never>?
    /// Set while parked with no stream to run: resumed with false to end.
    @exclusivity(unchecked) var wakeup: UnsafeContinuation<Bool, Never>?
}
