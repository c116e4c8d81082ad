import HostctlHosting

/// ANCM's `rapidFailsPerMinute`: how many times the app may fail (crash, or fail to
/// start) within a rolling window before the front stops starting it. Past the limit,
/// requests get 503 until the oldest failure in the window has aged out of it.
///
/// Pure: times are monotonic nanoseconds passed in, so tests need no clock.
public struct RapidFailurePolicy: Sendable, Equatable {
    /// Failures allowed within `window` (ANCM: 10, range 0–100; 0 is read as 1).
    public let limit: Int
    /// The window's length in nanoseconds (ANCM: one minute).
    public let window: Int64
    /// Failure times within the window, oldest first.
    public private(set) var failures: [Int64] = []

    public init(limit: Int = 10, window: Duration = .seconds(60)) {
        self.limit = max(1, limit)
        self.window = max(1, window.nanoseconds)
    }

    public mutating func recordFailure(at now: Int64) {
        forget(before: now)
        failures.append(now)
    }

    /// nil when the app may be started at `now`; otherwise the time from which it may.
    public mutating func blockedUntil(at now: Int64) -> Int64? {
        forget(before: now)
        guard failures.count >= limit else { return nil }
        // Starting becomes possible once enough failures have left the window.
        return failures[failures.count - limit] + window
    }

    /// Drops failures that are a whole window old or older.
    private mutating func forget(before now: Int64) {
        failures.removeAll { now - $0 >= window }
    }
}
