/// Kestrel's minimum response data rate, for one connection: while the client has output
/// waiting on it, the time that passes and the bytes the transport reports sent meanwhile.
/// Watching starts at a heartbeat that finds output waiting (output that leaves between
/// heartbeats says nothing about the client, whether the transport writes at once, as epoll
/// does, or completes later, as io_uring does) and pauses once nothing waits; the totals carry
/// over, so a client that is slow now and then is judged on all its waits.
struct ResponseRateWatch {
    private(set) var observedSince: Int64?
    private var waitedNanoseconds: Int64 = 0
    private var bytesSentWhileWaiting = 0
    /// The transport's `sentByteCount` when progress was last counted.
    private var sentCountLastSeen = 0

    var isObserving: Bool { observedSince != nil }

    /// Starts watching: output waits on the client.
    mutating func start(now: Int64, sentCount: Int) {
        observedSince = now
        sentCountLastSeen = sentCount
    }

    /// Nothing waits on the client any more: the time watched so far is kept.
    mutating func pause(now: Int64, sentCount: Int) {
        guard let observed = observedSince else { return }
        count(sentCount)
        waitedNanoseconds += now - observed
        observedSince = nil
    }

    /// At a heartbeat while watching: whether the client has taken less than `rate` asks
    /// since the grace period ended.
    mutating func isTooSlow(now: Int64, sentCount: Int, rate: (bytesPerSecond: Double, grace: Int64)) -> Bool {
        guard let observed = observedSince else { return false }
        count(sentCount)
        let waited = waitedNanoseconds + (now - observed)
        return waited > rate.grace && Double(bytesSentWhileWaiting) < rate.bytesPerSecond * Double(waited) / 1e9
    }

    private mutating func count(_ sentCount: Int) {
        bytesSentWhileWaiting += sentCount - sentCountLastSeen
        sentCountLastSeen = sentCount
    }

    static let message = "The connection was timed out by the server because the response was not read by the client at the specified minimum data rate."
}
