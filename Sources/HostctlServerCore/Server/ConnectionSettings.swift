import HostctlHTTP1
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
    /// A parked connection task with nothing to do for this long ends (a new one starts
    /// with the connection's next request), so idle keep-alive connections hold no task.
    let taskRetirement: Int64 = 1_000_000_000
    /// Past this many live tasks on a loop, a task ends as soon as its connection is idle.
    let maxWaitingTasks = 256

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
    }
}
