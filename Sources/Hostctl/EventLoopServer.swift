import Glibc
import HostctlCore
import HostctlEpoll
import HostctlHosting
import HostctlServerCore
import HostctlSystem
import HostctlTransport

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
        var bound: [String] = []
        do {
            for url in urls {
                for address in url.socketAddresses {
                    guard let port = try bind(address, for: url, group: group, core: core) else { continue }
                    bound.append(url.display(boundPort: port))
                }
            }
        } catch {
            for listener in listeners { listener.close() }
            listeners.removeAll()
            throw error
        }
        // Several addresses of one URL (localhost's two loopbacks) are shown once.
        var seen: Set<String> = []
        addresses.set(bound.filter { seen.insert($0).inserted })
        self.group = group
        self.core = core
        group.start()
    }

    /// Binds `address` on every loop (TCP: one SO_REUSEPORT listener each; a Unix socket:
    /// one listener, on the first loop). Returns the bound port, or nil when the address is
    /// unavailable on this machine and the URL allows skipping it (localhost without IPv6).
    private func bind(_ address: SocketAddress, for url: ListenURL, group: EventLoopGroup, core: HTTPServerCore) throws(ServerStartError) -> Int? {
        var isTCP = true
        if case .unix = address { isTCP = false }
        var target = address
        for loop in group.loops.prefix(isTCP ? group.loops.count : 1) {
            let opened: (descriptor: Int32, bound: SocketAddress)
            do {
                // Only the first loop's bind checks that the port is free; the others join it.
                opened = try ListeningSocket.open(target, reusePort: isTCP, joiningOwnGroup: loop.index > 0)
            } catch {
                if url.host == .localhost, address.isIPv6, [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.code) {
                    HostingConsole.error("warn: Unable to bind to \(url.original) on the IPv6 loopback interface: \(error.reason).")
                    return nil
                }
                if url.host == .any, address.isIPv6, [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.code) {
                    return try bind(SocketAddress.ipv4Any.with(port: UInt16(address.port)), for: url, group: group, core: core)
                }
                if error.code == EADDRINUSE {
                    throw ServerStartError("Failed to bind to address \(url.display(boundPort: target.port)): address already in use.")
                }
                throw ServerStartError("Failed to bind to address \(url.display(boundPort: target.port)): \(error.reason).")
            }
            // Port 0: the first loop's listener picks the port; the others join it.
            target = opened.bound
            let listener = Listener(descriptor: opened.descriptor, loop: loop, acceptor: core, isTCP: isTCP)
            do { try listener.start() } catch {
                listener.close()
                throw ServerStartError("Could not listen on \(url.original): \(error).")
            }
            listeners.append(listener)
        }
        return target.port
    }

    public func stop(timeout: Duration) async {
        guard let group, let core else { return }
        let listeners = self.listeners
        self.listeners.removeAll()
        for listener in listeners {
            listener.loopExecute { listener.close() }
        }
        await core.shutdown(timeout: timeout, on: group.loops)
        for listener in listeners {
            listener.loopExecute { listener.closeAndDetach() }
        }
        try? await Task.sleep(for: .milliseconds(20))
        group.stop()
        self.group = nil
        self.core = nil
    }
}

extension Listener {
    /// Runs `work` on the listener's loop thread.
    func loopExecute(_ work: @escaping @Sendable () -> Void) {
        loopContext.execute(work)
    }
}
