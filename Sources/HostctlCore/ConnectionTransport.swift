/// What a handler can ask of the transport under it: a socket's transport, or a layer (TLS)
/// that is a transport toward the protocol above it and a handler toward the one below.
public protocol ConnectionTransport: AnyObject {
    /// Sends the readable bytes of `buffer`. Returns the buffer (emptied) when they were all
    /// handed on at once; otherwise the transport keeps it until `sendCompleted` hands it
    /// back. One send is in flight at a time: the handler must not send again before then.
    func send(_ buffer: ByteBuffer) -> ByteBuffer?

    /// How many of the bytes given to `send` have left so far (handed to the kernel, or to
    /// the layer below), counted over the connection's life. A send still in flight moves
    /// it as its bytes go, so the minimum response data rate can watch a slow reader.
    var sentByteCount: Int { get }

    /// Resumes reading after `receiveBuffer()` returned nil.
    func resumeReading()

    /// Delivers everything from now on to `handler` instead: a protocol driver that finds
    /// the connection speaks another protocol hands it over (HTTP/1.1 seeing HTTP/2's
    /// client preface on a cleartext endpoint for both), so the new driver is called
    /// directly, with nothing in between. Called from inside a callback to the current
    /// handler, on the loop's thread, with no send in flight; reading goes on as it was (the
    /// next bytes go into the new handler's `receiveBuffer()`).
    func replaceHandler(with handler: ServedConnection)

    /// Closes the connection; unsent bytes are dropped. `transportClosed` follows.
    func close()

    /// Closes the connection with a TCP reset (SO_LINGER 0) instead of a FIN, as HTTP.sys
    /// throttles: the client learns at once that nothing will come. `transportClosed` follows.
    func reset()

    /// This side's address (read when first asked: it costs a getsockname).
    var localAddress: SocketAddress? { get }
    /// The peer's address.
    var remoteAddress: SocketAddress? { get }
    /// What a TLS layer negotiated; nil on a connection without TLS.
    var tls: TLSConnectionInfo? { get }
}

extension ConnectionTransport {
    public var tls: TLSConnectionInfo? { nil }
}
