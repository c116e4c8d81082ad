import CHostctlLinux
import Glibc
import HostctlCore
import HostctlSystem
import Synchronization

/// The work an event loop runs besides its I/O: jobs of the Swift tasks it is the executor
/// for, and closures. The loop's own thread queues without a lock; other threads queue
/// under one and wake the loop through an eventfd, only when no wake-up is pending
/// already (an atomic flag saves a write(2) per message).
///
/// It also knows its loop's thread (the owner), so `add` picks the lock-free path there,
/// and carries the loop's stop request.
///
/// Touched by the loop thread except where a method says otherwise.
public final class LoopWorkQueue: @unchecked Sendable {
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var localWork: [() -> Void] = []
    private let remoteLock = Lock()
    @exclusivity(unchecked) private var remoteJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var remoteWork: [() -> Void] = []
    private let wakePending = Atomic<Bool>(false)
    /// The eventfd the loop watches; a write makes its wait return.
    private let wakeDescriptor: Int32

    /// The loop thread's pthread id once it runs; 0 before.
    private let owner = Atomic<UInt>(0)
    private let stopFlag = Atomic<Bool>(false)

    public init(wakeDescriptor: Int32) {
        self.wakeDescriptor = wakeDescriptor
    }

    // MARK: The owner thread and its stop request

    /// Called by the loop's thread as it starts running.
    public func becomeOwner() { owner.store(UInt(pthread_self()), ordering: .relaxed) }

    /// Whether the caller runs on the loop's thread. From any thread.
    public var isOnOwnerThread: Bool { owner.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Asks the loop to finish its run and wakes it. From any thread.
    public func requestStop() {
        stopFlag.store(true, ordering: .releasing)
        wake()
    }

    public var stopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    // MARK: Queueing

    /// Queues `job` from any thread: without a lock on the loop's own.
    public func add(_ job: UnownedJob) {
        if isOnOwnerThread { localJobs.append(job) } else { addRemote(job) }
    }

    /// Queues `work` from any thread: without a lock on the loop's own.
    public func add(_ work: @escaping () -> Void) {
        if isOnOwnerThread { localWork.append(work) } else { addRemote(work) }
    }

    /// Something is queued, or another thread is about to hand work over: the loop
    /// should poll for I/O without blocking.
    public var isBusy: Bool {
        !localJobs.isEmpty || !localWork.isEmpty || wakePending.load(ordering: .relaxed)
    }

    public var hasLocalWork: Bool { !localJobs.isEmpty || !localWork.isEmpty }

    public func addLocal(_ job: UnownedJob) { localJobs.append(job) }

    public func addLocal(_ work: @escaping () -> Void) { localWork.append(work) }

    /// From any thread.
    public func addRemote(_ job: UnownedJob) {
        remoteLock.withLock { remoteJobs.append(job) }
        wake()
    }

    /// From any thread.
    public func addRemote(_ work: @escaping () -> Void) {
        remoteLock.withLock { remoteWork.append(work) }
        wake()
    }

    /// Makes the loop's wait return, unless a wake-up is already on its way. From any thread.
    public func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            Descriptor.signalEvent(wakeDescriptor)
        }
    }

    /// Runs queued closures and jobs until none are left, in a bounded number of rounds so
    /// a task that keeps re-enqueueing itself cannot starve the sockets.
    public func runAll(on executor: UnownedTaskExecutor) {
        for _ in 0..<64 {
            if wakePending.load(ordering: .acquiring) { takeRemote() }
            if localWork.isEmpty && localJobs.isEmpty { return }
            if !localWork.isEmpty {
                let work = localWork
                localWork.removeAll(keepingCapacity: true)
                for item in work { item() }
            }
            if !localJobs.isEmpty {
                let jobs = localJobs
                localJobs.removeAll(keepingCapacity: true)
                for job in jobs { job.runSynchronously(on: executor) }
            }
        }
    }

    private func takeRemote() {
        wakePending.store(false, ordering: .releasing)
        remoteLock.withLock {
            if !remoteWork.isEmpty {
                localWork.append(contentsOf: remoteWork)
                remoteWork.removeAll(keepingCapacity: true)
            }
            if !remoteJobs.isEmpty {
                localJobs.append(contentsOf: remoteJobs)
                remoteJobs.removeAll(keepingCapacity: true)
            }
        }
    }
}
