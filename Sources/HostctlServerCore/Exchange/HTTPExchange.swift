import HostctlCore
import HostctlHosting

/// One request and its response, whatever HTTP version framed them (Kestrel's HttpProtocol):
/// the rules every version shares, written once. The request's context and its lifetime;
/// admission (the app's checks, then HTTP.sys's response cache and request queue); the
/// commit rules and usage errors of the response; an escaped error becoming its status;
/// the request body's size limit and minimum data rate; aborting.
///
/// The driver owns the bytes and the task: it parses a head, calls `process(_:)` from the
/// task it runs the exchange on, and frames what the exchange writes. HTTP/1.1 keeps one
/// exchange per busy connection and reuses it request after request; HTTP/2 has one per
/// stream, many at once on a connection.
///
/// Loop-confined: every member is touched on the connection's loop thread only (driver
/// callbacks, the heartbeat, and the task, which runs on the loop's executor).
final class HTTPExchange<Driver: ExchangeDriver>: @unchecked Sendable {
    /// The driver outlives its exchanges (it drops them before it goes).
    unowned(unsafe) let driver: Driver
    /// The core outlives every connection it accepted.
    unowned(unsafe) let core: HTTPServerCore
    let loop: EventLoopContext
    let state: LoopState
    /// "https" over TLS, else "http": the scheme every request on the connection starts with.
    let scheme: String
    /// HTTP.sys's extras for this exchange; nil unless the core applies them. The driver
    /// holds them too (the HTTP/1.1 connection's, the HTTP/2 stream's).
    var extras: HTTPSysExchangeExtras? { lentExtras?.object }
    let lentExtras: Lent<HTTPSysExchangeExtras>?
    /// Inlined: a call would copy the whole struct (a memcpy) for the one field wanted.
    @inline(__always) var settings: ConnectionSettings { core.settings }

    @exclusivity(unchecked) var context: HTTPContext? {
        didSet { activeResponse = context?.response }
    }
    /// `context.response`, read on every write without a reference count: the context
    /// (which this exchange keeps) keeps it.
    @exclusivity(unchecked) unowned(unsafe) var activeResponse: HTTPResponse?
    /// Between `process` starting a request and the driver ending it.
    @exclusivity(unchecked) private(set) var isActive = false
    @exclusivity(unchecked) var response = ResponseState()
    @exclusivity(unchecked) var body = RequestBodyState()
    /// The current request has a body (declared, chunked, or DATA to come).
    @exclusivity(unchecked) private(set) var requestHasBody = false
    /// The response body before its head is committed (see `commit(final:)`).
    @exclusivity(unchecked) var pendingBody: ByteBuffer?
    /// Why the request was aborted; once set, its reads and writes fail.
    @exclusivity(unchecked) var abortReason: String?

    init(driver: Driver, core: HTTPServerCore, loop: EventLoopContext, state: LoopState, scheme: String, extras: Lent<HTTPSysExchangeExtras>?) {
        self.driver = driver
        self.core = core
        self.loop = loop
        self.state = state
        self.scheme = scheme
        lentExtras = extras
    }

    // MARK: One request

    /// Runs one request whose head the driver has parsed, until its response is complete or
    /// it is aborted: admission, then the app, then the response's end, or the status of an
    /// error that escaped. Returns false when the request was turned away and its
    /// connection must end (a full request queue).
    ///
    /// The head, in the terms every version shares: `number` counts requests on the
    /// connection from 1 (for the trace identifier); `contentLength` is the declared length,
    /// if any; `hasBody`: a body follows (declared, chunked, or DATA to come).
    @inline(__always)
    func process(
        method: HTTPMethod, version: HTTPVersion, contentLength: Int?, hasBody: Bool, number: UInt64,
        connection: @autoclosure () -> ConnectionInfo
    ) async -> Bool {
        let context = begin(method: method, version: version, contentLength: contentLength, hasBody: hasBody, number: number, connection: connection())
        if lentExtras != nil || core.hasAdmissionChecks {
            switch admit(context) {
            case .application: break
            case .answered: return true
            case .turnedAway: return false
            }
        }
        core.application.requestLog?.begin(context)
        do {
            try await core.application.entry.run(context)
            if abortReason == nil, !response.completed { try finishResponse() }
        } catch {
            handleFailure(error, context: context)
        }
        core.application.requestLog?.end(context)
        return true
    }

