import HostctlCore
import HostctlHTTP1
import HostctlHosting

extension HTTP1Connection {
    enum ParseOutcome { case ready, needMore, rejected, handedOver }

    /// Parses a head from the unread input, without waiting.
    func parseNext() -> ParseOutcome {
        let request: HTTP1RequestState
        if let current = self.request {
            request = current
        } else {
            request = makeRequestState()
            self.request = request
        }
        if request.headReady { return .ready }
        guard let inbound, !inbound.isEmpty else { return .needMore }
        do {
            if try request.parser.parse(inbound.readableBytes, into: &request.head) {
                request.headReady = true
                request.headStartedAt = nil
                return .ready
            }
            if request.headStartedAt == nil { request.headStartedAt = loop.now }
            return .needMore
        } catch {
            // HTTP/2's preface reads as a request line of version HTTP/2.0: only a failed first
            // request is looked at again, so requests that parse pay nothing for the check.
            if acceptsHTTP2Preface, requestCount == 0, handOverToHTTP2() { return .handedOver }
            reject(.parse(error.reason))
            return .rejected
        }
    }

    /// When the connection opened with HTTP/2's client preface ("PRI * HTTP/2.0\r\n…"),
    /// hands it, with the bytes read so far, to an HTTP/2 driver that the transport calls
    /// directly from now on; this driver is done. False when the bytes are not the preface.
    private func handOverToHTTP2() -> Bool {
        guard let inbound, HTTP2Preface.startsWithRequestLine(inbound.readableBytes) else { return false }
        self.inbound = nil
        request = nil
        closed = true  // inert: the transport no longer calls it, and nothing it holds is sent
        let successor = core.makeHTTP2Connection(transport: transport, loop: loop, state: state, id: id, input: inbound)
        transport.replaceHandler(with: successor)
        core.connectionHandedOver(from: self, to: successor, on: state)
        return true
    }

    private func makeRequestState() -> HTTP1RequestState {
        let exchange = HTTPExchange(
            driver: self, core: core, loop: loop, state: state, scheme: transport.tls == nil ? "http" : "https", extras: lentExtras
        )
        return HTTP1RequestState(limits: settings.parserLimits, exchange: exchange)
    }

    /// With no task running: start one if a whole head has arrived.
    func startRequestIfReady() {
        // A connection that is closing once its output is sent (Connection: close, a request
        // with both Content-Length and Transfer-Encoding, a rejected request) takes no more
        // requests, however many were pipelined behind: RFC 9112 §9.6 and §6.1.
        guard !closed, !closeWhenSent, !draining || request?.headStartedAt != nil else { return }
        switch parseNext() {
        case .ready:
            if core.forwards, let request, forwards(request) { return }
            // The task about to start is the queue a head waits in: stamp the parse before it.
            extras?.timeline?.headParsed()
            state.liveTasks += 1
            task = Task(executorPreference: loop.taskExecutor) { [self] in await serve() }
        case .needMore, .rejected:
            if inputEnded { closeAfterSending() }
        case .handedOver:
            break
        }
    }

    /// The connection's task: request after request until the connection closes, stops
    /// keeping alive, or has been idle long enough to retire.
    ///
    /// One async function with synchronous steps: it suspends only to wait for input, to
    /// run the app, and (rarely) to discard an unread body; every other step is a plain
    /// call, so a request costs no async frames beyond the app's own.
    func serve() async {
        while true {
            var next = nextRequestState()
            // With many connections on the loop, a task is not kept waiting for a next request
            // that may never come: idle keep-alive connections then hold no task at all.
            if next == .wait, state.liveTasks > settings.maxWaitingTasks, inbound?.isEmpty ?? true {
                sendOutput()
                break
            }
            while next == .wait {
                sendOutput()
                await park(for: .request)
                next = retireRequested ? .stop : nextRequestState()
            }
            guard next == .ready, let request else { break }
            if core.forwards, forwards(request) {
                // The forwarder has it: this task is not needed while it is under way.
                if inRequest { break } else { continue }
            }
            let exchange = request.exchange
            let contentLength = beginRequest(request)
            guard await exchange.process(
                method: request.head.method, version: request.head.version, contentLength: contentLength,
                hasBody: request.head.framing != .none, number: requestCount, connection: makeConnectionInfo()
            ) else { break }
            if needsDrain(request), await !drainBody(request) { keepAlive = false }
            guard endRequest() else { break }
        }
        task = nil
        state.liveTasks -= 1
        retireRequested = false
        if closed || !inRequest { releaseIdleMemory() }
        // Bytes that arrived as the task was ending start the next one.
        if !closed, !inRequest, let inbound, !inbound.isEmpty { startRequestIfReady() }
    }

