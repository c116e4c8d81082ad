import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import HostctlTransport

/// Something registered with a loop's epoll set: a listener or a connection.
protocol EpollRegistrant: AnyObject {
    func handle(events: UInt32)
    /// The loop is stopping with it still registered.
    func close()
}

/// An event loop on epoll: an epoll set with the loop's eventfd in it, every registration
/// edge-triggered (connections) or level-triggered (listeners), its user data a slot and
/// generation in the loop's registration table. The thread, run queue, heartbeat and the
/// rest are `EventLoop`'s.
public final class EpollLoop: EventLoop, @unchecked Sendable {
    let epollDescriptor: Int32
    /// Registrations: epoll's user data is slot | generation << 32.
    @exclusivity(unchecked) private var registrations = RegistrationTable<any EpollRegistrant>()
    /// What the last wait found.
    @exclusivity(unchecked) private var readyCount = 0
    private let eventMasks = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)
    private let eventData = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)

    public init(index: Int) throws(SystemError) {
        epollDescriptor = try retryingInterrupts("epoll_create1") { chl_epoll_create() }
        let wakeDescriptor: Int32
        do {
            wakeDescriptor = try retryingInterrupts("eventfd") { chl_eventfd() }
        } catch {
            Glibc.close(epollDescriptor)
            throw error
        }
        super.init(index: index, threadName: "hostctl-loop", wakeDescriptor: wakeDescriptor)
        _ = chl_epoll_add(epollDescriptor, wakeDescriptor, CHL_EPOLLIN, UInt64.max)
    }

    deinit {
        Glibc.close(epollDescriptor)
        eventMasks.deallocate()
        eventData.deallocate()
    }

    // MARK: Waiting and dispatching

    public override func waitForEvents(timeoutNanoseconds: Int64) -> Bool {
        // epoll_wait counts in milliseconds: round up, so the heartbeat is never early.
        let milliseconds = timeoutNanoseconds == 0 ? 0 : Int32(min(timeoutNanoseconds / 1_000_000 + 1, 1000))
        readyCount = Int(chl_epoll_wait(epollDescriptor, eventMasks, eventData, 256, milliseconds))
        return true  // EINTR (a profiler's signal) is one more turn, nothing more
    }

    public override func dispatchEvents() {
        guard readyCount > 0 else { return }
        for i in 0..<readyCount {
            dispatch(eventMasks[i], eventData[i])
            if work.hasLocalWork { runQueued() }
        }
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

    public override func finishRun() {
        for registrant in registrations.registered { registrant.close() }
    }

    // MARK: Listening and connecting

    public override func listen(descriptor: Int32, acceptor: ConnectionAcceptor, isTCP: Bool) throws(SystemError) -> LoopListener {
        let listener = Listener(descriptor: descriptor, loop: self, acceptor: acceptor, isTCP: isTCP)
        do {
            try listener.start()
        } catch {
            listener.close()
            throw error
        }
        return listener
    }

    public override func connect(to address: SocketAddress, handler: OutboundConnectionHandler) throws(SystemError) -> ConnectionTransport {
        let fd = try OutboundSocket.open(for: address, nonBlocking: true)
        // Non-blocking: EINPROGRESS, then the first EPOLLOUT (or EPOLLERR) tells how it went.
        // EINTR means the same: the connect goes on in the background (connect(2)).
        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        let failure = result == 0 || errno == EINPROGRESS || errno == EINTR ? 0 : errno
        let connection = SocketConnection(descriptor: fd, loop: self, remote: address)
        do {
            try connection.attachConnecting(handler)
        } catch {
            Glibc.close(fd)
            throw error
        }
        if failure != 0 {
            // Refused at once (a Unix socket nobody listens on): reported like a late failure.
            runSoon { connection.connectFailed(failure) }
        }
        return connection
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
}

/// The epoll loops of a server.
public typealias EpollLoopGroup = EventLoopGroup<EpollLoop>

extension EventLoopGroup where Loop == EpollLoop {
    /// `count` epoll loops (at least one); their threads start with `start()`.
    public convenience init(count: Int) throws(SystemError) {
        try self.init(count: count) { index throws(SystemError) in try EpollLoop(index: index) }
    }
}
