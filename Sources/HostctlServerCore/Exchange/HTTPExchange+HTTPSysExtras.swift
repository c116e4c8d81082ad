import HostctlCore
import HostctlHosting

/// Where admission and HTTP.sys's extras hook into a request: the app's admission checks,
/// then the response cache, then the request queue — before anything answers; capturing a
/// cacheable response; and the request's end. The cache comes before the queue, as in
/// HTTP.sys, where a cached response never reaches the queue.
extension HTTPExchange {
    enum Admission { case application, answered, turnedAway }

    func admit(_ context: HTTPContext) -> Admission {
        if core.hasAdmissionChecks, !passesAdmissionChecks(context) { return .answered }
        return lentExtras?.with { admit(context, $0, $0.server) } ?? .application
    }

    /// HTTP.sys's steps. `extras` and `server` come in as arguments, which the caller keeps
    /// alive: read from them here, their objects need no retain and release of their own
    /// (as fields of `self` each cost one pair, on every request).
    @inline(never)
    private func admit(_ context: HTTPContext, _ extras: HTTPSysExchangeExtras, _ server: HTTPSysExtras) -> Admission {
        // The previous request always gives its place back as it ends; this only bounds
        // the damage should some path ever miss it.
        assert(!extras.holdsQueueSlot, "a request ended without leaving the request queue")
        extras.leaveRequestQueue()
        extras.mayStoreResponse = false
        // GET and HEAD without a body may be answered from the cache, and a GET's response
        // may be stored (`ResponseCachePolicy`; the Authorization field, which rules both
        // out, is looked for only when it matters).
        if server.cachesResponses, let sendsBody = Self.cacheableMethodSendsBody(context.request), !requestHasBody {
            // An empty cache has nothing to find: no key is built (most servers cache
            // nothing most of the time, and the key costs more than the rest of this).
            if server.responseCacheHasEntries, !hasAuthorization, answerFromCache(server, extras, sendsBody: sendsBody) {
                return .answered
            }
            extras.mayStoreResponse = sendsBody
        }
        guard extras.enterRequestQueue() else {
            extras.timeline?.answeredWithoutApp()
            abortReason = RequestRejection.requestQueueFull.message
            driver.turnAway(server.queueFullResponse)
            return .turnedAway
        }
        extras.withTimeline { $0.handedToApp() }
        return .application
    }

    /// Answers from the cache when it holds the request's response; false on a miss.
    @inline(never)
    private func answerFromCache(_ server: HTTPSysExtras, _ extras: HTTPSysExchangeExtras, sendsBody: Bool) -> Bool {
        guard let cache = server.responseCache, let entry = withCacheKey({ cache.lookup($0, now: loop.now) }) else { return false }
        extras.timeline?.answeredWithoutApp()
        driver.writeCachedResponse(entry, age: entry.age(now: loop.now), sendsBody: sendsBody)
        response = ResponseState(committed: true)
        response.completed = true
        return true
    }

    /// The app's checks, in order; the first that refuses has its answer sent.
    private func passesAdmissionChecks(_ context: HTTPContext) -> Bool {
        for check in core.application.admissionChecks where !check.admits(context) {
            extras?.timeline?.answeredWithoutApp()
            do { try finishResponse() } catch { abort(reason: "Could not write the refusal: \(error)") }
            return false
        }
        return true
    }

    /// For GET, true; for HEAD, false; nil for the methods the cache never answers. Matched
    /// in place: a copy of the method would retain an unknown method's name.
    @inline(__always)
    private static func cacheableMethodSendsBody(_ request: HTTPRequest) -> Bool? {
        switch request.method {
        case .get: true
        case .head: false
        default: nil
        }
    }

    private var hasAuthorization: Bool {
        for index in 0..<driver.headerCount where driver.withHeader(at: index, { name, _ in
            name.count == 13 && ASCII.equalsLowercased(name, "authorization")
        }) {
            return true
        }
        return false
    }

    /// The request's cache key: its authority, its raw target, and the scheme a front says
    /// the client used (`X-Forwarded-Proto`), so a page made for one scheme is not served on
    /// the other. The key points into the driver's buffers: valid inside `body` only.
    func withCacheKey<R>(_ body: (ResponseCacheKey) -> R) -> R {
        var forwardedProto: Int?
        for index in 0..<driver.headerCount where driver.withHeader(at: index, { name, _ in
            name.count == 17 && ASCII.equalsLowercased(name, "x-forwarded-proto")
        }) {
            forwardedProto = index
        }
        return driver.withRequestAuthority { authority in
            driver.withRawTarget { target in
                if let forwardedProto {
                    return driver.withHeader(at: forwardedProto) { _, scheme in
                        body(ResponseCacheKey(scheme: scheme, host: authority, target: target))
                    }
                }
                return body(ResponseCacheKey(scheme: UnsafeRawBufferPointer(start: nil, count: 0), host: authority, target: target))
            }
        }
    }

    // MARK: The response cache

    /// At commit: starts copying the response for the cache if HTTP.sys would keep it: a
    /// 200 with a known length that fits an entry, and the right Cache-Control.
    /// Called only for a response with a Cache-Control field (the commit's pass over the
    /// fields tells): without one a response can never be stored.
    func startCapture(_ extras: HTTPSysExchangeExtras, length: ResponseLength, response: HTTPResponse, server: StaticString?) {
        extras.mayStoreResponse = false
        guard let cache = extras.server.responseCache, response.status == 200, case .exact(let bodyLength) = length,
              bodyLength <= cache.maxEntryBytes, let seconds = ResponseCachePolicy.lifetime(of: response.headers),
              ResponseCachePolicy.admits(method: .get, hasBody: requestHasBody, hasAuthorization: hasAuthorization)
        else { return }
        var fields = response.headers
        // A hit writes its own Date and Age.
        if fields.contains("Date") || fields.contains("Age") {
            fields.remove("Date")
            fields.remove("Age")
        }
        extras.capture = ResponseCapture(
            reason: response.reasonPhrase, fields: fields, bodyLength: bodyLength, server: server,
            lifetime: Int64(seconds) * 1_000_000_000, maxBytes: cache.maxEntryBytes
        )
    }

    // MARK: The request's end

    /// The request in the app is over: its response completed (a whole captured response
    /// then goes into the cache), or it was aborted. It leaves the queue, and the timing
    /// callbacks run. Once per request: later calls find nothing left to do.
    func requestEnded(_ extras: HTTPSysExchangeExtras, responseCompleted: Bool) {
        if extras.capture != nil { storeCapture(extras, responseCompleted: responseCompleted) }
        extras.leaveRequestQueue()
        extras.withTimeline { $0.requestEnded(responseCompleted: responseCompleted) }
    }

    /// A whole captured response goes into the cache; the capture is dropped either way.
    @inline(never)
    private func storeCapture(_ extras: HTTPSysExchangeExtras, responseCompleted: Bool) {
        guard let capture = extras.capture else { return }
        extras.capture = nil
        if responseCompleted, capture.isWhole, isActive, let cache = extras.server.responseCache {
            let entry = withCacheKey { CachedResponse(key: $0, capture: capture, storedAt: loop.now) }
            cache.store(entry)
        }
    }
}
