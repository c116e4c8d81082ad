import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import HostctlTransport
import Synchronization

/// Something registered with a loop's epoll set: a listener or a connection.
protocol EpollRegistrant: AnyObject {
    func handle(events: UInt32)
}

/// One event-loop thread: an epoll set, an eventfd for wake-ups from other threads, a
/// run queue of closures and of Swift tasks (the loop is a `TaskExecutor`, so the tasks of
/// its connections run here), and a heartbeat once a second.
///
/// Everything registered with a loop is touched only on its thread; other threads reach
/// it through `execute` and `enqueue` (see `LoopWorkQueue`).
public final class EventLoop: EventLoopContext, @unchecked Sendable {
    public let index: Int
    @exclusivity(unchecked) public private(set) var now: Int64
    let epollDescriptor: Int32
    private let wakeDescriptor: Int32
    @exclusivity(unchecked) private var thread: NativeThread?
    /// The loop thread's id, published once it runs; other threads read it to learn that
    /// they are not the loop thread (so it is atomic, though it is written only once).

    /// Registrations: epoll's user data is slot | generation << 32.
    @exclusivity(unchecked) private var registrations = RegistrationTable<any EpollRegistrant>()
    let work: LoopWorkQueue

    @exclusivity(unchecked) private var acceptors: [ObjectIdentifier: ConnectionAcceptor] = [:]
    /// What layers above keep per loop (connection pools), by their owners' keys.
    @exclusivity(unchecked) private var localStates: [Int: any LoopLocalState] = [:]
    /// Work to run once every event of the current `epoll_wait` batch has been handled.
    @exclusivity(unchecked) private var afterEventsWork: [() -> Void] = []
    @exclusivity(unchecked) private var nextHeartbeat: Int64

    private let eventMasks = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)
    private let eventData = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)

    init(index: Int) throws(SystemError) {
        self.index = index
        epollDescriptor = try retryingInterrupts("epoll_create1") { chl_epoll_create() }
        do {
            wakeDescriptor = try retryingInterrupts("eventfd") { chl_eventfd() }
        } catch {
            Glibc.close(epollDescriptor)
            throw error
        }
        now = MonotonicClock.now()
        nextHeartbeat = now + 1_000_000_000
        work = LoopWorkQueue(wakeDescriptor: wakeDescriptor)
        _ = chl_epoll_add(epollDescriptor, wakeDescriptor, CHL_EPOLLIN, UInt64.max)
    }

    deinit {
        Glibc.close(epollDescriptor)
        Glibc.close(wakeDescriptor)
        eventMasks.deallocate()
        eventData.deallocate()
    }

    public var taskExecutor: any TaskExecutor { self }


    // MARK: Running

    func start() {
        thread = NativeThread(name: "hostctl-loop-\(index)") { [self] in run() }
    }

    /// Asks the loop to finish; `join` waits for it.
    func requestStop() {
        work.requestStop()
    }

    func join() { thread?.join() }

    private func run() {
        work.becomeOwner()
        EventLoop.setCurrent(self)
        defer { EventLoop.setCurrent(nil) }
        while !work.stopRequested {
            let busy = work.isBusy || !afterEventsWork.isEmpty
            let untilHeartbeat = max(0, Int((nextHeartbeat - now) / 1_000_000) + 1)
            let count = chl_epoll_wait(epollDescriptor, eventMasks, eventData, 256, busy ? 0 : Int32(min(untilHeartbeat, 1000)))
            now = MonotonicClock.now()
            if count > 0 {
                // Each event's work (the tasks its bytes woke) runs before the next event is
                // looked at, as nginx handles an event to the end: the first connection's
                // response leaves first, and its buffers are still in cache.
                for i in 0..<Int(count) {
                    dispatch(eventMasks[i], eventData[i])
                    if work.hasLocalWork { runQueued() }
                }
            }
            runQueued()
            if !afterEventsWork.isEmpty { runAfterEventsWork() }
            if now >= nextHeartbeat {
                nextHeartbeat = now + 1_000_000_000
                for acceptor in acceptors.values { acceptor.heartbeat(on: self) }
                for state in localStates.values { state.heartbeat(now: now) }
                runQueued()
            }
        }
        for state in localStates.values { state.loopWillStop() }
        runQueued()  // the closes they asked for report back before the states go
        localStates.removeAll()
    }

    private func dispatch(_ events: UInt32, _ data: UInt64) {
        if data == UInt64.max {
            Descriptor.drainEvent(wakeDescriptor)
            return
        }
        let slot = Int(truncatingIfNeeded: data & 0xFFFF_FFFF)
        let generation = UInt32(truncatingIfNeeded: data >> 32)
        registrations.entry(slot: slot, generation: generation)?.handle(events: events)
    }

    /// Runs `work` on this loop's thread once the current batch of events has been handled
    /// (at once when called outside one). On the loop's thread only. What a batch's handlers
    /// send to a peer on the same machine then leaves together, and the peer wakes once for
    /// all of it rather than once per request.
    public func afterEvents(_ work: @escaping () -> Void) {
        afterEventsWork.append(work)
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

    func runQueued() {
        work.runAll(on: asUnownedTaskExecutor())
    }

    // MARK: EventLoopContext

    public func execute(_ work: @escaping @Sendable () -> Void) {
        self.work.add(work)
    }

    /// Runs `work` on the loop thread after the current event (callers already on it).
    func runSoon(_ work: @escaping () -> Void) {
        self.work.addLocal(work)
    }

    // MARK: Registrations (loop thread only, or before the loop starts)

    func register(_ registrant: EpollRegistrant, descriptor: Int32, events: UInt32) throws(SystemError) -> Int {
        let (slot, generation) = registrations.add(registrant)
        let data = UInt64(slot) | UInt64(generation) << 32
        if chl_epoll_add(epollDescriptor, descriptor, events, data) != 0 {
            let error = SystemError.last("epoll_ctl(ADD)")
            release(slot: slot)
            throw error
        }
        return slot
    }

    /// Forgets a registration; the descriptor must be closed (or removed) by the caller.
    func release(slot: Int) {
        registrations.remove(slot: slot)
    }

    func addAcceptor(_ acceptor: ConnectionAcceptor) {
        acceptors[ObjectIdentifier(acceptor)] = acceptor
    }

    func removeAcceptor(_ acceptor: ConnectionAcceptor) {
        acceptors[ObjectIdentifier(acceptor)] = nil
    }

    // MARK: Per-loop state (loop thread only)

    /// The state kept on this loop under `key`, made by `create` on first use. A key must
    /// name one owner for the life of the loop (an id from a counter, not an address that
    /// could be reused). On the loop's thread.
    public func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State {
        if let existing = localStates[key] { return unsafeDowncast(existing as AnyObject, to: State.self) }
        let state = create()
        localStates[key] = state
        return state
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

extension EventLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        work.add(job)
    }
}
