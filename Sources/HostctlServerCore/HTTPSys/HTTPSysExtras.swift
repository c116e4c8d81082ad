import HostctlSystem
import HostctlHosting

/// HTTP.sys's extras, for a core whose transport asks for them (the io_uring server): a
/// server-wide request queue limit, request timing, and a response cache. A core without
/// them holds nil, and so do its connections: each place an extra hooks in costs them one
/// nil check.
final class HTTPSysExtras: Sendable {
    let requestQueue: RequestQueue
    let queueFullResponse: RequestQueueFullResponse
    let responseCache: ResponseCache?
    /// `responseCache != nil`, read on every request without touching the cache's object.
    let cachesResponses: Bool
    let recordsRequestTiming: Bool

    init(_ options: ServerOptions, loopCount: Int) {
        requestQueue = RequestQueue(limit: options.requestQueueLimit, oneLoop: loopCount == 1)
        queueFullResponse = options.requestQueueFullResponse
        responseCache = options.responseCache.map(ResponseCache.init)
        cachesResponses = responseCache != nil
        recordsRequestTiming = options.recordsRequestTiming
    }
}

/// What HTTP.sys's extras keep for one exchange (on HTTP/1.1, the connection's, reused
/// request after request). Loop-confined, like the connection.
extension HTTPSysExtras {
    /// Read through optional chaining, which borrows the cache rather than copying it.
    var responseCacheHasEntries: Bool { responseCache?.isEmpty == false }
}

final class HTTPSysExchangeExtras {
    let server: HTTPSysExtras
    /// The timing feature, reused for request after request; nil when not recording.
    let timeline: RequestTimeline?
    /// The request in the app holds a place in the server's request queue.
    @exclusivity(unchecked) var holdsQueueSlot = false
    /// The request in the app missed the cache, so its response may be stored.
    @exclusivity(unchecked) var mayStoreResponse = false
    /// The response being copied for the cache.
    @exclusivity(unchecked) var capture: ResponseCapture?

    /// `timeline` again, lent to the stamps without a reference count (see `withTimeline`).
    private let lentTimeline: Unmanaged<RequestTimeline>?
    /// The server's request queue, lent the same way (`server` keeps it).
    private let lentQueue: Unmanaged<RequestQueue>

    init(server: HTTPSysExtras, acceptedAt: Int64, clock: StampClock) {
        self.server = server
        timeline = server.recordsRequestTiming ? RequestTimeline(acceptedAt: acceptedAt, clock: clock) : nil
        lentTimeline = timeline.map(Unmanaged.passUnretained)
        lentQueue = Unmanaged.passUnretained(server.requestQueue)
    }

    /// Takes a place in the server's request queue; false when it is full.
    @inline(__always)
    func enterRequestQueue() -> Bool {
        lentQueue._withUnsafeGuaranteedRef { $0.enter() }
    }

    @inline(__always)
    func leaveRequestQueue() {
        lentQueue._withUnsafeGuaranteedRef { $0.leave() }
    }

    /// Runs `body` with the timeline, if timing is recorded. These extras keep it for their
    /// whole life, so lending it needs no retain and release (a chained call pays one pair).
    @inline(__always)
    func withTimeline(_ body: (RequestTimeline) -> Void) {
        lentTimeline?._withUnsafeGuaranteedRef(body)
    }
}
