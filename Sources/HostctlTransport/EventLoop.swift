import Glibc
import HostctlCore
import HostctlSystem

/// One event-loop thread, whatever it waits on: the part every transport shares. It owns the
/// thread (start, stop, join, and `current` for the code running on it), a run queue of
/// closures and of Swift tasks (the loop is a `TaskExecutor`, so its connections' tasks run
/// here), work to run after each batch of events, state that layers above keep per loop,
/// the acceptors of its listeners, and a heartbeat once a second.
///
/// A transport subclasses it and supplies only the waiting and the dispatching: epoll's
/// `epoll_wait`, io_uring's `io_uring_enter` with its reaping and provided buffers. `run()`
/// is the template: wait, read the clock, dispatch, run what the batch queued, after-events
/// work, heartbeat. A base class rather than a generic core over a backend protocol: the
/// hooks are called a couple of times per loop iteration, never per event (each event is
/// dispatched inside the transport's final subclass, with concrete types), so their one
/// virtual call costs nothing measurable, while a generic core would have to be
/// `@inlinable` across modules to be specialized, and would need a type-erased face anyway
/// for `current` and for the layers that only know "a loop".
///
/// Everything registered with a loop is touched only on its thread; other threads reach
/// it through `execute` and `enqueue` (see `LoopWorkQueue`).
open class EventLoop: EventLoopContext, @unchecked Sendable {
    public final let index: Int
    /// Read through an inlinable getter: another module reading a stored property directly
    /// pays a dynamic exclusivity check, whatever its `@exclusivity(unchecked)`.
    @inlinable public final var now: Int64 { _now }
    @exclusivity(unchecked) @usableFromInline final var _now: Int64
    /// The loop's run queue. Transports use it to run a batch's work as its events are handled.
    public final let work: LoopWorkQueue
    /// The eventfd whose write wakes the loop: the transport waits on it with its I/O.
    public final let wakeDescriptor: Int32
    private let threadName: String
    @exclusivity(unchecked) private var thread: NativeThread?
    private let startup = StartupSignal()

    @exclusivity(unchecked) private var acceptors: [ObjectIdentifier: ConnectionAcceptor] = [:]
    /// What layers above keep per loop (connection pools), by their owners' keys.
    @exclusivity(unchecked) private var localStates: [Int: any LoopLocalState] = [:]
    /// Work to run once every event of the current batch has been handled.
    @exclusivity(unchecked) private var afterEventsWork: [() -> Void] = []
    /// Work to retry at the next heartbeat (an accept that ran out of descriptors).
    @exclusivity(unchecked) private var heartbeatWork: [() -> Void] = []
    @exclusivity(unchecked) private var nextHeartbeat: Int64

    /// `wakeDescriptor` (an eventfd) is the loop's from now on: it is closed with the loop.
    /// `threadName` names the thread in top and perf ("hostctl-loop" becomes "hostctl-loop-0").
    public init(index: Int, threadName: String, wakeDescriptor: Int32) {
        self.index = index
        self.threadName = "\(threadName)-\(index)"
        self.wakeDescriptor = wakeDescriptor
        work = LoopWorkQueue(wakeDescriptor: wakeDescriptor)
        _now = MonotonicClock.now()
        nextHeartbeat = _now + 1_000_000_000
    }

    deinit {
        Glibc.close(wakeDescriptor)
    }

    public final var taskExecutor: any TaskExecutor { self }

    // MARK: What a transport supplies

    /// On the loop's thread, before its first wait: what must happen there (io_uring enables
    /// its ring, so that thread becomes its single issuer). A failure ends the loop at once,
    /// and `EventLoopGroup.start()` reports it.
    open func prepareThread() throws(SystemError) {}

    /// Waits until I/O is ready, a wake-up arrives, or `timeoutNanoseconds` pass (0: only
    /// looks). Returns false when the loop cannot go on (its ring broke): it then stops.
    open func waitForEvents(timeoutNanoseconds: Int64) -> Bool {
        fatalError("\(type(of: self)) must override waitForEvents(timeoutNanoseconds:)")
    }

    /// Hands what the wait found to the connections and listeners. Each event's work (the
    /// tasks its bytes woke) should run before the next event is looked at (`runQueued()`
    /// when `work.hasLocalWork`), as nginx handles an event to the end: the first
    /// connection's response leaves first, and its buffers are still in cache.
    open func dispatchEvents() {
        fatalError("\(type(of: self)) must override dispatchEvents()")
    }

    /// The loop is stopping and its per-loop states have closed what they held: close what
    /// is still registered, and let what is in flight finish, so no descriptor outlives it.
    open func finishRun() {}

    /// Opens a stream connection to `address` on this loop, registered like an accepted one
    /// (TCP_NODELAY for TCP). `handler` learns the outcome after this call returns:
    /// `connectionEstablished()`, or `connectionFailed(errno:)` (ECONNREFUSED…) then
    /// `transportClosed()`. Bytes sent before establishment wait in the transport and go
    /// out once it is established. Throws only when no socket could be made (EMFILE…).
    /// On the loop's thread.
    open func connect(to address: SocketAddress, handler: OutboundConnectionHandler) throws(SystemError) -> ConnectionTransport {
        fatalError("\(type(of: self)) must override connect(to:handler:)")
    }

