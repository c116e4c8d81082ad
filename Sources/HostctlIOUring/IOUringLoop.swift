import CHostctlIOUring
import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import HostctlTransport
import Synchronization

/// Something with operations in flight on a loop's ring: a listener or a connection.
protocol CompletionTarget: AnyObject {
    func complete(_ operation: CompletionTag.Operation, result: Int32, flags: UInt32)
}

/// One io_uring event-loop thread: a ring it alone submits to and reaps, a provided-buffer
/// ring for every receive on it, a run queue of closures and of Swift tasks (the loop is a
/// `TaskExecutor`, so its connections' tasks run here), and a heartbeat once a second that
/// the ring's wait timeout drives (no timer operations per connection).
///
/// Other threads wake the loop through an eventfd whose read is itself an operation on
/// the ring, so one io_uring_enter waits for sockets and wake-ups alike.
public final class IOUringLoop: EventLoopContext, @unchecked Sendable {
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

    public let index: Int
    @exclusivity(unchecked) public private(set) var now: Int64
    let uring: IOUring
    let buffers: ProvidedBuffers
    let work: LoopWorkQueue
    private let wakeDescriptor: Int32
    private let wakeValue = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
    @exclusivity(unchecked) private var registrations = RegistrationTable<any CompletionTarget>()
    /// Connections whose receive ended for want of buffers, re-armed once buffers are back.
    @exclusivity(unchecked) private var starved: [IOUringConnection] = []
    /// How often receives ran out of buffers, and sends went out in pieces (for tests and
    /// diagnosis; loop-thread only).
    @exclusivity(unchecked) var receiveStarvations = 0
    @exclusivity(unchecked) var shortSends = 0
    /// Listeners to re-arm at the next heartbeat (accept failed for want of descriptors).
    @exclusivity(unchecked) private var retryAtHeartbeat: [() -> Void] = []
    @exclusivity(unchecked) private var acceptors: [ObjectIdentifier: ConnectionAcceptor] = [:]
    @exclusivity(unchecked) private var nextHeartbeat: Int64
    @exclusivity(unchecked) private var thread: NativeThread?
    /// 0 until the loop thread has enabled its ring, then 1, or -errno if it could not.
    private let enableResult = Atomic<Int32>(0)

    /// Sets up the ring (disabled until the loop's own thread enables it, which makes that
    /// thread its single issuer) and its buffers, on the calling thread, so every setup
    /// error surfaces here.
    init(index: Int, configuration: Configuration) throws(IOUringError) {
        self.index = index
        uring = try IOUring(entries: configuration.submissionEntries, completionEntries: configuration.completionEntries)
        let supported = uring.supportedOperations()
        let needed: [(UInt8, String)] = [
            (UInt8(IORING_OP_ACCEPT.rawValue), "ACCEPT"), (UInt8(IORING_OP_RECV.rawValue), "RECV"),
            (UInt8(IORING_OP_SEND.rawValue), "SEND"), (UInt8(IORING_OP_READ.rawValue), "READ"),
            (UInt8(IORING_OP_ASYNC_CANCEL.rawValue), "ASYNC_CANCEL"),
        ]
        let missing = needed.filter { !supported.contains($0.0) }.map(\.1)
        guard missing.isEmpty else { throw .missingOperations(missing) }
        buffers = try ProvidedBuffers(uring: uring, group: 0, count: configuration.bufferCount, size: configuration.bufferSize)
        let eventDescriptor = chl_eventfd()
        guard eventDescriptor >= 0 else { throw .system(call: "eventfd", errno: errno) }
        wakeDescriptor = eventDescriptor
        work = LoopWorkQueue(wakeDescriptor: eventDescriptor)
        now = MonotonicClock.now()
        nextHeartbeat = now + 1_000_000_000
        armWakeRead()
    }

    deinit {
        Glibc.close(wakeDescriptor)
        wakeValue.deallocate()
    }

    public var taskExecutor: any TaskExecutor { self }


    // MARK: Running

