import CHostctlLinux
import Glibc
import HostctlCore
import Synchronization

/// The work an event loop runs besides its I/O: jobs of the Swift tasks it is the executor
/// for, and closures. The loop's own thread queues without a lock; other threads queue
/// under one and wake the loop through an eventfd, only when no wake-up is pending
/// already (an atomic flag saves a write(2) per message).
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

    public init(wakeDescriptor: Int32) {
        self.wakeDescriptor = wakeDescriptor
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
            var one: UInt64 = 1
            _ = write(wakeDescriptor, &one, 8)
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

/// CPUs this process may use (honours `taskset`): the default number of loops.
public var availableProcessorCount: Int { Int(chl_available_cpus()) }