    enum NextRequest { case ready, wait, stop }

    /// Whether a complete head is ready, more input is needed, or the task should end.
    private func nextRequestState() -> NextRequest {
        if closed || closeWhenSent || abortReason != nil { return .stop }
        switch parseNext() {
        case .ready:
            return .ready
        case .rejected, .handedOver:
            return .stop
        case .needMore:
            if inputEnded || (draining && request?.headStartedAt == nil) {
                closeAfterSending()
                return .stop
            }
            return .wait
        }
    }

    /// Sets up the body's framing for the parsed head; returns the declared length, if any.
    func beginRequest(_ request: HTTP1RequestState) -> Int? {
        inRequest = true
        requestCount += 1
        // `request.head` is read in place: a copy would retain its field array.
        keepAlive = request.head.wantsKeepAlive && !request.head.hadContentLengthAndTransferEncoding && !draining
        let framing = request.head.framing
        request.body.cursor = (inbound?.readerIndex ?? 0) + request.head.length
        var contentLength: Int?
        switch framing {
        case .none:
            request.body.finished = true
        case .contentLength(let length):
            contentLength = length
            request.body.decoder = HTTP1BodyDecoder(framing: framing, limits: settings.parserLimits)
        case .chunked:
            request.body.decoder = HTTP1BodyDecoder(framing: framing, limits: settings.parserLimits)
        }
        return contentLength
    }

    /// The connection as the app sees it, made on the first request after the connection
    /// went idle (with the same id) and kept while it is busy.
    private func makeConnectionInfo() -> ConnectionInfo {
        if let connectionInfo { return connectionInfo }
        let transport = self.transport
        let info = ConnectionInfo(
            id: ConnectionID.format(id), remote: transport.remoteAddress, local: { [weak transport] in transport?.localAddress }
        )
        info.tls = transport.tls
        connectionInfo = info
        return info
    }

    /// Whether the app left part of the body unread and the connection may still be kept by
    /// discarding it.
    private func needsDrain(_ request: HTTP1RequestState) -> Bool {
        guard !closed, abortReason == nil, !request.body.finished else { return false }
        if request.exchange.body.error != nil {
            keepAlive = false  // a body the server rejected: nothing after it can be trusted
            return false
        }
        if request.head.expectsContinue, !request.body.continueSent {
            keepAlive = false  // the client was told nothing and may never send the body
            return false
        }
        if keepAlive { logBodyNotRead(request) }
        return keepAlive
    }

    private func logBodyNotRead(_ request: HTTP1RequestState) {
        if let context = request.exchange.context { core.log.bodyNotRead(id, trace: context.traceIdentifier) }
    }

    /// After the response: make the connection ready for the next request, or close it.
    /// Returns true to keep serving.
    func endRequest() -> Bool {
        guard let request, !closed, abortReason == nil else { return false }
        if !request.body.finished || request.exchange.body.error != nil { keepAlive = false }
        if let inbound {
            let end = request.body.finished ? request.body.cursor : inbound.writerIndex
            inbound.consume(max(0, min(end, inbound.writerIndex) - inbound.readerIndex))
        }
        inRequest = false
        request.exchange.end()
        request.resetForNextRequest()
        idleSince = loop.now
        if readingPaused {
            readingPaused = false
            core.log.resumed(id)
            transport.resumeReading()
        }
        guard keepAlive, !inputEnded || !(inbound?.isEmpty ?? true) else {
            closeAfterSending()
            return false
        }
        core.log.keptAlive(id)
        return true
    }

    /// Reads and discards what is left of a body the app did not read, within the drain
    /// limits; false when the connection cannot be kept.
    private func drainBody(_ request: HTTP1RequestState) async -> Bool {
        let exchange = request.exchange
        if case .contentLength(let length) = request.head.framing, length - exchange.body.delivered > (settings.maxRequestBodySize ?? Int.max) {
            return false
        }
        request.body.drainStartedAt = loop.now
        defer { request.body.drainStartedAt = nil }
        sendOutput()
        while true {
            do {
                switch try exchange.readAvailable({ $0.count }) {
                case .end: return true
                case .bytes: continue
                case .waiting:
                    await park(for: .drain)
                    if closed || abortReason != nil || exchange.body.error != nil { return false }
                    if let started = request.body.drainStartedAt, loop.now - started > settings.bodyDrainTimeout { return false }
                }
            } catch {
                return false
            }
        }
    }

    /// Turns a request away before it reaches the app.
    func reject(_ rejection: RequestRejection) {
        core.log.badRequest(id, rejection.message)
        writeMinimalResponse(status: rejection.status)
        inputEnded = true  // nothing after a bad request can be trusted
        closeAfterSending()
    }
}
