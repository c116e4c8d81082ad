/// The seam between a transport (epoll, io_uring) and the protocol that runs over a
/// connection (HTTP/1.1 today; TLS or HTTP/2 wrap or replace it later). Transports move
/// bytes and know nothing of HTTP; handlers know nothing of descriptors or rings.
///
/// Every call happens on the connection's event-loop thread.
///
/// ```swift
/// final class Echo: ConnectionHandler {
///     let inbound = ByteBuffer()
///     unowned let transport: ConnectionTransport
///     func receiveBuffer() -> ByteBuffer? { inbound }
///     func didReceive() { if let done = transport.send(inbound) { done.clear() } }
///     ...
/// }
/// ```
public protocol ConnectionHandler: AnyObject {
    /// Readiness transports (epoll) read straight into this buffer's writable space and
    /// then call `didReceive()`. Returning nil pauses reading (the handler has all it can
    /// hold); the handler calls `transport.resumeReading()` when it has room again.
    func receiveBuffer() -> ByteBuffer?

    /// New bytes were appended to the buffer from `receiveBuffer()`.
    func didReceive()

    /// Completion transports (io_uring) hand over bytes from their own buffers, valid only
    /// during the call: the handler copies what it keeps (all of it: nothing is dropped).
    /// Returns false when the handler now holds all it may: the transport stops receiving
    /// until `transport.resumeReading()` (bytes already received by then are still delivered).
    func received(_ bytes: UnsafeRawBufferPointer) -> Bool

    /// A send the transport could not finish at once has completed; the buffer is the
    /// handler's again (emptied), to reuse.
    func sendCompleted(_ buffer: ByteBuffer)

    /// The peer sent FIN: no more bytes will arrive.
    func inputClosed()

    /// The connection broke (reset, error). The transport closes it after this call.
    func connectionFailed(errno: Int32)

    /// The transport has closed the descriptor; nothing more will be delivered.
    func transportClosed()
}

/// The handler of a connection this side opened (a client: the front connecting to its app).
/// Everything else is as for accepted connections; a connect that fails (ECONNREFUSED,
/// ETIMEDOUT…) arrives as `connectionFailed(errno:)`, then `transportClosed()`.
public protocol OutboundConnectionHandler: ConnectionHandler {
    /// The connection is established: bytes sent before this are on their way now.
    func connectionEstablished()
}

/// What a handler can ask of its transport.
public protocol ConnectionTransport: AnyObject {
    /// Sends the readable bytes of `buffer`. Returns the buffer (emptied) when they were all
    /// written at once; otherwise the transport keeps it until `sendCompleted` hands it
    /// back. One send is in flight at a time: the handler must not send again before then.
    func send(_ buffer: ByteBuffer) -> ByteBuffer?

    /// Resumes reading after `receiveBuffer()` returned nil.
    func resumeReading()

    /// Closes the connection; unsent bytes are dropped. `transportClosed` follows.
    func close()

    /// Closes the connection with a TCP reset (SO_LINGER 0) instead of a FIN, as HTTP.sys
    /// throttles: the client learns at once that nothing will come. `transportClosed` follows.
    func reset()

    var localAddress: SocketAddress? { get }
    var remoteAddress: SocketAddress? { get }
}

/// Per-loop services a protocol layer uses: where its tasks run and what time it is.
public protocol EventLoopContext: AnyObject, Sendable {
    /// The loop's position in its group (0-based), for per-loop state.
    var index: Int { get }
    /// Runs tasks on the loop's thread: connection tasks are created with this preference.
    var taskExecutor: any TaskExecutor { get }
    /// Monotonic nanoseconds, read once per loop iteration.
    var now: Int64 { get }
    /// Runs `work` on the loop's thread (from any thread).
    func execute(_ work: @escaping @Sendable () -> Void)
}

/// The protocol side of a listener: decides what handles each new connection.
public protocol ConnectionAcceptor: AnyObject, Sendable {
    /// A connection was accepted on `loop`. Return its handler, or nil to close it at once
    /// (a connection limit, or a server that is shutting down).
    func accept(_ transport: ConnectionTransport, on loop: EventLoopContext) -> ConnectionHandler?

    /// Once a second on every loop: timeouts, cached dates.
    func heartbeat(on loop: EventLoopContext)
}
