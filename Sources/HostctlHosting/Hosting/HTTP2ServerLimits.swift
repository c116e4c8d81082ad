/// Kestrel's HTTP/2 limits (`KestrelServerLimits.Http2`), with its defaults and ranges: set
/// them in code through `serverOptions.http2`, or in configuration under
/// `Kestrel:Limits:Http2` (`MaxStreamsPerConnection`, `HeaderTableSize`, `MaxFrameSize`,
/// `MaxRequestHeaderFieldSize`, `InitialConnectionWindowSize`, `InitialStreamWindowSize`,
/// `KeepAlivePingDelay`, `KeepAlivePingTimeout`). HTTP/2 requests also obey the request line,
/// header count, header size and header timeout limits of `ServerOptions`.
///
/// A value out of range stops the program where it is set, with Kestrel's message, as
/// Kestrel's setters throw.
public struct HTTP2ServerLimits: Sendable, Equatable {
    public static let minimumWindowSize = 65_535
    public static let maximumWindowSize = 2_147_483_647
    public static let minimumFrameSize = 16_384
    public static let maximumFrameSize = 16_777_215

    /// Streams open at once on a connection (SETTINGS_MAX_CONCURRENT_STREAMS); more are
    /// refused. Greater than 0.
    public var maxStreamsPerConnection = 100 {
        didSet { precondition(maxStreamsPerConnection > 0, "MaxStreamsPerConnection: Value must be a positive number.") }
    }
    /// The HPACK table kept for the client's header fields (SETTINGS_HEADER_TABLE_SIZE). 0 or more.
    public var headerTableSize = 4096 {
        didSet { precondition(headerTableSize >= 0, "HeaderTableSize: Value must be a non-negative number.") }
    }
    /// The largest frame payload accepted (SETTINGS_MAX_FRAME_SIZE): 2¹⁴ to 2²⁴−1.
    public var maxFrameSize = 16_384 {
        didSet {
            precondition(
                (Self.minimumFrameSize...Self.maximumFrameSize).contains(maxFrameSize),
                "MaxFrameSize: A value between \(Self.minimumFrameSize) and \(Self.maximumFrameSize) is required."
            )
        }
    }
    /// The longest header name or value, compressed or not. Greater than 0.
    public var maxRequestHeaderFieldSize = 32_768 {
        didSet { precondition(maxRequestHeaderFieldSize > 0, "MaxRequestHeaderFieldSize: Value must be a positive number.") }
    }
    /// How much request body the client may send on a connection before the app reads it:
    /// 65,535 to 2³¹−1.
    public var initialConnectionWindowSize = 1_048_576 {
        didSet { precondition(Self.isWindowSize(initialConnectionWindowSize), Self.windowSizeMessage("InitialConnectionWindowSize")) }
    }
    /// How much request body the client may send on one stream before the app reads it
    /// (SETTINGS_INITIAL_WINDOW_SIZE): 65,535 to 2³¹−1.
    public var initialStreamWindowSize = 786_432 {
        didSet { precondition(Self.isWindowSize(initialStreamWindowSize), Self.windowSizeMessage("InitialStreamWindowSize")) }
    }
    /// After this long without a frame from the client, the server sends a PING; nil (the
    /// default, Kestrel's TimeSpan.MaxValue) never does. At least 1 second.
    public var keepAlivePingDelay: Duration? = nil {
        didSet { precondition(keepAlivePingDelay.map { $0 >= .seconds(1) } ?? true, "KeepAlivePingDelay: Value must be greater than or equal to 1 second.") }
    }
    /// With no frame from the client this long after a keep-alive PING, the connection is
    /// closed. At least 1 second.
    public var keepAlivePingTimeout: Duration = .seconds(20) {
        didSet { precondition(keepAlivePingTimeout >= .seconds(1), "KeepAlivePingTimeout: Value must be greater than or equal to 1 second.") }
    }
    /// Announce SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441) and accept extended CONNECT
    /// requests: tunnels such as WebSockets over HTTP/2, which an app finds with
    /// `HTTPExtendedConnectFeature`. Off by default; the front turns it on.
    public var enableExtendedConnect = false

    public init() {}

    static func isWindowSize(_ value: Int) -> Bool { (minimumWindowSize...maximumWindowSize).contains(value) }

    static func windowSizeMessage(_ name: String) -> String {
        "\(name): A value between \(minimumWindowSize) and \(maximumWindowSize) is required."
    }
}