    /// Starts accepting on the listening socket `descriptor` (which it takes over), handing
    /// each connection to `acceptor`. On the loop's thread, or before the loop runs. On
    /// failure the descriptor is closed.
    open func listen(descriptor: Int32, acceptor: ConnectionAcceptor, isTCP: Bool) throws(SystemError) -> LoopListener {
        fatalError("\(type(of: self)) must override listen(descriptor:acceptor:isTCP:)")
    }

    // MARK: Running

    /// Starts the loop's thread; `EventLoopGroup.start()` waits for `startupOutcome`.
    final func start() {
        thread = NativeThread(name: threadName) { [self] in run() }
    }

    /// Asks the loop to finish its run (from any thread); `join` waits for it.
    final func requestStop() {
        work.requestStop()
    }

    final func join() {
        thread?.join()
        thread = nil
    }

    /// Blocks until the loop's thread has prepared (or failed to): nil when it runs.
    final func waitForStartup() -> SystemError? {
        startup.wait()
    }

    private func run() {
        work.becomeOwner()
        EventLoop.setCurrent(self)
        defer { EventLoop.setCurrent(nil) }
        do throws(SystemError) {
            try prepareThread()
        } catch {
            startup.signal(error)
            return
        }
        startup.signal(nil)
        while !work.stopRequested {
            let busy = work.isBusy || !afterEventsWork.isEmpty
            guard waitForEvents(timeoutNanoseconds: busy ? 0 : max(1, nextHeartbeat - now)) else { break }
            _now = MonotonicClock.now()
            dispatchEvents()
            runQueued()
            if !afterEventsWork.isEmpty { runAfterEventsWork() }
            if now >= nextHeartbeat { heartbeat() }
        }
        for state in localStates.values { state.loopWillStop() }
        runQueued()  // the closes they asked for report back while the states are still there
        finishRun()
        runQueued()
        localStates.removeAll()
    }

    /// Runs queued closures and tasks (see `LoopWorkQueue.runAll`). On the loop's thread.
    public final func runQueued() {
        work.runAll(on: asUnownedTaskExecutor())
    }

    private func runAfterEventsWork() {
        // Work may queue more (its own sends completing): run until none is left.
        while !afterEventsWork.isEmpty {
            let batch = afterEventsWork
            afterEventsWork.removeAll(keepingCapacity: true)
            for item in batch { item() }
            runQueued()
        }
    }

    private func heartbeat() {
        nextHeartbeat = now + 1_000_000_000
        if !heartbeatWork.isEmpty {
            let retries = heartbeatWork
            heartbeatWork.removeAll()
            for retry in retries { retry() }
        }
        for acceptor in acceptors.values { acceptor.heartbeat(on: self) }
        for state in localStates.values { state.heartbeat(now: now) }
        runQueued()
    }

    // MARK: Queueing work

    public final func execute(_ work: @escaping @Sendable () -> Void) {
        self.work.add(work)
    }

    /// Runs `work` on the loop's thread after the current event (callers already on it): a
    /// transport tells a handler of a close this way, so a handler that closes is not re-entered.
    public final func runSoon(_ work: @escaping () -> Void) {
        self.work.addLocal(work)
    }

    public final func afterEvents(_ work: @escaping () -> Void) {
        afterEventsWork.append(work)
    }

    /// Runs `work` at the next heartbeat (within a second), on the loop's thread: a retry
    /// that should not spin (an accept out of descriptors).
    public final func runAtNextHeartbeat(_ work: @escaping () -> Void) {
        heartbeatWork.append(work)
    }

    // MARK: Acceptors (loop thread, or before the loop starts)

    /// `acceptor` gets this loop's heartbeat from now on.
    public final func addAcceptor(_ acceptor: ConnectionAcceptor) {
        acceptors[ObjectIdentifier(acceptor)] = acceptor
    }

    public final func removeAcceptor(_ acceptor: ConnectionAcceptor) {
        acceptors[ObjectIdentifier(acceptor)] = nil
    }

    // MARK: Per-loop state (loop thread only)

    public final func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State {
        if let existing = localStates[key] { return unsafeDowncast(existing as AnyObject, to: State.self) }
        let state = create()
        localStates[key] = state
        return state
    }
}

extension EventLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        work.add(job)
    }
}

// MARK: The current loop

/// Which loop the calling thread runs, kept in thread-specific data: code running in a
/// connection's task (on its loop's executor) finds the loop to open more connections on
/// without being handed it.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
    return key
}()

extension EventLoop {
    /// The loop whose thread is calling, on any transport; nil on any other thread.
    public static var current: EventLoop? {
        guard let raw = pthread_getspecific(currentLoopKey) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Set by the loop's thread as it starts running (the loop outlives its thread's run).
    fileprivate static func setCurrent(_ loop: EventLoop?) {
        pthread_setspecific(currentLoopKey, loop.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
    }
}

/// The outcome of a loop thread's preparation, which the thread starting the group waits
/// for. A pthread condition, so ThreadSanitizer sees the hand-over.
private final class StartupSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var signalled = false
    private var failure: SystemError?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func signal(_ failure: SystemError?) {
        pthread_mutex_lock(mutex)
        self.failure = failure
        signalled = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    func wait() -> SystemError? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !signalled { pthread_cond_wait(condition, mutex) }
        return failure
    }
}