    /// Prepares the reused context for a request.
    @inline(__always)
    private func begin(
        method: HTTPMethod, version: HTTPVersion, contentLength: Int?, hasBody: Bool, number: UInt64,
        connection: @autoclosure () -> ConnectionInfo
    ) -> HTTPContext {
        isActive = true
        // Assigned only when made: storing the same context again would retain and release
        // it, and run `didSet`, on every request.
        let context: HTTPContext
        if let reused = self.context {
            context = reused
        } else {
            context = makeContext(connection: connection())
            self.context = context
        }
        response.isHead = method == .head
        body.declaredLength = contentLength
        requestHasBody = hasBody
        context.prepare(requestNumber: number, maxRequestBodySize: settings.maxRequestBodySize)
        context.request.reset(
            source: driver, method: method, version: version, scheme: scheme, contentLength: contentLength,
            body: hasBody ? self : nil
        )
        context.response.useWriter(self)
        return context
    }

    private func makeContext(connection: ConnectionInfo) -> HTTPContext {
        let context = HTTPContext(connection: connection, environmentName: core.application.environmentName)
        if let timeline = extras?.timeline { context.setConnectionFeature(HTTPRequestTimingFeature.self, timeline) }
        context.setAbortHandler { [unowned self] in
            if let context = self.context { self.core.log.applicationAborted(self.driver.connectionNumber, trace: context.traceIdentifier) }
            self.abort(reason: "The request was aborted by the application.")
        }
        return context
    }

    /// The driver is done with the request (its response sent or abandoned, its body read or
    /// given up): the exchange is ready for the next one.
    func end() {
        isActive = false
        context?.request.detach()
        response = ResponseState()
        // Most requests never read a body: nothing to reset then.
        if body.started || body.error != nil || body.declaredLength != nil { body = RequestBodyState() }
        pendingBody?.clear()
    }

    /// Breaks the cycle between the context and this exchange (the context's request reads
    /// its head from the driver, its response writes here) before the driver drops it.
    func detach() {
        context?.detach()
    }

    /// An error escaped the app: answer with its status if nothing was sent yet, else abort.
    private func handleFailure(_ error: any Error, context: HTTPContext) {
        core.log.applicationError(error, context: context)
        guard abortReason == nil else { return }
        if response.committed {
            abort(reason: "The response has been aborted due to an unhandled application error: \(error)")
            return
        }
        if let bad = error as? BadRequestError {
            // A request the server rejects mid-body: minimal response, then close.
            core.log.badRequest(driver.connectionNumber, bad.message ?? bad.description)
            body.error = body.error ?? bad
            driver.writeMinimalResponse(status: bad.status)
            response = ResponseState(committed: true)
            completeResponse()
            return
        }
        let status = HTTPError.status(for: error)
        context.response.reset()
        context.response.status = status
        response.written = 0
        pendingBody?.clear()
        do {
            try commit(final: true)
            completeResponse()
        } catch {
            abort(reason: "Could not write the error response: \(error)")
        }
    }

    // MARK: Aborting

    /// Ends the request now: the app is told, and the driver drops what is unsent (HTTP/1.1
    /// closes the connection, HTTP/2 resets the stream).
    func abort(reason: String) {
        guard abortReason == nil else { return }
        signalAbort(reason: reason)
        driver.abortExchange(reason: reason)
    }

    /// Tells the app its request is over: its reads and writes fail from now on and the
    /// request-aborted signal fires. The driver wakes the exchange's task.
    func signalAbort(reason: String) {
        if abortReason == nil { abortReason = reason }
        lentExtras?.with { requestEnded($0, responseCompleted: false) }
        if isActive { context?.requestAborted.fire() }
    }

    @inline(__always)
    func checkUsable() throws {
        if let abortReason { throw ConnectionAbortedError(abortReason) }
    }

    // MARK: Timeouts

    /// Once a second while the app waits for body bytes: too slow a body gets 408 (or an
    /// abort, once the response has started). `now` is the loop's.
    func checkBodyRate(now: Int64) {
        guard isActive, let rate = settings.minRequestBodyRate,
              body.isTooSlow(now: now, received: driver.requestBodyBytesReceived, rate: rate) else { return }
        if let context { core.log.requestBodyTooSlow(driver.connectionNumber, trace: context.traceIdentifier, rate: rate.bytesPerSecond) }
        if response.committed {
            abort(reason: RequestRejection.requestBodyTimeout.message)
        } else {
            _ = fail(.requestBodyTimeout)
            driver.wakeExchange()
        }
    }
}

extension ResponseState {
    init(committed: Bool) {
        self.init()
        self.committed = committed
    }
}
