import HostctlCore
import HostctlHosting
import HostctlServerCore
import HostctlTLS
import HostctlTransport

/// The event-loop server (our Kestrel): the HTTP server core over epoll loops, one per
/// CPU, each with its own SO_REUSEPORT listener per address.
public typealias EventLoopServer = LoopServer<EpollTransport>

/// The io_uring server (our HTTP.sys): the same HTTP server core as the event-loop server
/// over completion-based I/O, one ring per CPU, with HTTP.sys's extras (a request queue
/// limit, request timing, a response cache).
public typealias IOUringServer = LoopServer<IOUringTransport>

extension LoopServer where Transport == IOUringTransport {
    /// Why this machine cannot run the io_uring server (the kernel's refusal, explained),
    /// or nil when it can.
    public static func unavailabilityReason() -> String? { IOUringTransport.unavailabilityReason() }
}

/// A server on one transport's loops: the HTTP server core over a group of loops, one per
/// CPU by default, each with its own listener per address (`ListenerBinding`).
public final class LoopServer<Transport: ServerTransport>: Server, @unchecked Sendable {
    public let addresses = ServerAddresses()
    private let configuration: ServerConfiguration
    private let forwarding: (any HTTP1ForwardingHandler)?
    private var group: EventLoopGroup<Transport.Loop>?
    private var core: HTTPServerCore?
    private var listeners: [any LoopListener] = []
    /// While a stop is under way, the callers that came later, waiting for it (rather than
    /// joining the loops a second time).
    private var stopWaiters: [CheckedContinuation<Void, Never>]?
    private let stopLock = Lock()

    /// With `forwarding`, HTTP/1.1 requests are offered to it before the app pipeline (the
    /// front's forwarding path); the pipeline runs the requests it does not take.
    public init(_ configuration: ServerConfiguration, forwarding: (any HTTP1ForwardingHandler)? = nil) {
        self.configuration = configuration
        self.forwarding = forwarding
    }

    public func start(_ application: HTTPApplication) async throws {
        let urls = try configuration.urls.map { url throws(ServerStartError) in try ListenURL(url) }
        for url in urls { try configuration.checkProtocols(for: url.original) }
        let loopCount = configuration.options.eventLoopCount ?? EventLoopGroup<Transport.Loop>.availableProcessors
        let group = try Transport.makeLoops(count: loopCount)
        let core = HTTPServerCore(
            application: application, options: configuration.options, loopCount: group.loops.count,
            appliesHTTPSysExtras: Transport.appliesHTTPSysExtras, forwarding: forwarding
        )
        // One acceptor per URL, shared by every loop: its endpoint's protocols and layers (for
        // an https:// URL, first its TLS layer).
        let https = try makeHTTPSEndpoints(urls)
        var acceptors: [String: ConnectionAcceptor] = [:]
        let binding = ListenerBinding(loopCount: group.loops.count) { (descriptor, loopIndex, isTCP, url) throws(ServerStartError) in
            let acceptor = acceptors[url.original] ?? core.acceptor(for: https[url.original]?.endpoint ?? self.configuration.endpointOptions(for: url.original))
            acceptors[url.original] = acceptor
            do {
                self.listeners.append(try group.loops[loopIndex].listen(descriptor: descriptor, acceptor: acceptor, isTCP: isTCP))
            } catch {
                throw ServerStartError("Could not listen: \(error).")
            }
        }
        do throws(ServerStartError) {
            addresses.set(try binding.bind(urls))
            do { try group.start() } catch { throw Transport.startFailed(error) }
        } catch {
            // The loops never ran: their listeners close here, on this thread.
            for listener in listeners { listener.close() }
            listeners.removeAll()
            throw error
        }
        self.group = group
        self.core = core
        if !https.isEmpty { watchCertificates(https.values.map(\.certificates), on: group.loops[0]) }
    }

    /// The TLS side of each https:// URL, by the URL as given; warnings are logged now.
    private func makeHTTPSEndpoints(_ urls: [ListenURL]) throws(ServerStartError) -> [String: HTTPSEndpoint] {
        let factory = configuration.loggerFactory
        let handshakes = factory.logger(category: ServerLogCategory.kestrelHttps)
        let onFailure: @Sendable (TLSFailure, SocketAddress?) -> Void = { failure, remote in
            let peer = remote.map { " from \($0)" } ?? ""
            if failure.reason == .handshakeTimedOut {
                handshakes.debug("Authentication of the HTTPS connection\(peer) timed out.", event: EventID(2, name: "AuthenticationTimedOut"))
            } else {
                handshakes.debug("Failed to authenticate HTTPS connection\(peer). \(failure)", event: EventID(1, name: "AuthenticationFailed"))
            }
        }
        var endpoints: [String: HTTPSEndpoint] = [:]
        for url in urls where url.isHTTPS && endpoints[url.original] == nil {
            let endpoint = try HTTPSEndpoint(url: url, configuration: configuration, onFailure: onFailure)
            let general = factory.logger(category: ServerLogCategory.general(forServer: Transport.appliesHTTPSysExtras ? "iouring" : "eventloop"))
            for warning in endpoint.warnings { general.warning(warning) }
            endpoints[url.original] = endpoint
        }
        return endpoints
    }

    /// Certificates reload from the first loop's heartbeat (a stat per file per second).
    private func watchCertificates(_ stores: [TLSCertificateStore], on loop: Transport.Loop) {
        let reloader = CertificateReloader(stores: stores, logger: configuration.loggerFactory.logger(category: ServerLogCategory.kestrelCertificates))
        let key = CertificateReloader.nextKey()
        loop.execute { [reloader] in _ = loop.localState(key: key) { reloader } }
    }

    private enum StopRole {
        case stopper(EventLoopGroup<Transport.Loop>, HTTPServerCore, [any LoopListener])
        case waiter
        case done
    }

    /// Stops gracefully; callers at the same time all wait for the one stop.
    public func stop(timeout: Duration) async {
        let role: StopRole = stopLock.withLock {
            if stopWaiters != nil { return .waiter }
            guard let group, let core else { return .done }
            stopWaiters = []
            let listeners = self.listeners
            self.listeners.removeAll()
            return .stopper(group, core, listeners)
        }
        switch role {
        case .done:
            return
        case .waiter:
            await withCheckedContinuation { continuation in
                let waiting = stopLock.withLock { () -> Bool in
                    guard stopWaiters != nil else { return false }
                    stopWaiters!.append(continuation)
                    return true
                }
                if !waiting { continuation.resume() }
            }
        case .stopper(let group, let core, let listeners):
            await stopGracefully(listeners: listeners, core: core, loops: group.loops, timeout: timeout) { group.stop() }
            let waiters = stopLock.withLock {
                self.group = nil
                self.core = nil
                defer { stopWaiters = nil }
                return stopWaiters ?? []
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}
