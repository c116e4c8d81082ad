import CHostctlLinux
import Glibc
import HostctlCore
import HostctlHosting
import HostctlSystem
import Synchronization

/// The HTTP side of a server, shared by every transport: it accepts connections from
/// the transport's loops (through one acceptor per endpoint, which picks each connection's
/// layers and protocol driver), runs timeouts once a second, and drains connections when
/// the server stops. It owns no descriptor and knows no epoll or io_uring.
public final class HTTPServerCore: ConnectionAcceptor, @unchecked Sendable {
    let application: HTTPApplication
    /// What the core logs (Kestrel's events).
    let log: ServerLog
    /// The app has admission checks: a request without them skips the step entirely.
    let hasAdmissionChecks: Bool
    let settings: ConnectionSettings
    let maxConcurrentConnections: Int?
    /// HTTP.sys's extras (request queue limit, request timing, response cache); nil unless
    /// the transport asked for them.
    let extras: HTTPSysExtras?
    /// Takes HTTP/1.1 requests before the app pipeline (the front); nil on a plain server.
    let forwarding: (any HTTP1ForwardingHandler)?
    /// `forwarding != nil`, as a plain flag for the request path of every server.
    let forwards: Bool
    /// One per loop, created up front; each is touched only on its own loop's thread.
    private let loops: [LoopState]
    private let connectionCount = Atomic<Int>(0)
    private let nextConnectionID: Atomic<UInt64>
    /// Connections accepted through the core itself (as a `ConnectionAcceptor`): HTTP/1.1,
    /// with the layers the options name.
    private var defaultEndpoint: EndpointAcceptor!

    /// With `appliesHTTPSysExtras`, the core applies the options marked as HTTP.sys's extras
    /// (`requestQueueLimit`, `responseCache`, `recordsRequestTiming`); without, it ignores
    /// them and its request path pays nothing for them.
    ///
    /// With `forwarding`, HTTP/1.1 requests are offered to it before the app pipeline.
    public init(
        application: HTTPApplication, options: ServerOptions, loopCount: Int, appliesHTTPSysExtras: Bool = false,
        forwarding: (any HTTP1ForwardingHandler)? = nil
    ) {
        self.application = application
        self.forwarding = forwarding
        self.forwards = forwarding != nil
        self.log = ServerLog(application.loggerFactory, isHTTPSys: appliesHTTPSysExtras)
        self.hasAdmissionChecks = !application.admissionChecks.isEmpty
        self.settings = ConnectionSettings(options)
        self.maxConcurrentConnections = options.maxConcurrentConnections
        self.extras = appliesHTTPSysExtras ? HTTPSysExtras(options, loopCount: loopCount) : nil
        self.loops = (0..<loopCount).map { _ in LoopState() }
        var seed = timespec()
        clock_gettime(CLOCK_REALTIME, &seed)
        nextConnectionID = Atomic(UInt64(seed.tv_sec) << 24 ^ UInt64(seed.tv_nsec))
        defaultEndpoint = EndpointAcceptor(ownedBy: self, endpoint: HTTPEndpointOptions(layers: options.connectionLayers))
    }

    /// Loop `index`'s state (the in-memory exchange uses the first).
    func loopState(at index: Int) -> LoopState { loops[index] }

    /// Connections open now, on every loop.
    public var activeConnections: Int { connectionCount.load(ordering: .relaxed) }

    // MARK: ConnectionAcceptor

    public func accept(_ transport: ConnectionTransport, on loop: EventLoopContext) -> ConnectionHandler? {
        defaultEndpoint.accept(transport, on: loop)
    }

    public func heartbeat(on loop: EventLoopContext) {
        let state = loops[loop.index]
        let now = loop.now
        // Every endpoint's acceptor passes its loop's heartbeat on: one tick per second counts.
        guard now != state.lastHeartbeat else { return }
        state.lastHeartbeat = now
        state.dates.refresh()
        state.forEach { $0.heartbeat(now: now) }
        state.releaseMemoryIfWorthIt(now: now)
    }

    /// The acceptor for a listener of `endpoint`: the layers its connections pass through
    /// and the protocols they may speak. Every endpoint's connections share this core's
    /// limits, heartbeat and graceful stop.
    public func acceptor(for endpoint: HTTPEndpointOptions) -> ConnectionAcceptor {
        EndpointAcceptor(core: self, endpoint: endpoint)
    }

