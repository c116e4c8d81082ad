import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// Whose the current request is, when not the app pipeline's.
enum ForwardedState: Equatable {
    case none
    /// A forwarder's (`HTTP1ForwardingHandler`): driven by its callbacks, with no task.
    case request
    /// The connection is a forwarder's tunnel after a 101: bytes, no more HTTP.
    case tunnel
}

/// HTTP/1.1 requests handed to the server's forwarder instead of the app pipeline: the
/// driver parses, frames and times them as it does any request, and the forwarder moves
/// the bytes. Event-driven: no task runs while a forwarded request is under way; client
/// events go to the forwarder, and it calls back.
extension HTTP1Connection: HTTP1ForwardingConnection {
    /// Offers a parsed head to the server's forwarder, if it has one. True when the forwarder
    /// took the request (under way now, or already finished).
    func forwards(_ request: HTTP1RequestState) -> Bool {
        guard let handler = core.forwarding else { return false }
        let forwarder: any HTTP1RequestForwarder
        if let existing = request.forwarder {
            forwarder = existing
        } else {
            forwarder = handler.makeForwarder(for: self)
            request.forwarder = forwarder
        }
        guard forwarder.takesRequest() else { return false }
        _ = beginRequest(request)
        forwarded = .request
        forwardedResponseStarted = false
        keepsIdleState = true
        forwarder.startRequest()
        return true
    }

    /// Client bytes (or its end, in a tunnel) for the forwarder.
    func forwardedInputArrived() {
        guard let request else { return }
        if forwarded == .request { request.exchange.body.stopWaiting(now: loop.now) }
        request.forwarder?.clientInputArrived()
    }

    /// Once a second while a forwarded request or tunnel is under way.
    func forwardedHeartbeat(now: Int64) {
        if forwarded == .tunnel {
            // Idle: nothing received and nothing sent since the last look, for longer than
            // the keep-alive timeout.
            let traffic = totalBytesReceived &+ transport.sentByteCount
            if traffic != tunnelTrafficSeen {
                tunnelTrafficSeen = traffic
                idleSince = now
            } else if now - idleSince > settings.keepAliveTimeout {
                abort(reason: "The upgraded connection was idle longer than the keep-alive timeout.")
            }
            return
        }
        guard let rate = settings.minRequestBodyRate, let request,
              request.exchange.body.isTooSlow(now: now, received: totalBytesReceived, rate: rate) else { return }
        rejectForwarded(.requestBodyTimeout)
        request.forwarder?.requestAborted(reason: RequestRejection.requestBodyTimeout.message)
    }

    /// The server answers a forwarded request itself with `rejection`'s status, or aborts once
    /// the forwarder's response has started; the request is no longer the forwarder's.
    private func rejectForwarded(_ rejection: RequestRejection) {
        forwarded = .none
        if forwardedResponseStarted {
            abort(reason: rejection.message)
        } else {
            reject(rejection)
        }
    }

    // MARK: HTTP1ForwardingConnection: the request

    func withRequestHead(_ body: (borrowing HTTP1RequestHead, UnsafeRawBufferPointer) -> Void) {
        guard let request, let inbound, let base = inbound.base else { return }
        body(request.head, UnsafeRawBufferPointer(start: base + inbound.readerIndex, count: request.head.length))
    }

    var scheme: String { transport.tls == nil ? "http" : "https" }

    var remoteAddress: SocketAddress? { transport.remoteAddress }

    func readRequestBody(_ consume: (UnsafeRawBufferPointer) -> Int) -> HTTP1ForwardedBodyRead {
        guard forwarded == .request, let request else { return .rejected }
        let limit = settings.maxRequestBodySize
        if !request.exchange.body.started {
            // The first read, as an app's: a declared length over the limit fails at once.
            request.exchange.body.started = true
            request.exchange.body.receivedAtStart = totalBytesReceived
            if let limit, case .contentLength(let length) = request.head.framing, length > limit {
                rejectForwarded(.requestBodyTooLarge(limit: limit))
                return .rejected
            }
        }
        switch decodeRequestBody(request, consume) {
        case .bytes(let taken):
            request.exchange.body.delivered += taken
            if let limit, request.exchange.body.delivered > limit {
                rejectForwarded(.requestBodyTooLarge(limit: limit))
                return .rejected
            }
            return .bytes(taken)
        case .waiting:
            return .waiting
        case .end:
            return .end
        case .rejected(let rejection):
            rejectForwarded(rejection)
            return .rejected
        }
    }

    func waitingForRequestBody() {
        guard forwarded == .request, let request else { return }
        if request.exchange.body.waitStartedAt == nil { request.exchange.body.waitStartedAt = loop.now }
        resumeReadingIfRoom()
    }

    var requestTrailers: [(name: String, value: String)] { request?.body.decoder?.trailers ?? [] }

    // MARK: HTTP1ForwardingConnection: the response

    func flushOutput() { sendOutput() }

    var unsentOutput: Int { pendingOutput }

    var responseBufferLimit: Int { settings.maxResponseBufferSize }

    var date: UnsafeRawBufferPointer { state.dates.bytes }

    var keepsConnection: Bool {
        guard keepAlive, !draining, let request else { return false }
        // A client that asked for 100-continue and was not answered may never send its body.
        return !(request.head.expectsContinue && !request.body.continueSent && !request.body.finished)
    }

    func closeAfterResponse() { keepAlive = false }

    func interimResponseWritten(status: Int) {
        if status == 100 { request?.body.continueSent = true }
    }

    func responseStarted() { forwardedResponseStarted = true }

    func respond(status: Int, fields: HTTPFields, body: UnsafeRawBufferPointer) {
        guard let request else { return }
        if !keepsConnection { keepAlive = false }
        let sendsBody = request.head.method != .head && HTTPStatus.allowsContent(status)
        try? HTTP1ResponseWriter.writeHead(
            into: output, status: status, reason: nil, fields: fields,
            framing: HTTPStatus.allowsContent(status) ? .contentLength(body.count) : .noBody,
            closeConnection: !keepAlive, keepAliveHeader: keepAlive && request.head.version == .http1_0,
            date: state.dates.bytes, server: settings.addsServerHeader ? "hostctl" : nil
        )
        if sendsBody { output.append(body) }
        forwardedResponseStarted = true
    }

    func finishRequest() {
        guard forwarded == .request else { return }
        forwarded = .none
        guard endRequest() else { return }
        sendOutput()
        // Inside the task (a request forwarded from its loop that finished at once), the
        // task's loop goes on by itself.
        if task == nil { startRequestIfReady() }
    }

    // MARK: HTTP1ForwardingConnection: after a 101

    func upgradeToTunnel() {
        guard forwarded == .request, let request, let inbound else { return }
        forwarded = .tunnel
        keepAlive = false
        forwardedResponseStarted = true
        tunnelTrafficSeen = totalBytesReceived &+ transport.sentByteCount
        // The head is done with: from here the buffer holds tunnel bytes only.
        inbound.consume(min(request.body.cursor, inbound.writerIndex) - inbound.readerIndex)
    }

    var tunnelInput: UnsafeRawBufferPointer {
        guard forwarded == .tunnel, let inbound else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return inbound.readableBytes
    }

    func consumeTunnelInput(_ count: Int) {
        guard forwarded == .tunnel, let inbound else { return }
        inbound.consume(count)
        if readingPaused, inbound.readableCount < settings.maxRequestBufferSize / 2 {
            readingPaused = false
            transport.resumeReading()
        }
    }

    var clientInputEnded: Bool { inputEnded }
}
