import HostctlCore

/// Limits and timeouts, with Kestrel's defaults (KestrelServerLimits). Set them in code
/// through `WebApplicationBuilder.serverOptions`.
public struct ServerOptions: Sendable {
    /// nil: no limit. A connection over the limit is closed at once, with no response.
    public var maxConcurrentConnections: Int?
    /// nil: no limit. Over it, reading the body fails with 413.
    public var maxRequestBodySize: Int? = 30_000_000
    /// How much unread input a connection may hold before the server stops reading from it.
    public var maxRequestBufferSize: Int? = 1_048_576
    public var maxRequestHeaderCount = 100
    public var maxRequestHeadersTotalSize = 32_768
    public var maxRequestLineSize = 8_192
    /// How much unsent output a response may hold before writes wait.
    public var maxResponseBufferSize: Int? = 65_536
    /// How long an idle keep-alive connection is kept.
    public var keepAliveTimeout: Duration = .seconds(130)
    /// From a request's first byte to the end of its headers; over it, 408.
    public var requestHeadersTimeout: Duration = .seconds(30)
    /// nil disables the check. Too slow a body: 408 (or an abort once the response started).
    public var minRequestBodyDataRate: MinDataRate? = MinDataRate(bytesPerSecond: 240, gracePeriod: .seconds(5))
    /// nil disables the check. A client reading the response too slowly is disconnected.
    public var minResponseDataRate: MinDataRate? = MinDataRate(bytesPerSecond: 240, gracePeriod: .seconds(5))
    /// Accept a bare LF as a line end in request heads. Off by default, unlike Kestrel: a
    /// front proxy that reads LF differently is how requests get smuggled (RFC 9112 §2.2 allows both).
    public var allowsBareLineFeed = false
    /// Adds `Server: hostctl` to every response.
    public var addsServerHeader = true
    /// How long a graceful stop waits for requests in flight.
    public var shutdownTimeout: Duration = .seconds(30)
    /// Loops (threads) for the event-loop and io_uring servers; nil: one per CPU.
    public var eventLoopCount: Int?
    /// Layers every connection passes through between its transport and the HTTP protocol,
    /// outermost first: what a TLS layer plugs into, and what the test suite's pass-through
    /// layer uses to prove the seam. Empty by default.
    public var connectionLayers: [any ConnectionLayerFactory] = []
    /// HTTPS settings every https endpoint starts from (Kestrel's `ConfigureHttpsDefaults`).
    public var httpsDefaults = HTTPSOptions()
    /// HTTPS settings for one endpoint, by its name in `Kestrel:Endpoints` ("Https") or its
    /// URL as configured ("https://localhost:7001"): what they set wins over `httpsDefaults`
    /// and over the configuration (Kestrel's `ListenOptions.UseHttps`).
    public var httpsEndpoints: [String: HTTPSOptions] = [:]
    /// How long the server keeps reading an unread request body after the response, to
    /// keep the connection; after that (or past maxRequestBodySize) it closes instead.
    public var bodyDrainTimeout: Duration = .seconds(5)
    /// HTTP/2's own limits (Kestrel's `Limits.Http2`).
    public var http2 = HTTP2ServerLimits()

    // MARK: HTTP.sys's extras: the io_uring server applies these; the event-loop server ignores them.

    /// Requests handed to the app and not yet completed, counted across the whole server
    /// (HTTP.sys's RequestQueueLimit); must be greater than 0. A request that finds the queue
    /// full never reaches the app: see `requestQueueFullResponse`.
    public var requestQueueLimit: Int = 1000 {
        didSet { precondition(requestQueueLimit > 0, "The request queue limit must be greater than 0.") }
    }
    /// What a request that finds the queue full gets.
    public var requestQueueFullResponse: RequestQueueFullResponse = .reset
    /// nil: no response cache (the default). See `ResponseCacheOptions` for what is cached.
    public var responseCache: ResponseCacheOptions? = nil
    /// Offers `HTTPRequestTimingFeature` on every request.
    public var recordsRequestTiming = true

    public init() {}
}

/// The answer to a request that finds the request queue full (HTTP.sys's Http503Verbosity).
public enum RequestQueueFullResponse: Sendable, Equatable {
    /// The connection is reset (a TCP RST) and nothing is sent, so the client learns at once
    /// (HTTP.sys's default, Basic).
    case reset
    /// 503 Service Unavailable with an empty body, then the connection closes (Limited).
    case serviceUnavailable
}

/// HTTP.sys's kernel response cache, kept by the server: a GET answered 200 with
/// `Cache-Control: public` and `max-age` or `s-maxage` (and no Set-Cookie, Vary or Pragma),
/// with a known length (not chunked), is answered from memory, without the app, to any
/// client and to HEAD, until it expires. Requests with Authorization are never served from it.
public struct ResponseCacheOptions: Sendable, Equatable {
    /// Memory for all entries; past it, the least recently used ones go.
    public var maxBytes: Int
    /// A response larger than this (head and body) is not cached.
    public var maxEntryBytes: Int

    public init(maxBytes: Int = 16 * 1024 * 1024, maxEntryBytes: Int = 256 * 1024) {
        self.maxBytes = maxBytes
        self.maxEntryBytes = maxEntryBytes
    }
}

/// A minimum data rate with a grace period before it applies (Kestrel's MinDataRate).
public struct MinDataRate: Sendable, Equatable {
    public var bytesPerSecond: Double
    public var gracePeriod: Duration

    public init(bytesPerSecond: Double, gracePeriod: Duration) {
        precondition(gracePeriod > .seconds(1), "The grace period must be longer than the one-second heartbeat.")
        self.bytesPerSecond = bytesPerSecond
        self.gracePeriod = gracePeriod
    }
}

extension Duration {
    /// Whole nanoseconds, for monotonic-clock arithmetic.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
