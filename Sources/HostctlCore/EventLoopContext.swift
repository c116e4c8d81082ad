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
