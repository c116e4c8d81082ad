/// Per-loop services a layer above the transport uses, the same on every transport: where its
/// tasks run, what time it is, work after the current batch of events, and state kept per loop.
/// (Opening connections is I/O, so it lives with the loops themselves: `EventLoop.connect`
/// in HostctlTransport.)
public protocol EventLoopContext: AnyObject, Sendable {
    /// The loop's position in its group (0-based), for per-loop state.
    var index: Int { get }
    /// Runs tasks on the loop's thread: connection tasks are created with this preference.
    var taskExecutor: any TaskExecutor { get }
    /// Monotonic nanoseconds, read once per loop iteration.
    var now: Int64 { get }
    /// Runs `work` on the loop's thread (from any thread).
    func execute(_ work: @escaping @Sendable () -> Void)

    /// Runs `work` once every event of the current batch has been handled (at once when
    /// called outside one). On the loop's thread only. What a batch's handlers send to a peer
    /// on the same machine then leaves together, and the peer wakes once for all of it
    /// rather than once per request.
    func afterEvents(_ work: @escaping () -> Void)

    /// The state kept on this loop under `key`, made by `create` on first use. A key must
    /// name one owner for the life of the loop (an id from a counter, not an address that
    /// could be reused). On the loop's thread only.
    func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State
}

extension EventLoopContext {
    /// Runs `work` on the loop's thread and returns once it has run: for a caller that must
    /// know a step is done there (a listener closed) before going on. The loop must be
    /// running (or about to run): a stopped loop runs nothing more.
    public func executeAndWait(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            execute {
                work()
                done.resume()
            }
        }
    }
}

/// State a layer keeps per loop (a pool of client connections): told of the loop's
/// heartbeat and of its end, on the loop's thread.
public protocol LoopLocalState: AnyObject {
    /// Once a second: timeouts, idle expiry. `now` is the loop's monotonic time.
    func heartbeat(now: Int64)
    /// The loop is stopping: close what is open (its descriptors would otherwise leak).
    func loopWillStop()
}

/// The protocol side of a listener: decides what handles each new connection.
public protocol ConnectionAcceptor: AnyObject, Sendable {
    /// A connection was accepted on `loop`. Return its handler, or nil to close it at once
    /// (a connection limit, or a server that is shutting down).
    func accept(_ transport: ConnectionTransport, on loop: EventLoopContext) -> ConnectionHandler?

    /// Once a second on every loop: timeouts, cached dates.
    func heartbeat(on loop: EventLoopContext)
}
