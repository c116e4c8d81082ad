import CHostctlIOUring
import Glibc

/// One io_uring instance, set up for a single thread that submits and reaps (SINGLE_ISSUER
/// with DEFER_TASKRUN: completions are processed only when that thread enters the kernel,
/// in batches, with no interrupts from other CPUs). The ring's shared memory is read and
/// written through CHostctlIOUring's ordered helpers.
final class IOUring {
    let ring: UnsafeMutablePointer<chu_ring>

    /// The setup flags every ring uses. DEFER_TASKRUN needs SINGLE_ISSUER; SUBMIT_ALL keeps
    /// a batch going past one bad entry (each failure still posts its completion);
    /// R_DISABLED lets one thread set the ring up and another (the loop's) enable it and
    /// so become its single issuer.
    static let setupFlags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_R_DISABLED

    /// A ring with `entries` submission slots and `completionEntries` completion slots
    /// (powers of two; multishot operations post many completions per submission, hence
    /// the larger completion queue).
    init(entries: UInt32, completionEntries: UInt32) throws(IOUringError) {
        ring = .allocate(capacity: 1)
        let result = chu_ring_init(ring, entries, completionEntries, Self.setupFlags)
        guard result == 0 else {
            ring.deallocate()
            throw IOUringError.setup(errno: -result)
        }
    }

    deinit {
        chu_ring_exit(ring)
        ring.deallocate()
    }

    /// A zeroed submission entry. When the queue is full, what is queued is submitted first
    /// (so callers never fail for lack of room).
    func nextSubmission() -> UnsafeMutablePointer<io_uring_sqe> {
        if let sqe = chu_get_sqe(ring) { return sqe }
        _ = submit(waitingFor: 0, timeoutNanoseconds: -1)
        guard let sqe = chu_get_sqe(ring) else {
            fatalError("io_uring: the kernel did not consume submissions after io_uring_enter")
        }
        return sqe
    }

    /// Submits what is queued and waits for `count` completions or the timeout (negative:
    /// none). Returns the number submitted, or -errno (-ETIME: timed out).
    @discardableResult
    func submit(waitingFor count: UInt32, timeoutNanoseconds: Int64) -> Int32 {
        while true {
            let result = chu_submit_and_wait(ring, count, timeoutNanoseconds)
            // EINTR: a signal (a profiler, a debugger) interrupted the wait; nothing was lost.
            if result == -EINTR { continue }
            return result
        }
    }

    /// Turns the queued, not yet submitted operation tagged `userData` into a no-op; true
    /// when there was one (the kernel will never start it).
    func withdraw(_ userData: UInt64) -> Bool {
        chu_withdraw_unsubmitted(ring, userData, CompletionTag(slot: 0, generation: 0, operation: .nop).userData) > 0
    }

    /// The kernel holds completions that did not fit the queue: an enter flushes them.
    var hasOverflowedCompletions: Bool { chu_sq_flags(ring) & UInt32(IORING_SQ_CQ_OVERFLOW) != 0 }

    /// Calls `body` with each ready completion, then gives their slots back to the kernel.
    /// Returns how many there were.
    @inline(__always)
    func reapCompletions(_ body: (_ userData: UInt64, _ result: Int32, _ flags: UInt32) -> Void) -> Int {
        var head: UInt32 = 0
        let ready = chu_cq_ready(ring, &head)
        guard ready > 0 else { return 0 }
        for index in 0..<ready {
            let cqe = chu_cqe_at(ring, head &+ index)!
            body(cqe.pointee.user_data, cqe.pointee.res, cqe.pointee.flags)
        }
        chu_cq_advance(ring, ready)
        return Int(ready)
    }

    /// Which opcodes the running kernel supports.
    func supportedOperations() -> Set<UInt8> {
        var supported = [UInt8](repeating: 0, count: 256)
        guard chu_probe_opcodes(ring, &supported, 256) == 0 else { return [] }
        return Set(supported.indices.filter { supported[$0] != 0 }.map { UInt8($0) })
    }
}
