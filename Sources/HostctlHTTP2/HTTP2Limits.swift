/// What one HTTP/2 connection accepts and announces. The first group is Kestrel's
/// `Http2Limits`, with its defaults and ranges; the second the request limits Kestrel applies
/// to HTTP/2 requests too; the third the defences against the known attacks, which Kestrel
/// keeps in AppContext switches or constants.
public struct HTTP2Limits: Sendable, Equatable {
    // MARK: Kestrel's Http2Limits

    /// SETTINGS_MAX_CONCURRENT_STREAMS: a stream beyond it is refused (REFUSED_STREAM). > 0.
    public var maxStreamsPerConnection = 100
    /// SETTINGS_HEADER_TABLE_SIZE: the HPACK table we keep for the client's headers. ≥ 0.
    public var headerTableSize = 4096
    /// SETTINGS_MAX_FRAME_SIZE: the largest frame payload we accept. 2¹⁴ to 2²⁴−1.
    public var maxFrameSize = 1 << 14
    /// The longest header name or value, Huffman-coded or decoded. > 0.
    public var maxRequestHeaderFieldSize = 32 * 1024
    /// The connection's receive window, opened by a WINDOW_UPDATE after the preface. 65535 to 2³¹−1.
    public var initialConnectionWindowSize = 1024 * 1024
    /// SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window. 65535 to 2³¹−1.
    public var initialStreamWindowSize = 768 * 1024
    /// After this long without a frame from the client, send a PING; nil never does (Kestrel's
    /// TimeSpan.MaxValue). ≥ 1 s.
    public var keepAlivePingDelay: Duration? = nil
    /// With no frame received this long after a keep-alive PING, the connection ends. ≥ 1 s.
    public var keepAlivePingTimeout: Duration = .seconds(20)
    /// SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441): requests may be extended CONNECTs
    /// (:method CONNECT with :protocol, a tunnel such as a WebSocket). Off, :protocol is an
    /// unknown pseudo-header and the request is malformed.
    public var enableExtendedConnect = false

    // MARK: KestrelServerLimits that apply to HTTP/2 requests

    /// :method, :scheme, :authority and :path together (a stream error beyond it).
    public var maxRequestLineSize = 8192
    /// Every field's name, value and 32 octets (HPACK's measure): SETTINGS_MAX_HEADER_LIST_SIZE.
    /// Beyond it the connection ends, as in Kestrel.
    public var maxRequestHeadersTotalSize = 32 * 1024
    /// Regular header fields of one request or its trailers (the connection ends beyond it).
    public var maxRequestHeaderCount = 100
    /// A header block (from HEADERS to END_HEADERS) and the preface must arrive within this.
    public var requestHeadersTimeout: Duration = .seconds(30)

    // MARK: Defences

    /// Streams kept for the app, finished or not, reset or not: past it a new stream is refused
    /// with ENHANCE_YOUR_CALM, as Kestrel does past max(2 × MaxStreamsPerConnection, 100).
    public var maxTrackedStreams: Int { max(2 * maxStreamsPerConnection, 100) }
    /// Streams refused with ENHANCE_YOUR_CALM: a burst of `burst`, then `perSecond`; past it
    /// the connection ends (Kestrel: 5 × MaxEnhanceYourCalmCount 20 over a 5 s window).
    public var refusedStreamRate = HTTP2RateLimit(burst: 100, perSecond: 20)
    /// RST_STREAM frames received plus those we send over protocol errors (Rapid Reset,
    /// CVE-2023-44487; MadeYouReset, CVE-2025-8671); nghttp2's defaults.
    public var resetRate = HTTP2RateLimit(burst: 1000, perSecond: 33)
    /// Frames that carry nothing: DATA without content or END_STREAM, header fragments without
    /// content or END_HEADERS, empty frames of unknown types (CVE-2019-9518).
    public var emptyFrameRate = HTTP2RateLimit(burst: 1000, perSecond: 100)
    /// The compressed header block, HEADERS plus every CONTINUATION (the CONTINUATION flood).
    public var maxHeaderBlockSize = 64 * 1024
    /// CONTINUATION frames in one header block.
    public var maxContinuationFrames = 32
    /// While the output buffer holds this many octets not yet sent, no more frames are read:
    /// the replies a flood of PINGs or SETTINGS asks for wait for the peer to read the ones
    /// already queued (CVE-2019-9512, 9515), and the driver stops reading the socket.
    public var maxPendingOutputForInput = 256 * 1024

