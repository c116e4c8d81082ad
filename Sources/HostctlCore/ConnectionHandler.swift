/// The seam between a transport (epoll, io_uring, or a layer such as TLS) and whatever runs
/// over a connection (an HTTP driver, or the next layer up). Transports move bytes and know
/// nothing of HTTP; handlers know nothing of descriptors or rings.
///
/// Bytes come in by one road on every transport: the transport asks for a buffer, puts what
/// it received after the buffer's written bytes, and says how many. A readiness transport
/// (epoll) reads straight into it; a completion transport (io_uring) copies from its own
/// receive buffers; a layer copies (or decrypts) into it. So a handler sees the same calls
/// for the same bytes, whichever transport carries them.
///
/// Every call happens on the connection's event-loop thread.
///
/// ```swift
/// final class Echo: ConnectionHandler {
///     var inbound: ByteBuffer? = ByteBuffer(capacity: 4096)
///     unowned let transport: ConnectionTransport
///     func receiveBuffer() -> ByteBuffer? { inbound.map { $0.reserveWritable(4096); return $0 } }
///     func didReceive(_ count: Int) {
///         guard let bytes = inbound else { return }
///         inbound = nil                                  // with the transport until sent
///         if let done = transport.send(bytes) { done.clear(); inbound = done }
///     }
///     func sendCompleted(_ buffer: ByteBuffer) { buffer.clear(); inbound = buffer; transport.resumeReading() }
///     ...
/// }
/// ```
public protocol ConnectionHandler: AnyObject {
    /// The buffer the next received bytes go into, with writable space after its written
    /// bytes. Returning nil pauses reading: the handler holds all it may for now, and calls
    /// `transport.resumeReading()` when it has room again. Bytes a transport already holds
    /// when reading pauses are kept and delivered after the resume, never dropped.
    func receiveBuffer() -> ByteBuffer?

    /// `count` bytes (at least one) were appended to the buffer `receiveBuffer()` returned.
    func didReceive(_ count: Int)

    /// A send the transport could not finish at once has completed; the buffer is the
    /// handler's again (emptied), to reuse.
    func sendCompleted(_ buffer: ByteBuffer)

    /// A file send that `sendFile` answered `.pending` for is done (`error` nil), or failed
    /// (then the connection is closing).
    func fileSendCompleted(error: Int32?)

    /// The peer sent FIN: no more bytes will arrive (every byte before it was delivered).
    func inputClosed()

    /// The connection broke (reset, error). The transport closes it after this call.
    func connectionFailed(errno: Int32)

    /// The transport has closed the connection; nothing more will be delivered.
    func transportClosed()
}

/// The handler of a connection this side opened (a client: the front connecting to its app).
/// Everything else is as for accepted connections; a connect that fails (ECONNREFUSED,
/// ETIMEDOUT…) arrives as `connectionFailed(errno:)`, then `transportClosed()`.
public protocol OutboundConnectionHandler: ConnectionHandler {
    /// The connection is established: bytes sent before this are on their way now.
    func connectionEstablished()
}
