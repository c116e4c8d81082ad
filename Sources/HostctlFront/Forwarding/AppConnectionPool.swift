import HostctlCore
import HostctlHosting
import HostctlSystem
import HostctlTransport

/// One loop's connections to the app: the idle ones kept alive for the next request, and the
/// busy ones, whose response-head deadlines the heartbeat checks. Lives on its loop (as a
/// `LoopLocalState`), so taking and returning a connection needs no lock.
///
/// A connection is reused only for the app run it was opened to (`AppEndpoint.generation`):
/// after a restart the app listens on a new port with a new token, and a connection to the
/// old one is useless even when it still looks open.
final class AppConnectionPool: LoopLocalState {
    /// The loop outlives its per-loop states.
    unowned(unsafe) let loop: EventLoop
    let maxIdle: Int
    let idleTimeout: Int64
    /// Most recently used last: the warmest connection is taken first.
    @exclusivity(unchecked) private var idle: [AppConnection] = []
    @exclusivity(unchecked) private var busy: [AppConnection] = []
    @exclusivity(unchecked) private var newestGeneration = Int.min
    /// Connections whose request heads go out once the loop's batch of events is handled.
    @exclusivity(unchecked) private var pendingFlushes: [AppConnection] = []
    /// Made once: scheduling the batch flush allocates nothing per request.
    @exclusivity(unchecked) private var flushPending: (() -> Void)!

    init(loop: EventLoop, options: ForwardingOptions) {
        self.loop = loop
        self.maxIdle = options.maxIdleConnectionsPerLoop
        self.idleTimeout = options.idleConnectionTimeout.nanoseconds
        flushPending = { [unowned(unsafe) self] in
            let connections = pendingFlushes
            pendingFlushes.removeAll(keepingCapacity: true)
            for connection in connections { connection.scheduledFlush() }
        }
    }

    /// An idle connection to `endpoint`'s run of the app, or a new one (connecting: the
    /// exchange may write at once, the bytes go out once it is established). Throws only
    /// when no socket could be made.
    func checkOut(for endpoint: AppEndpoint, context: HTTPContext) throws(SystemError) -> AppConnection {
        let connection = try checkOut(for: endpoint)
        connection.beginExchange(for: context)
        return connection
    }

    /// `checkOut(for:context:)` for the forwarding path, whose `user` is told of every event.
    func checkOut(for endpoint: AppEndpoint, user: any AppConnectionUser) throws(SystemError) -> AppConnection {
        let connection = try checkOut(for: endpoint)
        connection.beginExchange(for: user)
        return connection
    }

    private func checkOut(for endpoint: AppEndpoint) throws(SystemError) -> AppConnection {
        if endpoint.generation > newestGeneration {
            // The app restarted: nothing kept for its earlier runs is any use.
            newestGeneration = endpoint.generation
            for connection in idle { connection.close() }
            idle.removeAll()
        }
        while let connection = idle.popLast() {
            if connection.generation == endpoint.generation, connection.isReusable {
                markBusy(connection)
                return connection
            }
            connection.close()
        }
        let connection = AppConnection(endpoint: endpoint, pool: self)
        connection.transport = try loop.connect(to: SocketAddress.ipv4Loopback.with(port: endpoint.port), handler: connection)
        markBusy(connection)
        return connection
    }

    /// The exchange is over: keep the connection for the next request if it may be reused
    /// and there is room, else close it.
    func checkIn(_ connection: AppConnection, reusable: Bool) {
        removeBusy(connection)
        connection.endExchange()
        if reusable, connection.isReusable, connection.generation == newestGeneration, idle.count < maxIdle {
            connection.idleSince = loop.now
            idle.append(connection)
        } else {
            connection.close()
        }
    }

    /// Sends `connection`'s output after the loop's current batch of events, with every other
    /// connection's asked for in the batch.
    func flushAfterEvents(_ connection: AppConnection) {
        if pendingFlushes.isEmpty { loop.afterEvents(flushPending) }
        pendingFlushes.append(connection)
    }

    /// The transport closed `connection` (the app closed it, or it broke): forget it if idle.
    func connectionClosed(_ connection: AppConnection) {
        if let index = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: index) }
    }

    private func markBusy(_ connection: AppConnection) {
        connection.busySlot = busy.count
        busy.append(connection)
    }

    private func removeBusy(_ connection: AppConnection) {
        let slot = connection.busySlot
        guard slot >= 0, slot < busy.count, busy[slot] === connection else { return }
        let last = busy.removeLast()
        if slot < busy.count {
            busy[slot] = last
            last.busySlot = slot
        }
        connection.busySlot = -1
    }

    // MARK: LoopLocalState

    func heartbeat(now: Int64) {
        for connection in busy {
            if let deadline = connection.deadline, now >= deadline { connection.timeOut() }
        }
        // Idle connections are closed well before the app's own keep-alive timeout (130 s),
        // so the front never sends a request on a connection the app is closing.
        while let oldest = idle.first, now - oldest.idleSince >= idleTimeout {
            idle.removeFirst()
            oldest.close()
        }
    }

    func loopWillStop() {
        for connection in idle { connection.close() }
        idle.removeAll()
        for connection in busy { connection.close() }
    }
}