    func start() {
        thread = NativeThread(name: "hostctl-uring-\(index)") { [self] in run() }
    }

    func requestStop() {
        work.requestStop()
    }

    func join() { thread?.join() }

    private func run() {
        work.becomeOwner()
        let enabled = chu_ring_enable(uring.ring)
        enableResult.store(enabled == 0 ? 1 : enabled, ordering: .releasing)
        guard enabled == 0 else { return }
        while !work.stopRequested {
            let waitFor: UInt32 = work.isBusy || uring.hasOverflowedCompletions ? 0 : 1
            let result = uring.submit(waitingFor: waitFor, timeoutNanoseconds: max(0, nextHeartbeat - now))
            now = MonotonicClock.now()
            if result < 0, result != -ETIME, result != -EBUSY, result != -EAGAIN {
                // Only a broken ring gets here (EBADF, EFAULT): nothing more can be done on it.
                let message = "hostctl: io_uring_enter failed on loop \(index): \(String(cString: strerror(-result)))\n"
                try? Descriptor.writeAll(STDERR_FILENO, Array(message.utf8))
                return
            }
            // Each completion's work (the tasks its bytes woke) runs before the next one is
            // looked at, as the epoll loop handles each event to the end.
            _ = uring.reapCompletions { userData, result, flags in
                dispatch(userData, result, flags)
                if work.hasLocalWork { runQueued() }
            }
            buffers.publish()
            if !starved.isEmpty { rearmStarved() }
            runQueued()
            if now >= nextHeartbeat {
                nextHeartbeat = now + 1_000_000_000
                heartbeat()
            }
        }
        runQueued()
    }

    @inline(__always)
    private func dispatch(_ userData: UInt64, _ result: Int32, _ flags: UInt32) {
        guard let tag = CompletionTag(userData) else { return }
        switch tag.operation {
        case .wake:
            armWakeRead()
        case .cancel, .nop:
            return  // a cancel's own result: the cancelled operation reports separately
        case .accept, .receive, .send:
            registrations.entry(slot: tag.slot, generation: tag.generation, bits: CompletionTag.generationBits)?
                .complete(tag.operation, result: result, flags: flags)
        }
    }

    private func runQueued() {
        work.runAll(on: asUnownedTaskExecutor())
    }

    private func heartbeat() {
        if !retryAtHeartbeat.isEmpty {
            let retries = retryAtHeartbeat
            retryAtHeartbeat.removeAll()
            for retry in retries { retry() }
        }
        for acceptor in acceptors.values { acceptor.heartbeat(on: self) }
        runQueued()
    }

    /// The eventfd read that other threads' wake-ups complete.
    private func armWakeRead() {
        let sqe = uring.nextSubmission()
        chu_prep_read(sqe, wakeDescriptor, wakeValue, 8, CompletionTag(slot: 0, generation: 0, operation: .wake).userData)
    }

    /// Whether the loop thread has enabled its ring: nil while it has not said, else the
    /// error it met (or none).
    var startupOutcome: Result<Void, IOUringError>? {
        let result = enableResult.load(ordering: .acquiring)
        if result == 0 { return nil }
        return result == 1 ? .success(()) : .failure(.system(call: "io_uring_register(ENABLE_RINGS)", errno: -result))
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

    func retryAtNextHeartbeat(_ retry: @escaping () -> Void) {
        retryAtHeartbeat.append(retry)
    }

    func addAcceptor(_ acceptor: ConnectionAcceptor) {
        acceptors[ObjectIdentifier(acceptor)] = acceptor
    }

    func removeAcceptor(_ acceptor: ConnectionAcceptor) {
        acceptors[ObjectIdentifier(acceptor)] = nil
    }

    // MARK: EventLoopContext

    public func execute(_ work: @escaping @Sendable () -> Void) {
        self.work.add(work)
    }

    /// Runs `work` on the loop thread after the current completion (callers already on it).
    func runSoon(_ work: @escaping () -> Void) {
        self.work.addLocal(work)
    }
}

extension IOUringLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        work.add(job)
    }
}
