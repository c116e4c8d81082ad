import HostctlHosting

/// Writing the current response: what the commit rules need to remember.
struct ResponseState {
    var committed = false
    var completed = false
    /// The status allows no body (1xx, 204, 304).
    var noBody = false
    var isHead = false
    var declaredLength: Int?
    var written = 0
}

/// Reading the current request's body, in the terms every version shares (the framing's
/// own state is the driver's).
struct RequestBodyState {
    /// The length the request declared, when it did.
    var declaredLength: Int?
    var started = false
    var delivered = 0
    var error: BadRequestError?
    /// Min-rate accounting: time the app spent waiting for body bytes, and the driver's
    /// count of body bytes received when it started reading.
    var waitedNanoseconds: Int64 = 0
    var waitStartedAt: Int64?
    var receivedAtStart = 0

    /// Whether the body comes in slower than `rate` allows: past the grace period, fewer
    /// bytes (`received` since reading started) than the rate over the time spent waiting.
    /// `now` is the loop's.
    @inline(__always)
    func isTooSlow(now: Int64, received: Int, rate: (bytesPerSecond: Double, grace: Int64)) -> Bool {
        guard let waitStarted = waitStartedAt else { return false }
        let waited = waitedNanoseconds + (now - waitStarted)
        guard waited > rate.grace else { return false }
        return Double(received - receivedAtStart) < rate.bytesPerSecond * Double(waited) / 1e9
    }

    /// The reader got what it waited for: the time counts, the clock stops.
    @inline(__always)
    mutating func stopWaiting(now: Int64) {
        guard let started = waitStartedAt else { return }
        waitedNanoseconds += now - started
        waitStartedAt = nil
    }
}
