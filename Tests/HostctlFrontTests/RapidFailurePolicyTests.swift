import HostctlFront
import Testing

@Suite struct RapidFailurePolicyTests {
    let second: Int64 = 1_000_000_000

    @Test func startsAreAllowedUntilTheLimitIsReachedWithinTheWindow() {
        var policy = RapidFailurePolicy(limit: 3, window: .seconds(60))
        #expect(policy.blockedUntil(at: 0) == nil)
        policy.recordFailure(at: 1 * second)
        policy.recordFailure(at: 2 * second)
        #expect(policy.blockedUntil(at: 3 * second) == nil)
        policy.recordFailure(at: 3 * second)
        #expect(policy.blockedUntil(at: 4 * second) == 61 * second, "blocked until the oldest failure leaves the window")
    }

    @Test func theWindowRolls() {
        var policy = RapidFailurePolicy(limit: 2, window: .seconds(10))
        policy.recordFailure(at: 0)
        policy.recordFailure(at: 5 * second)
        #expect(policy.blockedUntil(at: 9 * second) == 10 * second)
        #expect(policy.blockedUntil(at: 10 * second) == nil, "the first failure has left the window")
        policy.recordFailure(at: 11 * second)
        #expect(policy.blockedUntil(at: 12 * second) == 15 * second, "now the second one is the oldest that counts")
        #expect(policy.failures == [5 * second, 11 * second])
    }

    @Test func failuresLongAgoAreForgotten() {
        var policy = RapidFailurePolicy(limit: 10, window: .seconds(60))
        for minute in 0..<100 { policy.recordFailure(at: Int64(minute) * 61 * second) }
        #expect(policy.failures.count == 1)
        #expect(policy.blockedUntil(at: 100 * 61 * second) == nil)
    }

    @Test func aLimitOfZeroStillAllowsTheFirstStart() {
        var policy = RapidFailurePolicy(limit: 0, window: .seconds(60))
        #expect(policy.blockedUntil(at: 0) == nil)
        policy.recordFailure(at: 0)
        #expect(policy.blockedUntil(at: 1) == 60 * second)
    }
}