    public init() {}

    /// Checks every value against its range; the message says which one is wrong, in Kestrel's words.
    public func validate() throws(HTTP2LimitsError) {
        func require(_ valid: Bool, _ message: String) throws(HTTP2LimitsError) {
            if !valid { throw HTTP2LimitsError(message: message) }
        }
        try require(maxStreamsPerConnection > 0, "MaxStreamsPerConnection: Value must be a positive number.")
        try require(headerTableSize >= 0, "HeaderTableSize: Value must be a non-negative number.")
        // The table's octets are addressed with 32 bits, and it may take twice its size.
        try require(headerTableSize <= Int(Int32.max), "HeaderTableSize: Value must be at most \(Int32.max).")
        try require(
            maxFrameSize >= HTTP2Setting.minimumMaxFrameSize && maxFrameSize <= HTTP2Setting.maximumMaxFrameSize,
            "MaxFrameSize: A value between \(HTTP2Setting.minimumMaxFrameSize) and \(HTTP2Setting.maximumMaxFrameSize) is required."
        )
        try require(maxRequestHeaderFieldSize > 0, "MaxRequestHeaderFieldSize: Value must be a positive number.")
        try require(
            initialConnectionWindowSize >= HTTP2Setting.defaultWindowSize && initialConnectionWindowSize <= HTTP2Setting.maximumWindowSize,
            "InitialConnectionWindowSize: A value between \(HTTP2Setting.defaultWindowSize) and \(HTTP2Setting.maximumWindowSize) is required."
        )
        try require(
            initialStreamWindowSize >= HTTP2Setting.defaultWindowSize && initialStreamWindowSize <= HTTP2Setting.maximumWindowSize,
            "InitialStreamWindowSize: A value between \(HTTP2Setting.defaultWindowSize) and \(HTTP2Setting.maximumWindowSize) is required."
        )
        try require(keepAlivePingDelay.map { $0 >= .seconds(1) } ?? true, "KeepAlivePingDelay: Value must be greater than or equal to 1 second.")
        try require(keepAlivePingTimeout >= .seconds(1), "KeepAlivePingTimeout: Value must be greater than or equal to 1 second.")
        try require(maxRequestLineSize > 0, "MaxRequestLineSize: Value must be a positive number.")
        try require(maxRequestHeadersTotalSize > 0, "MaxRequestHeadersTotalSize: Value must be a positive number.")
        try require(maxRequestHeaderCount > 0, "MaxRequestHeaderCount: Value must be a positive number.")
        try require(maxHeaderBlockSize > 0 && maxContinuationFrames >= 0 && maxPendingOutputForInput > 0, "HTTP/2 defence limits must be positive.")
    }
}

public struct HTTP2LimitsError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A token bucket: `burst` events at once, then `perSecond` on average. Time comes from the
/// driver's heartbeats (`refill`), so a test can play minutes in a loop.
public struct HTTP2RateLimit: Sendable, Equatable {
    public var burst: Int
    public var perSecond: Int

    public init(burst: Int, perSecond: Int) {
        self.burst = burst
        self.perSecond = perSecond
    }
}

/// The state of one `HTTP2RateLimit`.
struct HTTP2RateBudget {
    let limit: HTTP2RateLimit
    private var tokens: Int
    private var lastRefill: Int64?

    init(_ limit: HTTP2RateLimit) {
        self.limit = limit
        tokens = limit.burst
    }

    /// Takes one token; false when none is left.
    @inline(__always)
    mutating func take() -> Bool {
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }

    /// Adds the tokens earned since the last refill (monotonic nanoseconds).
    mutating func refill(now: Int64) {
        defer { lastRefill = now }
        guard let lastRefill, now > lastRefill else { return }
        let earned = Int((now - lastRefill) / 1_000_000) * limit.perSecond / 1000
        tokens = min(limit.burst, tokens + earned)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
