import Glibc
import HostctlSystem

/// An app: its pipeline (middleware and routes, from `ApplicationBuilder`), the server
/// that runs it, and its console lifetime.
///
/// ```swift
/// let app = WebApplication.builder().build()
/// app.get("/") { try await $0.response.write("Hello!") }
/// await app.run()    // until Ctrl+C or SIGTERM
/// ```
public final class WebApplication: ApplicationBuilder, @unchecked Sendable {
    public let configuration: HostingConfiguration
    public let serverOptions: ServerOptions
    private let servers: [String: ServerFactory]
    public private(set) var server: (any Server)?
    private let stopRequests = StopLatch()

    init(configuration: HostingConfiguration, serverOptions: ServerOptions, servers: [String: ServerFactory]) {
        self.configuration = configuration
        self.serverOptions = serverOptions
        self.servers = servers
    }

    public var environmentName: String { configuration.environmentName }
    public var isDevelopment: Bool { environmentName.lowercased() == "development" }

    /// Where the server listens, once started ("http://127.0.0.1:43121").
    public var urls: [String] { server?.addresses.addresses ?? [] }

    /// Starts the server without printing anything; throws `ServerStartError` when it cannot.
    /// Behind the front, it listens on 127.0.0.1 and the front's port only, checks every
    /// request's pairing token first, and reports the bound port once it listens.
    public func start() async throws {
        let front: FrontIntegrationConfiguration?
        do { front = try configuration.frontIntegration.get() } catch { throw ServerStartError(error.description) }
        guard let factory = servers[configuration.serverName] else {
            throw ServerStartError(
                "Unknown server '\(configuration.serverName)' (from HOSTCTL_SERVER or --server). Valid values: "
                    + servers.keys.sorted().joined(separator: ", ") + "."
            )
        }
        let urls: [String]
        var admissionChecks: [any RequestAdmissionCheck] = []
        if let front {
            urls = [front.listenURL]
            // The server checks the token before anything may answer, its response cache
            // included (the cache keys entries by the forwarded scheme too).
            admissionChecks.append(FrontTokenCheck(front))
        } else {
            urls = try ListenURL.parseList(configuration.urls).map(\.original)
        }
        let server = try factory(ServerConfiguration(urls: urls, options: serverOptions, environmentName: environmentName))
        var handler = build()
        if isDevelopment { handler = DeveloperExceptionPage.wrap(handler) }
        // Outermost, so nothing sees a request before the forwarded values are applied.
        if let front { handler = FrontIntegrationMiddleware(front, checksToken: false).wrap(handler) }
        try await server.start(HTTPApplication(environmentName: environmentName, admissionChecks: admissionChecks, handle: handler))
        self.server = server
        if let front, let descriptor = front.readyDescriptor, let address = server.addresses.addresses.first,
           let port = try? ListenURL(address).port {
            FrontReadiness.report(port: Int(port), to: descriptor)
        }
    }

    /// Stops gracefully: requests in flight get `serverOptions.shutdownTimeout` to finish.
    public func stop() async {
        await server?.stop(timeout: serverOptions.shutdownTimeout)
    }

    /// Runs the app as a console program: starts, prints the lifetime lines, and on SIGINT
    /// or SIGTERM says "Application is shutting down..." and drains. A start-up failure is
    /// printed and ends the process with exit code 1.
    public func run() async {
        signal(SIGPIPE, SIG_IGN)
        let stopRequests = self.stopRequests
        let signals: ShutdownSignals
        do {
            signals = try ShutdownSignals { _ in stopRequests.request() }
        } catch {
            HostingConsole.error("Unable to start: could not install signal handlers (\(error)).")
            exit(1)
        }
        do {
            try await start()
        } catch {
            HostingConsole.error("Unable to start the server. \(error)")
            exit(1)
        }
        // Behind the front, this app does not outlive it (FrontLifeline).
        let lifeline = (try? configuration.frontIntegration.get())??.lifelineDescriptor.map { descriptor in
            FrontLifeline(descriptor: descriptor) { stopRequests.request() }
        }
        for line in startedLines() { HostingConsole.info(line) }
        HostingConsole.info("Hosting environment: \(environmentName)")
        HostingConsole.info("Content root path: \(configuration.contentRootPath)")
        await stopRequests.wait()
        var timeout = serverOptions.shutdownTimeout
        if lifeline?.isLost == true {
            HostingConsole.info("The front that started this app has exited.")
            timeout = min(timeout, FrontLifeline.drainLimit)
        }
        HostingConsole.info("Application is shutting down...")
        await server?.stop(timeout: timeout)
        withExtendedLifetime((signals, lifeline)) {}
    }

    /// What `run()` says once the server listens (design §5): "Now listening on: URL" for
    /// each address, then "Application started. Press Ctrl+C to shut down." Behind the
    /// front (design §6) the address is a loopback port that answers the front alone, and
    /// Ctrl+C is the front's to handle, so one line says that instead: the only URL a
    /// user sees to open is the front's public one.
    private func startedLines() -> [String] {
        guard case .success(_?) = configuration.frontIntegration else {
            return urls.map { "Now listening on: \($0)" } + ["Application started. Press Ctrl+C to shut down."]
        }
        let port = urls.first.flatMap { try? ListenURL($0).port }.map { ":\($0)" } ?? ""
        return ["Application started behind the front (on 127.0.0.1\(port), for the front's requests only)."]
    }

    /// `run()` for a synchronous `main` (as ASP.NET's `app.Run()`): blocks the calling thread
    /// until the app has shut down. In async code, `await app.run()` is chosen instead.
    public func run() {
        let finished = Semaphore()
        Task.detached { [self] in
            await run()
            finished.signal()
        }
        finished.wait()
    }

    /// Asks a running `run()` to shut down, as SIGTERM would.
    public func requestStop() { stopRequests.request() }
}

/// A POSIX semaphore, for blocking a thread outside Swift's cooperative pool.
final class Semaphore: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() { sem_init(semaphore, 0, 0) }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() { sem_post(semaphore) }

    func wait() { while sem_wait(semaphore) != 0 && errno == EINTR {} }
}

/// A one-shot latch: `wait()` returns once `request()` has been called (from any thread).
/// An app's console lifetime waits on one; so does the front's.
public final class StopLatch: @unchecked Sendable {
    private let lock = Lock()
    private var requested = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func request() {
        let resumed: [CheckedContinuation<Void, Never>] = lock.withLock {
            requested = true
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in resumed { waiter.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let ready: Bool = lock.withLock {
                if requested { return true }
                waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

import HostctlCore
