import HostctlCore
import HostctlEpoll
import HostctlHosting
import HostctlServerCore

/// The event-loop server (our Kestrel): the HTTP server core over epoll loops, one per
/// CPU, each with its own SO_REUSEPORT listener per address.
public final class EventLoopServer: Server, @unchecked Sendable {
    public let addresses = ServerAddresses()
    private let configuration: ServerConfiguration
    private var group: EventLoopGroup?
    private var core: HTTPServerCore?
    private var listeners: [Listener] = []

    public init(_ configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    public func start(_ application: HTTPApplication) async throws {
        let urls = try configuration.urls.map { url throws(ServerStartError) in try ListenURL(url) }
        let loopCount = configuration.options.eventLoopCount ?? EventLoopGroup.availableProcessors
        let group: EventLoopGroup
        do { group = try EventLoopGroup(count: loopCount) } catch {
            throw ServerStartError("Could not create the event loops: \(error).")
        }
        let core = HTTPServerCore(application: application, options: configuration.options, loopCount: group.loops.count)
        let binding = ListenerBinding(loopCount: group.loops.count) { (descriptor, loopIndex, isTCP) throws(ServerStartError) in
            let listener = Listener(descriptor: descriptor, loop: group.loops[loopIndex], acceptor: core, isTCP: isTCP)
            do { try listener.start() } catch {
                listener.close()
                throw ServerStartError("Could not listen: \(error).")
            }
            self.listeners.append(listener)
        }
        do {
            addresses.set(try binding.bind(urls))
        } catch {
            for listener in listeners { listener.close() }
            listeners.removeAll()
            throw error
        }
        self.group = group
        self.core = core
        group.start()
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
