import HostctlCore
import HostctlHosting
import HostctlServerCore
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
    private var group: EventLoopGroup<Transport.Loop>?
    private var core: HTTPServerCore?
    private var listeners: [any LoopListener] = []

    public init(_ configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    public func start(_ application: HTTPApplication) async throws {
        let urls = try configuration.urls.map { url throws(ServerStartError) in try ListenURL(url) }
        for url in urls { try configuration.checkProtocols(for: url.original) }
        let loopCount = configuration.options.eventLoopCount ?? EventLoopGroup<Transport.Loop>.availableProcessors
        let group = try Transport.makeLoops(count: loopCount)
        let core = HTTPServerCore(
            application: application, options: configuration.options, loopCount: group.loops.count,
            appliesHTTPSysExtras: Transport.appliesHTTPSysExtras
        )
        // One acceptor per URL: its endpoint's protocols (and layers), shared by every loop.
        var acceptors: [String: ConnectionAcceptor] = [:]
        let binding = ListenerBinding(loopCount: group.loops.count) { (descriptor, loopIndex, isTCP, url) throws(ServerStartError) in
            let acceptor = acceptors[url.original] ?? core.acceptor(for: self.configuration.endpointOptions(for: url.original))
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
    }

    public func stop(timeout: Duration) async {
        guard let group, let core else { return }
        let listeners = self.listeners
        self.listeners.removeAll()
        await stopGracefully(listeners: listeners, core: core, loops: group.loops, timeout: timeout) { group.stop() }
        self.group = nil
        self.core = nil
    }
}
