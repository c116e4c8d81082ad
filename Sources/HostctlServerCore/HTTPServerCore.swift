import HostctlCore
import HostctlHosting
import Synchronization

/// The HTTP side of a server, shared by every transport: it accepts connections from
/// the transport's loops, drives each with an `HTTP1Connection`, runs timeouts once a
/// second, and drains connections when the server stops. It owns no descriptor and
/// knows no epoll or io_uring.
public final class HTTPServerCore: ConnectionAcceptor, @unchecked Sendable {
    let application: HTTPApplication
    let settings: ConnectionSettings
    let maxConcurrentConnections: Int?
    /// HTTP.sys's extras (request queue limit, request timing, response cache); nil unless
    /// the transport asked for them.
    let extras: HTTPSysExtras?
    /// One per loop, created up front; each is touched only on its own loop's thread.
    private let loops: [LoopState]
    private let connectionCount = Atomic<Int>(0)
    private let nextConnectionID: Atomic<UInt64>

    /// With `appliesHTTPSysExtras`, the core applies the options marked as HTTP.sys's extras
    /// (`requestQueueLimit`, `responseCache`, `recordsRequestTiming`); without, it ignores
    /// them and its request path pays nothing for them.
    public init(application: HTTPApplication, options: ServerOptions, loopCount: Int, appliesHTTPSysExtras: Bool = false) {
        self.application = application
        self.settings = ConnectionSettings(options)
        self.maxConcurrentConnections = options.maxConcurrentConnections
        self.extras = appliesHTTPSysExtras ? HTTPSysExtras(options) : nil
        self.loops = (0..<loopCount).map { _ in LoopState() }
        var seed = timespec()
        clock_gettime(CLOCK_REALTIME, &seed)
        nextConnectionID = Atomic(UInt64(seed.tv_sec) << 24 ^ UInt64(seed.tv_nsec))
    }

    /// Connections open now, on every loop.
    public var activeConnections: Int { connectionCount.load(ordering: .relaxed) }

    // MARK: ConnectionAcceptor

    public func accept(_ transport: ConnectionTransport, on loop: EventLoopContext) -> ConnectionHandler? {
        let state = loops[loop.index]
        if state.isDraining { return nil }
        if let limit = maxConcurrentConnections {
            // Reserve a place first, so two loops cannot both take the last one.
            let (old, _) = connectionCount.wrappingAdd(1, ordering: .relaxed)
            if old >= limit {
                connectionCount.wrappingSubtract(1, ordering: .relaxed)
                return nil
            }
        } else {
            connectionCount.wrappingAdd(1, ordering: .relaxed)
        }
        let id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        let connection = HTTP1Connection(transport: transport, loop: loop, state: state, core: self, id: id)
        state.add(connection)
        return connection
    }

    public func heartbeat(on loop: EventLoopContext) {
        let state = loops[loop.index]
        state.dates.refresh()
        let now = loop.now
        state.forEach { $0.heartbeat(now: now) }
        state.releaseMemoryIfWorthIt(now: now)
    }

    func connectionClosed(_ connection: HTTP1Connection) {
        connection.state.remove(connection)
        connectionCount.wrappingSubtract(1, ordering: .relaxed)
    }

    // MARK: Stopping

    /// Graceful stop (Kestrel's): no new connections; idle ones close now; busy ones close
    /// after their current response; once `timeout` passes, the rest are aborted.
    /// `loops` runs a closure on each loop's thread.
    public func shutdown(timeout: Duration, on loopContexts: [EventLoopContext]) async {
        for context in loopContexts {
            let state = loops[context.index]
            context.execute { state.beginDraining() }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while activeConnections > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        guard activeConnections > 0 else { return }
        for context in loopContexts {
            let state = loops[context.index]
            context.execute { state.abortAll() }
        }
        let abortDeadline = clock.now + .seconds(5)
        while activeConnections > 0, clock.now < abortDeadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// What one loop keeps: its connections and its cached Date header. Used only on that
/// loop's thread, so it needs no locks.
final class LoopState: @unchecked Sendable {
    let dates = DateCache()
    @exclusivity(unchecked) private(set) var isDraining = false
    @exclusivity(unchecked) private var connections: [ObjectIdentifier: HTTP1Connection] = [:]
    /// Connections that went idle (dropping their buffers and task) or closed since the
    /// last trim, and when that was.
    @exclusivity(unchecked) var releasedSinceTrim = 0
    /// Connection tasks alive on this loop.
    @exclusivity(unchecked) var liveTasks = 0
    @exclusivity(unchecked) private var lastTrim: Int64 = 0

    /// After a wave of connections went idle or closed, gives the freed heap back to the
    /// kernel, so a burst does not leave the process at its high-water mark. At most every
    /// two seconds: a trim walks the heap.
    func releaseMemoryIfWorthIt(now: Int64) {
        guard releasedSinceTrim >= 256, now - lastTrim >= 2_000_000_000 else { return }
        releasedSinceTrim = 0
        lastTrim = now
        _ = chl_release_free_memory()
    }

    init() { dates.refresh() }

    func add(_ connection: HTTP1Connection) { connections[ObjectIdentifier(connection)] = connection }

    func remove(_ connection: HTTP1Connection) {
        connections[ObjectIdentifier(connection)] = nil
        releasedSinceTrim += 1
    }

    func forEach(_ body: (HTTP1Connection) -> Void) {
        for connection in Array(connections.values) { body(connection) }
    }

    func beginDraining() {
        isDraining = true
        forEach { $0.beginDraining() }
    }

    func abortAll() {
        forEach { $0.abort(reason: "The connection was aborted because the server is shutting down and request processing didn't complete within the time specified by the shutdown timeout.") }
    }
}

import CHostctlLinux
import Glibc