    /// Takes a place for a new connection on `loop`; false when the server is stopping or at
    /// its connection limit (the connection is then closed at once, with no response).
    func reserveConnection(on loop: EventLoopContext) -> LoopState? {
        let state = loops[loop.index]
        if state.isDraining { return nil }
        if let limit = maxConcurrentConnections {
            // Reserve a place first, so two loops cannot both take the last one.
            let (old, _) = connectionCount.wrappingAdd(1, ordering: .relaxed)
            if old >= limit {
                connectionCount.wrappingSubtract(1, ordering: .relaxed)
                log.rejectedAtLimit()
                return nil
            }
        } else {
            connectionCount.wrappingAdd(1, ordering: .relaxed)
        }
        return state
    }

    func nextConnectionNumber() -> UInt64 {
        nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// The HTTP/1.1 driver for a connection; with `acceptsHTTP2Preface` it hands the
    /// connection to HTTP/2 if the client opens with HTTP/2's preface.
    func makeHTTP1Connection(
        transport: ConnectionTransport, loop: EventLoopContext, state: LoopState, id: UInt64, acceptsHTTP2Preface: Bool = false
    ) -> HTTP1Connection {
        HTTP1Connection(transport: transport, loop: loop, state: state, core: self, id: id, acceptsHTTP2Preface: acceptsHTTP2Preface)
    }

    /// The HTTP/2 driver for a connection, started (its SETTINGS go out after the current
    /// batch of events); `input` holds what an HTTP/1.1 driver read before it saw the preface.
    func makeHTTP2Connection(transport: ConnectionTransport, loop: EventLoopContext, state: LoopState, id: UInt64, input: ByteBuffer? = nil) -> HTTP2Connection {
        let connection = HTTP2Connection(transport: transport, loop: loop, state: state, core: self, id: id, input: input)
        connection.start()
        return connection
    }

    /// A driver handed its connection to another (HTTP/1.1 to HTTP/2): the core tracks the new
    /// one in its place, under the same count. Nothing changes for a driver above a layer
    /// (the core tracks the layered connection below it).
    func connectionHandedOver(from old: ServedConnection, to new: ServedConnection, on state: LoopState) {
        _ = state.replace(old, with: new)
    }

    /// A connection the core accepted (the bottom of its stack) has closed. Calls for what
    /// runs above a layer find nothing tracked and change nothing.
    func connectionClosed(_ connection: ServedConnection, on state: LoopState) {
        if state.remove(connection) { connectionCount.wrappingSubtract(1, ordering: .relaxed) }
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
        log.notClosedGracefully()
        for context in loopContexts {
            let state = loops[context.index]
            context.execute { state.abortAll() }
        }
        let abortDeadline = clock.now + .seconds(5)
        while activeConnections > 0, clock.now < abortDeadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if activeConnections > 0 { log.notAborted() }
    }
}

/// What one loop keeps: its connections and its cached Date header. Used only on that
/// loop's thread, so it needs no locks.
final class LoopState: @unchecked Sendable {
    let dates = DateCache()
    /// HTTP.sys's timing stamps, read on this loop's thread.
    let stampClock = StampClock()
    @exclusivity(unchecked) private(set) var isDraining = false
    @exclusivity(unchecked) private var connections: [ObjectIdentifier: any ServedConnection] = [:]
    /// Connections that went idle (dropping their buffers and task) or closed since the
    /// last trim, and when that was.
    @exclusivity(unchecked) var releasedSinceTrim = 0
    /// Connection tasks alive on this loop.
    @exclusivity(unchecked) var liveTasks = 0
    @exclusivity(unchecked) private var lastTrim: Int64 = 0
    /// The loop time of the last heartbeat handled (each endpoint's acceptor relays it).
    @exclusivity(unchecked) var lastHeartbeat: Int64 = -1

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

    func add(_ connection: any ServedConnection) { connections[ObjectIdentifier(connection)] = connection }

    /// Tracks `new` in place of `old`; false when `old` was not tracked here.
    func replace(_ old: any ServedConnection, with new: any ServedConnection) -> Bool {
        guard connections.removeValue(forKey: ObjectIdentifier(old)) != nil else { return false }
        connections[ObjectIdentifier(new)] = new
        return true
    }

    /// True when `connection` was tracked here.
    func remove(_ connection: any ServedConnection) -> Bool {
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return false }
        releasedSinceTrim += 1
        return true
    }

    func forEach(_ body: (any ServedConnection) -> Void) {
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
