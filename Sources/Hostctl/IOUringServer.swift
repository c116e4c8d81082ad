import HostctlCore
import HostctlHosting
import HostctlIOUring
import HostctlServerCore

/// The io_uring server (our HTTP.sys): the same HTTP server core as the event-loop server
/// over completion-based I/O, one ring per CPU, with HTTP.sys's extras (a request queue
/// limit, request timing, a response cache). Where the kernel refuses io_uring it fails to
/// start and says why; it never falls back to epoll behind the user's back.
public final class IOUringServer: Server, @unchecked Sendable {
    public let addresses = ServerAddresses()
    private let configuration: ServerConfiguration
    private var group: IOUringLoopGroup?
    private var core: HTTPServerCore?
    private var listeners: [IOUringListener] = []

    public init(_ configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    /// Why this machine cannot run the io_uring server (the kernel's refusal, explained),
    /// or nil when it can: a ring is set up and torn down to find out.
    public static func unavailabilityReason() -> String? {
        do {
            _ = try IOUringLoopGroup(count: 1, configuration: .probe)
            return nil
        } catch {
            return error.description
        }
    }

    public func start(_ application: HTTPApplication) async throws {
        let urls = try configuration.urls.map { url throws(ServerStartError) in try ListenURL(url) }
        let loopCount = configuration.options.eventLoopCount ?? IOUringLoopGroup.availableProcessors
        let group: IOUringLoopGroup
        do { group = try IOUringLoopGroup(count: loopCount) } catch {
            throw ServerStartError(
                "The io_uring server cannot start: \(error). Run on the event-loop server instead: HOSTCTL_SERVER=eventloop, "
                    + "\"server\": \"eventloop\" in the launch profile, or hostctl run --server eventloop."
            )
        }
        let core = HTTPServerCore(
            application: application, options: configuration.options, loopCount: group.loops.count, appliesHTTPSysExtras: true
        )
        let binding = ListenerBinding(loopCount: group.loops.count) { (descriptor, loopIndex, isTCP) throws(ServerStartError) in
            let listener = IOUringListener(descriptor: descriptor, loop: group.loops[loopIndex], acceptor: core, isTCP: isTCP)
            listener.start()
            self.listeners.append(listener)
        }
        do {
            addresses.set(try binding.bind(urls))
            try group.start()
        } catch let error as ServerStartError {
            for listener in listeners { listener.close() }
            listeners.removeAll()
            throw error
        } catch {
            throw ServerStartError("The io_uring server cannot start: \(error).")
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
