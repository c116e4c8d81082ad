import CHostctlIOUring
import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import HostctlTransport

/// Something with operations in flight on a loop's ring: a listener or a connection.
protocol CompletionTarget: AnyObject {
    /// `loop` is the target's own, passed in: reading it there costs nothing, where each
    /// read of the target's unowned reference is a checked retain and release.
    func complete(_ operation: CompletionTag.Operation, result: Int32, flags: UInt32, on loop: IOUringLoop)
    /// Cancels what is in flight; the target lets go of its slot once the last completion is in.
    func close()
}

/// An event loop on io_uring: a ring it alone submits to and reaps, and a provided-buffer
/// ring for every receive on it. The heartbeat is driven by the ring's wait timeout (no
/// timer operations per connection). Other threads wake the loop through its eventfd, whose
/// read is itself an operation on the ring, so one io_uring_enter waits for sockets and
/// wake-ups alike. The thread, run queue, heartbeat and the rest are `EventLoop`'s.
public final class IOUringLoop: EventLoop, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var submissionEntries: UInt32 = 4096
        /// Multishot operations post many completions per submission: size for bursts.
        public var completionEntries: UInt32 = 32768
        /// Receive buffers (a power of two) and their size. A receive takes one per
        /// completion and gives it back once its bytes are copied out, so this bounds the
        /// completions in one batch, not the connections.
        public var bufferCount = 1024
        public var bufferSize = 4096

        public init() {}

        /// The smallest ring: enough to learn whether io_uring works here.
        public static var probe: Configuration {
            var configuration = Configuration()
            configuration.submissionEntries = 8
            configuration.completionEntries = 16
            configuration.bufferCount = 8
            return configuration
        }
    }

    /// The operations the loop submits, which the kernel must support.
    static let neededOperations: [(UInt8, String)] = [
        (UInt8(IORING_OP_ACCEPT.rawValue), "ACCEPT"), (UInt8(IORING_OP_CONNECT.rawValue), "CONNECT"),
        (UInt8(IORING_OP_RECV.rawValue), "RECV"), (UInt8(IORING_OP_SEND.rawValue), "SEND"),
        (UInt8(IORING_OP_READ.rawValue), "READ"), (UInt8(IORING_OP_ASYNC_CANCEL.rawValue), "ASYNC_CANCEL"),
        (UInt8(IORING_OP_POLL_ADD.rawValue), "POLL_ADD"),
    ]

    let uring: IOUring
    let buffers: ProvidedBuffers
    private let wakeValue = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
    @exclusivity(unchecked) private var registrations = RegistrationTable<any CompletionTarget>()
    /// Connections whose receive ended for want of buffers, re-armed once buffers are back.
    @exclusivity(unchecked) private var starved: [IOUringConnection] = []
    /// How often receives ran out of buffers, and sends went out in pieces (for tests and
    /// diagnosis; loop-thread only).
    @exclusivity(unchecked) var receiveStarvations = 0
    @exclusivity(unchecked) var shortSends = 0

    /// Sets up the ring (disabled until the loop's own thread enables it, which makes that
    /// thread its single issuer) and its buffers, on the calling thread, so every setup
    /// error surfaces here.
    public init(index: Int, configuration: Configuration) throws(IOUringError) {
        uring = try IOUring(entries: configuration.submissionEntries, completionEntries: configuration.completionEntries)
        let supported = uring.supportedOperations()
        let missing = Self.neededOperations.filter { !supported.contains($0.0) }.map(\.1)
        guard missing.isEmpty else { throw .missingOperations(missing) }
        buffers = try ProvidedBuffers(uring: uring, group: 0, count: configuration.bufferCount, size: configuration.bufferSize)
        let wakeDescriptor = chl_eventfd()
        guard wakeDescriptor >= 0 else { throw .system(call: "eventfd", errno: errno) }
        super.init(index: index, threadName: "hostctl-uring", wakeDescriptor: wakeDescriptor)
        armWakeRead()
    }

    deinit {
        wakeValue.deallocate()
    }

    // MARK: Waiting and dispatching

    public override func prepareThread() throws(SystemError) {
        let enabled = chu_ring_enable(uring.ring)
        guard enabled == 0 else { throw SystemError("io_uring_register(ENABLE_RINGS)", code: -enabled) }
    }

    public override func waitForEvents(timeoutNanoseconds: Int64) -> Bool {
        let waitFor: UInt32 = timeoutNanoseconds == 0 || uring.hasOverflowedCompletions ? 0 : 1
        let result = uring.submit(waitingFor: waitFor, timeoutNanoseconds: timeoutNanoseconds)
        if result < 0, result != -ETIME, result != -EBUSY, result != -EAGAIN {
            // Only a broken ring gets here (EBADF, EFAULT): nothing more can be done on it.
            let message = "hostctl: io_uring_enter failed on loop \(index): \(String(cString: strerror(-result)))\n"
            try? Descriptor.writeAll(STDERR_FILENO, Array(message.utf8))
            return false
        }
        return true
    }

    public override func dispatchEvents() {
        // Each completion's work (the tasks its bytes woke) runs before the next one is
        // looked at, as the epoll loop handles each event to the end.
        _ = uring.reapCompletions { userData, result, flags in
            dispatch(userData, result, flags)
            if work.hasLocalWork { runQueued() }
        }
        buffers.publish()
        if !starved.isEmpty { rearmStarved() }
    }

    @inline(__always)
    private func dispatch(_ userData: UInt64, _ result: Int32, _ flags: UInt32) {
        guard let tag = CompletionTag(userData) else { return }
        switch tag.operation {
        case .wake:
            armWakeRead()
        case .cancel, .nop:
            return  // a cancel's own result: the cancelled operation reports separately
        case .accept, .receive, .send, .connect, .writable:
            registrations.entry(slot: tag.slot, generation: tag.generation, bits: CompletionTag.generationBits)?
                .complete(tag.operation, result: result, flags: flags, on: self)
        }
    }

    /// Closes what is still registered and reaps until every operation in flight has
    /// completed (a descriptor closes only after its last completion), for at most a second:
    /// without it, whatever the per-loop states closed as the loop stopped would keep its
    /// descriptor open for the life of the process.
    public override func finishRun() {
        for target in registrations.registered { target.close() }
        let deadline = MonotonicClock.now() + 1_000_000_000
        while !registrations.isEmpty {
            let left = deadline - MonotonicClock.now()
            guard left > 0, waitForEvents(timeoutNanoseconds: left) else { return }
            dispatchEvents()
            runQueued()
        }
    }

    /// The eventfd read that other threads' wake-ups complete.
    private func armWakeRead() {
        let sqe = uring.nextSubmission()
        chu_prep_read(sqe, wakeDescriptor, wakeValue, 8, CompletionTag(slot: 0, generation: 0, operation: .wake).userData)
    }

    // MARK: Listening and connecting

    public override func listen(descriptor: Int32, acceptor: ConnectionAcceptor, isTCP: Bool) throws(SystemError) -> LoopListener {
        let listener = IOUringListener(descriptor: descriptor, loop: self, acceptor: acceptor, isTCP: isTCP)
        listener.start()
        return listener
    }

    public override func connect(to address: SocketAddress, handler: OutboundConnectionHandler) throws(SystemError) -> ConnectionTransport {
        let fd = try OutboundSocket.open(for: address, nonBlocking: false)
        let connection = IOUringConnection(descriptor: fd, loop: self, remote: address)
        connection.connect(to: address, handler: handler)
        return connection
    }

    // MARK: Receive buffers

    /// `connection`'s receive ended with ENOBUFS: re-arm it once this batch's buffers are back.
    func receiveStarved(_ connection: IOUringConnection) {
        receiveStarvations += 1
        starved.append(connection)
    }

    private func rearmStarved() {
        let waiting = starved
        starved.removeAll(keepingCapacity: true)
        for connection in waiting { connection.resumeAfterStarvation() }
    }

    // MARK: Registrations (loop thread, or before the loop starts)

    func register(_ target: CompletionTarget) -> (slot: Int, generation: UInt32) {
        registrations.add(target)
    }

    func unregister(slot: Int) {
        registrations.remove(slot: slot)
    }
}

/// The io_uring loops of a server.
public typealias IOUringLoopGroup = EventLoopGroup<IOUringLoop>

extension EventLoopGroup where Loop == IOUringLoop {
    /// Sets up every loop's ring and buffers, failing with the kernel's reason if io_uring
    /// is unavailable. Threads start with `start()`, which returns once each has enabled
    /// its ring (the thread that enables a ring becomes its only submitter).
    public convenience init(count: Int, configuration: IOUringLoop.Configuration = .init()) throws(IOUringError) {
        try self.init(count: count) { index throws(IOUringError) in try IOUringLoop(index: index, configuration: configuration) }
    }
}
