import HostctlCore
import HostctlHTTP1
import HostctlHosting

extension HTTP1Connection {
    enum ParseOutcome { case ready, needMore, rejected }

    /// Parses a head from the unread input, without waiting.
    func parseNext() -> ParseOutcome {
        let request = self.request ?? RequestState(limits: settings.parserLimits)
        self.request = request
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
            reject(.parse(error.reason))
            return .rejected
        }
    }

    /// With no task running: start one if a whole head has arrived.
    func startRequestIfReady() {
        // A connection that is closing once its output is sent (Connection: close, a request
        // with both Content-Length and Transfer-Encoding, a rejected request) takes no more
        // requests, however many were pipelined behind: RFC 9112 §9.6 and §6.1.
        guard !closed, !closeWhenSent, !draining || request?.headStartedAt != nil else { return }
        if parseNext() == .ready {
            // The task about to start is the queue a head waits in: stamp the parse before it.
            extras?.timeline?.headParsed()
            state.liveTasks += 1
            task = Task(executorPreference: loop.taskExecutor) { [self] in await serve() }
        } else if inputEnded {
            closeAfterSending()
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
                waitingFor = .request
                await withUnsafeContinuation { waiter = $0 }
                waitingFor = .nothing
                next = retireRequested ? .stop : nextRequestState()
            }
            guard next == .ready else { break }
            if let extras {
                let admission = admit(extras)
                if admission == .nextRequest { continue }
                if admission == .stop { break }
            }
            guard let context = beginRequest() else { break }
            do {
                try await core.application.handle(context)
                if abortReason == nil, request?.response.completed == false { try finishResponse() }
            } catch {
                handleFailure(error, context: context)
            }
            if needsDrain(), await !drainBody() { keepAlive = false }
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
        case .rejected:
            return .stop
        case .needMore:
            if inputEnded || (draining && request?.headStartedAt == nil) {
                closeAfterSending()
                return .stop
            }
            return .wait
        }
    }

    /// Prepares the reused context for the parsed head.
    private func beginRequest() -> HTTPContext? {
        guard let request else { return nil }
        inRequest = true
        requestCount += 1
        keepAlive = request.head.wantsKeepAlive && !request.head.hadContentLengthAndTransferEncoding && !draining
        let context = request.context ?? makeContext()
        request.context = context
        let framing = request.head.framing
        request.body.cursor = (inbound?.readerIndex ?? 0) + request.head.length
        if framing != .none {
            request.body.decoder = HTTP1BodyDecoder(framing: framing, limits: settings.parserLimits)
        } else {
            request.body.finished = true
        }
        request.response.isHead = request.head.method == .head
        context.prepare(requestNumber: requestCount, maxRequestBodySize: settings.maxRequestBodySize)
        var contentLength: Int?
        if case .contentLength(let length) = framing { contentLength = length }
        context.request.reset(
            source: self, method: request.head.method, version: request.head.version, contentLength: contentLength,
            body: framing == .none ? nil : self
        )
        context.response.writer = self
        return context
    }

    private func makeContext() -> HTTPContext {
        let transport = self.transport
        let info = connectionInfo ?? ConnectionInfo(
            id: ConnectionID.format(id), remote: transport.remoteAddress, local: { [weak transport] in transport?.localAddress }
        )
        connectionInfo = info
        let context = HTTPContext(connection: info, environmentName: core.application.environmentName)
        if let timeline = extras?.timeline { context.setConnectionFeature(HTTPRequestTimingFeature.self, timeline) }
        context.setAbortHandler { [unowned self] in self.abort(reason: "The request was aborted by the application.") }
        return context
    }

    /// An error escaped the app: answer with its status if nothing was sent yet, else abort.
    private func handleFailure(_ error: any Error, context: HTTPContext) {
        guard let request, abortReason == nil, !closed else { return }
        if request.response.committed {
            abort(reason: "The response has been aborted due to an unhandled application error: \(error)")
            return
        }
        if let bad = error as? BadRequestError {
            // A request the server rejects mid-body: minimal response, then close.
            writeMinimalResponse(status: bad.status)
            request.response = ResponseState(committed: true)
            keepAlive = false
            completeResponse(request)
            return
        }
        let status = (error as? HTTPResponseError)?.status ?? 500
        context.response.reset()
        context.response.status = status
        request.response.written = 0
        pendingBody?.clear()
        do {
            try commit(final: true)
            completeResponse(request)
        } catch {
            abort(reason: "Could not write the error response: \(error)")
        }
    }

    /// Whether the app left part of the body unread and the connection may still be kept by
    /// discarding it.
    private func needsDrain() -> Bool {
        guard let request, !closed, abortReason == nil, !request.body.finished else { return false }
        if request.head.expectsContinue, !request.body.continueSent {
            keepAlive = false  // the client was told nothing and may never send the body
            return false
        }
        return keepAlive
    }

    /// After the response: make the connection ready for the next request, or close it.
    /// Returns true to keep serving.
    func endRequest() -> Bool {
        guard let request, !closed, abortReason == nil else { return false }
        if !request.body.finished { keepAlive = false }
        if let inbound {
            let end = request.body.finished ? request.body.cursor : inbound.writerIndex
            inbound.consume(max(0, min(end, inbound.writerIndex) - inbound.readerIndex))
        }
        inRequest = false
        request.context?.request.detach()
        request.resetForNextRequest()
        idleSince = loop.now
        if readingPaused {
            readingPaused = false
            transport.resumeReading()
        }
        guard keepAlive, !inputEnded || !(inbound?.isEmpty ?? true) else {
            closeAfterSending()
            return false
        }
        return true
    }

    /// Reads and discards what is left of a body the app did not read, within the drain
    /// limits; false when the connection cannot be kept.
    private func drainBody() async -> Bool {
        guard let request else { return false }
        if case .contentLength(let length) = request.head.framing, length - request.body.delivered > (settings.maxRequestBodySize ?? Int.max) {
            return false
        }
        request.body.drainStartedAt = loop.now
        defer { request.body.drainStartedAt = nil }
        sendOutput()
        while true {
            do {
                switch try readAvailable({ $0.count }) {
                case .end: return true
                case .bytes: continue
                case .waiting:
                    await park(for: .drain)
                    if closed || abortReason != nil || request.body.error != nil { return false }
                    if let started = request.body.drainStartedAt, loop.now - started > settings.bodyDrainTimeout { return false }
                }
            } catch {
                return false
            }
        }
    }

    /// Turns a request away before it reaches the app.
    func reject(_ rejection: RequestRejection) {
        writeMinimalResponse(status: rejection.status)
        inputEnded = true  // nothing after a bad request can be trusted
        closeAfterSending()
    }

    /// Kestrel's answer to a rejected request: status line, Content-Length: 0, Connection: close, Date, Server.
    func writeMinimalResponse(status: Int) {
        let fields = HTTPFields()
        try? HTTP1ResponseWriter.writeHead(
            into: output, status: status, reason: nil, fields: fields, framing: .contentLength(0), closeConnection: true,
            keepAliveHeader: false, date: state.dates.bytes, server: settings.addsServerHeader ? "hostctl" : nil
        )
    }
}
