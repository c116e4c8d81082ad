import HostctlHosting
import HostctlSystem

/// A connection's `HTTPRequestTimingFeature`, reused for request after request, so timing
/// allocates nothing per request. Loop-confined, like its connection.
///
/// The data-received stamp is the loop's `now`: when the loop woke with the bytes, so the
/// gap to the parse shows the wait behind the batch's other connections. The later stamps
/// read the loop's `StampClock` (the loop's `now` is read once per iteration; a clock read
/// per stamp cost 3 % of a pipelined request). A request's stamps stay readable once it is
/// over, until the first bytes of the next one.
final class RequestTimeline: HTTPRequestTimingFeature {
    private enum Phase { case idle, reading, inApplication }

    private let connectionAccepted: Int64
    /// The loop's.
    private let clock: StampClock
    /// `notYet` until stamped: a sentinel, not an Optional, since each Optional store is
    /// two (the value and its tag), and the clock is past it from boot on.
    @exclusivity(unchecked) private var dataReceived = notYet
    @exclusivity(unchecked) private var headersParsed = notYet
    @exclusivity(unchecked) private var handedToApplication = notYet
    @exclusivity(unchecked) private var responseCompleted = notYet
    @exclusivity(unchecked) private var phase = Phase.idle
    @exclusivity(unchecked) private var callbacks: [() -> Void] = []

    init(acceptedAt: Int64, clock: StampClock) {
        connectionAccepted = acceptedAt
        self.clock = clock
    }

    private static let notYet: Int64 = 0

    func timestamp(_ point: HTTPRequestTimingPoint) -> Int64? {
        let stamp = switch point {
        case .connectionAccepted: connectionAccepted
        case .dataReceived: dataReceived
        case .headersParsed: headersParsed
        case .handedToApplication: handedToApplication
        case .responseCompleted: responseCompleted
        }
        return stamp == Self.notYet ? nil : stamp
    }

    func onResponseCompleted(_ callback: @escaping () -> Void) {
        if phase == .inApplication { callbacks.append(callback) } else { callback() }
    }

    // MARK: Stamping, by the connection

    /// Bytes arrived while no request was being read or handled: the next one has begun.
    /// `now` is the loop's time, read as it woke with them.
    func requestBytesArrived(at now: Int64) {
        // The loop may have woken before the previous request ended (its end and these bytes
        // in one batch): stamps never go back past the connection's last one.
        if phase == .idle { begin(at: max(now, latestStamp)) }
    }

    /// The connection's most recent stamp (they are taken in this order).
    private var latestStamp: Int64 {
        max(connectionAccepted, dataReceived, headersParsed, handedToApplication, responseCompleted)
    }

    /// A whole head is parsed.
    func headParsed() {
        // Idle: the request was read behind the previous one (pipelined) and starts only now.
        // One clock read stamps both when the request starts only now.
        let now = clock.now()
        if phase == .idle { begin(at: now) }
        if headersParsed == Self.notYet { headersParsed = now }
    }

    @inline(__always)
    func handedToApp() {
        // One read stamps all three when the request starts only now (pipelined).
        let now = clock.now()
        if phase == .idle { begin(at: now) }
        if headersParsed == Self.notYet { headersParsed = now }
        handedToApplication = now
        phase = .inApplication
    }

    /// The request was answered without the app (from the cache) or turned away.
    func answeredWithoutApp() {
        phase = .idle
    }

    /// The request left the app: its response completed, or it was aborted. Runs the callbacks, once.
    /// The completion stamp is taken only for them: the response completes after the pipeline
    /// returns, so a callback is where it can be read, and a request without one is spared the
    /// clock read.
    @inline(__always)
    func requestEnded(responseCompleted completed: Bool) {
        guard phase == .inApplication else { return }
        phase = .idle
        if !callbacks.isEmpty { stampAndRunCallbacks(responseCompleted: completed) }
    }

    @inline(never)
    private func stampAndRunCallbacks(responseCompleted completed: Bool) {
        if completed { responseCompleted = clock.now() }
        // A callback that registers another runs it at once (the phase is idle), so the list
        // does not change while it is walked.
        for index in callbacks.indices { callbacks[index]() }
        callbacks.removeAll(keepingCapacity: true)
    }

    private func begin(at now: Int64) {
        dataReceived = now
        headersParsed = Self.notYet
        handedToApplication = Self.notYet
        responseCompleted = Self.notYet
        phase = .reading
    }
}
