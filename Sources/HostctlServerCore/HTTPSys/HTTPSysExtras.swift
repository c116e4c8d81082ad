import HostctlHosting
import HostctlSystem

/// HTTP.sys's extras, for a core whose transport asks for them (the io_uring server): a
/// server-wide request queue limit, request timing, and a response cache. A core without
/// them holds nil, and so do its connections: each place an extra hooks in costs them one
/// nil check.
final class HTTPSysExtras: Sendable {
    let requestQueue: RequestQueue
    let queueFullResponse: RequestQueueFullResponse
    let responseCache: ResponseCache?
    let recordsRequestTiming: Bool

    init(_ options: ServerOptions, loopCount: Int) {
        requestQueue = RequestQueue(limit: options.requestQueueLimit, oneLoop: loopCount == 1)
        queueFullResponse = options.requestQueueFullResponse
        responseCache = options.responseCache.map(ResponseCache.init)
        recordsRequestTiming = options.recordsRequestTiming
    }
}

extension HTTPSysExtras {
    /// Compared and chained, never bound: a binding would retain the cache on every request.
    var cachesResponses: Bool { responseCache != nil }
    var responseCacheHasEntries: Bool { responseCache?.isEmpty == false }
}

/// What HTTP.sys's extras keep for one exchange (on HTTP/1.1, the connection's, reused
/// request after request). Loop-confined, like the connection.
final class HTTPSysExchangeExtras {
    let server: HTTPSysExtras
    /// The timing feature, reused for request after request; nil when not recording.
    var timeline: RequestTimeline? { lentTimeline?.object }
    let lentTimeline: Lent<RequestTimeline>?
    /// The request in the app holds a place in the server's request queue.
    @exclusivity(unchecked) private(set) var holdsQueueSlot = false
    /// The request in the app missed the cache, so its response may be stored.
    @exclusivity(unchecked) var mayStoreResponse = false
    /// The response being copied for the cache.
    @exclusivity(unchecked) var capture: ResponseCapture?
    /// `server.requestQueue`, lent (see `Lent`).
    private let queue: Lent<RequestQueue>

    init(server: HTTPSysExtras, acceptedAt: Int64, clock: StampClock) {
        self.server = server
        lentTimeline = server.recordsRequestTiming ? Lent(RequestTimeline(acceptedAt: acceptedAt, clock: clock)) : nil
        queue = Lent(server.requestQueue)
    }

    /// Takes a place in the server's request queue for the request; false when it is full.
    @inline(__always)
    func enterRequestQueue() -> Bool {
        guard queue.with({ $0.enter() }) else { return false }
        holdsQueueSlot = true
        return true
    }

    /// Gives the request's place back, if it holds one.
    @inline(__always)
    func leaveRequestQueue() {
        guard holdsQueueSlot else { return }
        holdsQueueSlot = false
        queue.with { $0.leave() }
    }

    /// Runs `body` with the timeline, if timing is recorded.
    @inline(__always)
    func withTimeline(_ body: (RequestTimeline) -> Void) {
        lentTimeline?.with(body)
    }
}
