import HostctlHTTP1
import HostctlHTTP2
import HostctlHosting

/// ServerOptions turned into what the connection driver checks on its paths: limits as
/// integers and durations as nanoseconds, computed once per server.
struct ConnectionSettings: Sendable {
    let parserLimits: HTTP1Limits
    let maxRequestBodySize: Int?
    let maxRequestBufferSize: Int
    let maxResponseBufferSize: Int
    let keepAliveTimeout: Int64
    let requestHeadersTimeout: Int64
    let minRequestBodyRate: (bytesPerSecond: Double, grace: Int64)?
    let minResponseRate: (bytesPerSecond: Double, grace: Int64)?
    let bodyDrainTimeout: Int64
    let addsServerHeader: Bool
    /// What HTTP/2 connections announce and enforce: Kestrel's Http2Limits, and the request
    /// limits above that apply to HTTP/2 requests too.
    let http2Limits: HTTP2Limits
    /// A worker that has served this many streams of one batch sends their responses before
    /// taking the rest: half the streams a client may have in flight, so a client that uses
    /// them all works on one half while the server makes the other, instead of each waiting
    /// for the other's whole batch (h2load -c1 -m100: bench/RESULTS.md, stop 24).
    var http2EarlyFlushStreams: Int { max(1, http2Limits.maxStreamsPerConnection / 2) }
    /// A parked connection task with nothing to do for this long ends (a new one starts
    /// with the connection's next request), so idle keep-alive connections hold no task.
    let taskRetirement: Int64 = 1_000_000_000
    /// Past this many live tasks on a loop, a task ends as soon as its connection is idle.
    let maxWaitingTasks = 256
    /// The same bound for HTTP/2's stream workers. A busy connection parks its workers between
    /// bursts of streams (up to MaxStreamsPerConnection of them) and lets them go once idle for
    /// `taskRetirement`; held to 256, a loop with more streams than that in flight (h2load
    /// -c16 -m32: 512) started a new task for one request in five.
    let maxWaitingStreamWorkers = 1024

    init(_ options: ServerOptions) {
        var limits = HTTP1Limits()
        limits.maxRequestLineSize = options.maxRequestLineSize
        limits.maxRequestHeadersTotalSize = options.maxRequestHeadersTotalSize
        limits.maxRequestHeaderCount = options.maxRequestHeaderCount
        limits.allowsBareLineFeed = options.allowsBareLineFeed
        parserLimits = limits
        maxRequestBodySize = options.maxRequestBodySize
        // The buffer must hold at least a whole head, as Kestrel insists at start-up.
        maxRequestBufferSize = max(options.maxRequestBufferSize ?? Int.max / 2, options.maxRequestLineSize + options.maxRequestHeadersTotalSize + 64)
        maxResponseBufferSize = options.maxResponseBufferSize ?? Int.max / 2
        keepAliveTimeout = options.keepAliveTimeout.nanoseconds
        requestHeadersTimeout = options.requestHeadersTimeout.nanoseconds
        minRequestBodyRate = options.minRequestBodyDataRate.map { ($0.bytesPerSecond, $0.gracePeriod.nanoseconds) }
        minResponseRate = options.minResponseDataRate.map { ($0.bytesPerSecond, $0.gracePeriod.nanoseconds) }
        bodyDrainTimeout = options.bodyDrainTimeout.nanoseconds
        addsServerHeader = options.addsServerHeader
        http2Limits = HTTP2Limits(options)
    }
}

extension HTTP2Limits {
    init(_ options: ServerOptions) {
        self.init()
        let http2 = options.http2
        maxStreamsPerConnection = http2.maxStreamsPerConnection
        headerTableSize = http2.headerTableSize
        maxFrameSize = http2.maxFrameSize
        maxRequestHeaderFieldSize = http2.maxRequestHeaderFieldSize
        initialConnectionWindowSize = http2.initialConnectionWindowSize
        initialStreamWindowSize = http2.initialStreamWindowSize
        keepAlivePingDelay = http2.keepAlivePingDelay
        keepAlivePingTimeout = http2.keepAlivePingTimeout
        enableExtendedConnect = http2.enableExtendedConnect
        maxRequestLineSize = options.maxRequestLineSize
        maxRequestHeadersTotalSize = options.maxRequestHeadersTotalSize
        maxRequestHeaderCount = options.maxRequestHeaderCount
        requestHeadersTimeout = options.requestHeadersTimeout
    }
}
