import CHostctlIOUring
import Glibc
@testable import HostctlIOUring
import HostctlTestSupport
import Testing

/// The ring itself, driven by hand on the test's thread (it becomes the ring's only submitter).
@Suite struct RingTests {
    /// A ring this thread may submit to, or a skip saying why io_uring is unavailable here.
    static func enabledRing(entries: UInt32, completionEntries: UInt32) throws -> IOUring {
        let uring: IOUring
        do { uring = try IOUring(entries: entries, completionEntries: completionEntries) } catch {
            try IOUringAvailability.skip(because: error.description)
        }
        try #require(chu_ring_enable(uring.ring) == 0)
        return uring
    }

    /// More completions than the completion queue holds: the kernel keeps the rest (NODROP),
    /// flags the overflow, and hands them over on the next enter. None is lost or repeated.
    @Test func completionQueueOverflowLosesNothing() throws {
        let uring = try Self.enabledRing(entries: 8, completionEntries: 16)
        let total = 100
        for index in 0..<total {
            chu_prep_nop(uring.nextSubmission(), CompletionTag(slot: index, generation: 0, operation: .nop).userData)
        }
        #expect(uring.submit(waitingFor: 0, timeoutNanoseconds: -1) >= 0)
        var seen = [Int](repeating: 0, count: total)
        var sawOverflow = false
        for _ in 0..<100 where seen.reduce(0, +) < total {
            sawOverflow = sawOverflow || uring.hasOverflowedCompletions
            _ = uring.reapCompletions { userData, result, _ in
                #expect(result == 0)
                if let tag = CompletionTag(userData) { seen[tag.slot] += 1 }
            }
            uring.submit(waitingFor: 0, timeoutNanoseconds: -1)  // flushes the kernel's overflow list
        }
        #expect(sawOverflow, "100 completions for a queue of 16 must overflow")
        #expect(seen == [Int](repeating: 1, count: total))
        #expect(chu_cq_overflow_count(uring.ring) == 0, "nothing dropped")
    }

    /// A full submission queue is submitted to make room, so a burst never fails.
    @Test func aFullSubmissionQueueIsSubmittedToMakeRoom() throws {
        let uring = try Self.enabledRing(entries: 4, completionEntries: 64)
        for index in 0..<20 {
            chu_prep_nop(uring.nextSubmission(), CompletionTag(slot: index, generation: 0, operation: .nop).userData)
        }
        uring.submit(waitingFor: 20, timeoutNanoseconds: 5_000_000_000)
        var count = 0
        _ = uring.reapCompletions { _, _, _ in count += 1 }
        #expect(count == 20)
    }

    @Test func theProbeFindsTheOperationsTheServerNeeds() throws {
        let uring = try Self.enabledRing(entries: 4, completionEntries: 8)
        let supported = uring.supportedOperations()
        for (operation, name) in IOUringLoop.neededOperations {
            #expect(supported.contains(operation), "\(name)")
        }
        #expect(supported.contains(UInt8(IORING_OP_NOP.rawValue)))
    }

    @Test func tagsRoundTripAndRejectForeignUserData() {
        let tag = CompletionTag(slot: 123_456, generation: 0x1_2345, operation: .send)
        #expect(CompletionTag(tag.userData) == tag)
        #expect(CompletionTag(tag.userData)?.generation == 0x2345, "16 bits of generation")
        #expect(CompletionTag(0) == nil)
        #expect(CompletionTag(UInt64.max) == nil)
    }

    @Test func setupFailuresAreExplained() {
        #expect(IOUringError.explainSetup(EPERM, disabledSetting: 2, kernel: "Linux 6.8") == "io_uring is disabled on this machine (sysctl kernel.io_uring_disabled = 2)")
        #expect(IOUringError.explainSetup(EPERM, disabledSetting: 0, kernel: "Linux 6.8").contains("seccomp"))
        #expect(IOUringError.explainSetup(EPERM, disabledSetting: 1, kernel: "Linux 6.8").contains("io_uring_group"))
        #expect(IOUringError.explainSetup(ENOSYS, disabledSetting: nil, kernel: "Linux 4.19").contains("no io_uring"))
        #expect(IOUringError.explainSetup(EINVAL, disabledSetting: 0, kernel: "Linux 5.15").contains("Linux 6.1 or later is needed; this is Linux 5.15"))
    }
}
