import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// Where HTTP.sys's extras hook into a connection: admission (the response cache, then the
/// request queue), capturing a cacheable response, and the request's end. Only connections
/// of a core that applies the extras get here; the others stop at a nil `extras`.
extension HTTP1Connection {
    enum Admission { case application, nextRequest, stop }

    /// A request whose head is parsed, before the app sees it: answered from the cache,
    /// turned away when the queue is full, or given a place in the queue. The cache comes
    /// first, as in HTTP.sys, where a cached response never reaches the queue.
    func admit(_ extras: HTTPSysConnectionExtras) -> Admission {
        guard let request, let head = headStart else { return .stop }
        // The previous request always gives its place back as it ends; this only bounds
        // the damage should some path ever miss it.
        assert(!extras.holdsQueueSlot, "a request ended without leaving the request queue")
        leaveRequestQueue(extras)
        extras.mayStoreResponse = false
        let server = extras.server
        if let cache = server.responseCache, ResponseCachePolicy.admits(request.head, head) {
            if let entry = cache.lookup(ResponseCacheKey(request.head, head), now: loop.now) {
                extras.timeline?.answeredWithoutApp()
                answer(from: entry, request)
                return endRequest() ? .nextRequest : .stop
            }
            extras.mayStoreResponse = request.head.method == .get
        }
        guard server.requestQueue.enter() else {
            extras.timeline?.answeredWithoutApp()
            turnAway(server.queueFullResponse, request)
            return .stop
        }
        extras.holdsQueueSlot = true
        extras.timeline?.handedToApp()
        return .application
    }

    /// The first byte of the current head, which stays in the receive buffer while its
    /// request is handled.
    private var headStart: UnsafeRawPointer? {
        guard let inbound, let base = inbound.base else { return nil }
        return UnsafeRawPointer(base + inbound.readerIndex)
    }

    /// A cache hit: the stored head with a fresh Age, Connection and Date, then the body
    /// unless the request is HEAD. The request had no body, so only its head is consumed.
    private func answer(from entry: CachedResponse, _ request: RequestState) {
        keepAlive = request.head.wantsKeepAlive && !draining
        let sendsBody = request.head.method != .head
        let out = output
        out.reserveWritable(entry.head.count + 96 + (sendsBody ? entry.body.count : 0))
        out.append(entry.head)
        out.append("Age: ")
        out.appendDecimal(entry.age(now: loop.now))
        if !keepAlive {
            out.append("\r\nConnection: close")
        } else if request.head.version == .http1_0 {
            out.append("\r\nConnection: keep-alive")
        }
        out.append("\r\nDate: ")
        out.append(state.dates.bytes)
        out.append("\r\n\r\n")
        if sendsBody { out.append(entry.body) }
        request.body.cursor = (inbound?.readerIndex ?? 0) + request.head.length
        request.body.finished = true
    }

    /// HTTP.sys's answer to a full queue: a TCP reset (Basic) or a 503 (Limited). Either
    /// way the connection ends, and its unread input is dropped so no request on it starts.
    private func turnAway(_ response: RequestQueueFullResponse, _ request: RequestState) {
        request.resetForNextRequest()
        inbound?.clear()
        switch response {
        case .reset:
            abortReason = RequestRejection.requestQueueFull.message
            inputEnded = true
            transport.reset()
        case .serviceUnavailable:
            reject(.requestQueueFull)
        }
    }

    // MARK: The response cache

    /// At commit: starts copying the response for the cache if HTTP.sys would keep it: a
    /// 200 with a declared length that fits an entry, and the right Cache-Control.
    func startCapture(_ extras: HTTPSysConnectionExtras, framing: HTTP1ResponseFraming, response: HTTPResponse, server: StaticString?) {
        extras.mayStoreResponse = false
        guard let cache = extras.server.responseCache, response.status == 200, case .contentLength(let length) = framing,
              length <= cache.maxEntryBytes, let seconds = ResponseCachePolicy.lifetime(of: response.headers)
        else { return }
        var fields = response.headers
        // A hit writes its own Date and Age.
        if fields.contains("Date") || fields.contains("Age") {
            fields.remove("Date")
            fields.remove("Age")
        }
        extras.capture = ResponseCapture(
            reason: response.reasonPhrase, fields: fields, bodyLength: length, server: server,
            lifetime: Int64(seconds) * 1_000_000_000, maxBytes: cache.maxEntryBytes
        )
    }

    // MARK: The request's end

    /// The request in the app is over: its response completed (a whole captured response
    /// then goes into the cache), or it was aborted. It leaves the queue, and the timing
    /// callbacks run. Once per request: later calls find nothing left to do.
    func requestEnded(_ extras: HTTPSysConnectionExtras, responseCompleted: Bool) {
        if let capture = extras.capture {
            extras.capture = nil
            if responseCompleted, capture.isWhole, let cache = extras.server.responseCache, let request, let head = headStart {
                cache.store(CachedResponse(key: ResponseCacheKey(request.head, head), capture: capture, storedAt: loop.now))
            }
        }
        leaveRequestQueue(extras)
        extras.timeline?.requestEnded(responseCompleted: responseCompleted)
    }

    private func leaveRequestQueue(_ extras: HTTPSysConnectionExtras) {
        guard extras.holdsQueueSlot else { return }
        extras.holdsQueueSlot = false
        extras.server.requestQueue.leave()
    }
}
