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

    /// Sends `count` bytes of the file `descriptor` from `offset` without copying them
    /// through user space (sendfile(2) on both transports), in the
    /// send slot: nothing else may be sent until it is done. The descriptor stays the
    /// caller's and must stay open until then. A transport that cannot answers `.unsupported`.
    func sendFile(_ descriptor: Int32, offset: Int64, count: Int) -> FileSendResult
    /// Whether `sendFile` can work here (asked before anything is sent for a file).
    var canSendFiles: Bool { get }
    /// Says that a file follows the next bytes sent (the response head): a socket's
    /// transport sends them with MSG_MORE, so the head leaves with the file's first bytes
    /// instead of as a segment of its own. The caller follows it with `sendFile`, or closes
    /// the connection.
    func prepareToSendFile()

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

    /// Ends this side's output once the sends handed over have gone (a FIN: shutdown(2) with
    /// SHUT_WR) and keeps reading: the peer learns at once that nothing more will come, and
    /// what it still sends is read (and can be discarded) rather than answered with a reset
    /// that could destroy the last response before the peer reads it: a lingering close.
    /// Nothing may be sent after it; `close()` ends the connection as usual.
    func shutdownOutput()

    /// Closes the connection with a TCP reset (SO_LINGER 0) instead of a FIN, as HTTP.sys
    /// throttles: the client learns at once that nothing will come. `transportClosed` follows.
    func reset()

    /// This side's address (read when first asked: it costs a getsockname).
    var localAddress: SocketAddress? { get }
    /// The peer's address.
    var remoteAddress: SocketAddress? { get }
    /// What a TLS layer negotiated; nil on a connection without TLS.
    var tls: TLSConnectionInfo? { get }
    /// Whether sent bytes reach the socket unchanged (see the default below): what a
    /// zero-copy file send must ask before it bypasses the transport.
    var carriesBytesUnchanged: Bool { get }
}

extension ConnectionTransport {
    public var tls: TLSConnectionInfo? { nil }

    /// True when the bytes given to `send` reach the socket as they are, with nothing
    /// between that transforms or holds them (a socket's own transport). Only then may a
    /// response body go to the socket without passing through user space (sendfile(2));
    /// under a layer (TLS encrypts every byte, and this kernel has no kTLS) a file
    /// must go through the copy path. False unless a transport says otherwise.
    public var carriesBytesUnchanged: Bool { false }
}
