import Glibc
import HostctlConfiguration
import HostctlCore
import HostctlLogging
import HostctlSystem

/// An app: its pipeline (middleware and routes, from `ApplicationBuilder`), the server
/// that runs it, its configuration, loggers and console lifetime.
///
/// ```swift
/// let app = WebApplication.builder().build()
/// app.get("/") { try await $0.response.write("Hello!") }
/// await app.run()    // until Ctrl+C or SIGTERM
/// ```
public final class WebApplication: ApplicationBuilder, @unchecked Sendable {
    public let configuration: Configuration
    public let hosting: HostingConfiguration
    public let environment: HostEnvironment
    public let serverOptions: ServerOptions
    public let kestrel: KestrelConfiguration
    /// The logger of the app's own category (its name), as ASP.NET's `app.Logger`.
    public let logger: Logger
    private let servers: [String: ServerFactory]
    private let startupProblems: [String]
    private let codeRules: [LogFilterRule]
    private let minimumLevel: LogLevel
    private var configurationReload: ConfigurationChangeRegistration?
    public private(set) var server: (any Server)?
    private let stopRequests = StopLatch()
    /// The process environment the builder read (the server looks for the developer certificate with it).
    let processEnvironment: ProcessEnvironment

    init(
        configuration: Configuration, hosting: HostingConfiguration, environment: HostEnvironment, serverOptions: ServerOptions,
        kestrel: KestrelConfiguration, loggerFactory: LoggerFactory, codeRules: [LogFilterRule], minimumLevel: LogLevel,
        servers: [String: ServerFactory], startupProblems: [String], processEnvironment: ProcessEnvironment
    ) {
        self.processEnvironment = processEnvironment
        self.configuration = configuration
        self.hosting = hosting
        self.environment = environment
        self.serverOptions = serverOptions
        self.kestrel = kestrel
        self.servers = servers
        self.startupProblems = startupProblems
        self.codeRules = codeRules
        self.minimumLevel = minimumLevel
        logger = loggerFactory.logger(category: environment.applicationName)
        super.init()
        self.loggerFactory = loggerFactory
        self.webRootPath = environment.webRootPath
    }

    public var environmentName: String { environment.name }
    public var isDevelopment: Bool { environment.isDevelopment }

    /// A logger for `category` ("Shop.Orders"), filtered by `Logging:LogLevel`.
    public func logger(category: String) -> Logger { loggerFactory.logger(category: category) }

    /// Where the server listens, once started ("http://127.0.0.1:43121").
    public var urls: [String] { server?.addresses.addresses ?? [] }

    /// Starts the server without printing the lifetime lines; throws `StartupError` when the
    /// configuration is not valid and `ServerStartError` when the server cannot start. Behind
    /// the front, it listens on 127.0.0.1 and the front's port only, checks every request's
    /// pairing token first, and reports the bound port once it listens.
    public func start() async throws {
        guard startupProblems.isEmpty else { throw StartupError(problems: startupProblems) }
        let front: FrontIntegrationConfiguration?
        do { front = try hosting.frontIntegration.get() } catch { throw ServerStartError(error.description) }
        guard let factory = servers[hosting.serverName] else {
            throw ServerStartError(
                "Unknown server '\(hosting.serverName)' (from HOSTCTL_SERVER or --server). Valid values: "
                    + servers.keys.sorted().joined(separator: ", ") + "."
            )
        }
        let serverLogger = loggerFactory.logger(category: ServerLogCategory.general(forServer: hosting.serverName))
        let urls: [String]
        var admissionChecks: [any RequestAdmissionCheck] = []
        if let front {
            // The front's address wins over every other (IIS integration's PreferHostingUrls).
            urls = [front.listenURL]
            // The server checks the token before anything may answer, its response cache
            // included (the cache keys entries by the forwarded scheme too).
            admissionChecks.append(FrontTokenCheck(front))
        } else {
            let chosen = kestrel.listenURLs(urls: hosting.urls)
            if let overridden = chosen.overridden {
                serverLogger.warning("Overriding address(es) '\(overridden)'. Binding to endpoints defined via IConfiguration and/or UseKestrel() instead.")
            }
            urls = try chosen.urls.map { url throws(ServerStartError) in try ListenURL(url).original }
        }
        // Behind the front, the fields it adds do not count against the app's head limits.
        let options = front.map { FrontFieldAllowance.widened(serverOptions, token: $0.token) } ?? serverOptions
        let server = try factory(ServerConfiguration(
            urls: urls, options: options, environmentName: environmentName, kestrel: kestrel, loggerFactory: loggerFactory,
            environment: processEnvironment
        ))
        // An error that escapes the app is logged once: by the server as it answers 500 (no
        // frame per request for it), or by the developer page as it shows it.
        // The pipeline as built keeps its first layer apart for the server to call in line;
        // what wraps it here (none of it in Production, unless behind the front or with
        // scopes shown) makes it one closure again.
        var entry = buildEntry()
        if isDevelopment { entry = PipelineEntry(DeveloperExceptionPage.wrap(entry.handler, logger: serverLogger)) }
        var requestLog = self.requestLog
        if loggerFactory.sinks.contains(where: \.includesScopes) {
            // The request log's line carries the request's scopes, as ASP.NET's does: inside
            // them, as a layer (the server runs it in line only when no sink shows scopes).
            var handler = entry.handler
            if let log = requestLog { handler = log.wrap(handler) }
            requestLog = nil
            entry = PipelineEntry(RequestLogScopes.wrap(handler))
        }
        // Outermost, so nothing sees a request before the forwarded values are applied (the
        // server has checked and hidden the token before the request gets here).
        if let front { entry = PipelineEntry(FrontIntegrationMiddleware(front, checksToken: false).wrap(entry.handler)) }
        try await server.start(HTTPApplication(
            environmentName: environmentName, admissionChecks: admissionChecks, loggerFactory: loggerFactory, requestLog: requestLog,
            entry: entry
        ))
        self.server = server
        if let front, let descriptor = front.readyDescriptor, let address = server.addresses.addresses.first,
           let port = try? ListenURL(address).port {
            FrontReadiness.report(port: Int(port), to: descriptor)
        }
        watchConfiguration()
    }

    /// Stops gracefully: requests in flight get `serverOptions.shutdownTimeout` to finish.
    public func stop() async {
        await stop(timeout: serverOptions.shutdownTimeout)
    }

    private func stop(timeout: Duration) async {
        configurationReload?.cancel()
        configurationReload = nil
        configuration.stopWatching()
        await server?.stop(timeout: timeout)
    }

    /// Runs the app as a console program: starts, logs the lifetime lines, and on SIGINT
    /// or SIGTERM says "Application is shutting down..." and drains. A start-up failure is
    /// logged (at Critical) and ends the process with exit code 1.
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
        } catch let error as StartupError {
            loggerFactory.logger(category: ServerLogCategory.hosting).critical("Unable to start: the configuration is not valid.\n\(error)")
            loggerFactory.flush()
            exit(1)
        } catch {
            loggerFactory.logger(category: ServerLogCategory.general(forServer: hosting.serverName)).critical("Unable to start the server. \(error)")
            loggerFactory.flush()
            exit(1)
        }
        // Behind the front, this app does not outlive it (FrontLifeline).
        let front = (try? hosting.frontIntegration.get()) ?? nil
        let lifeline = front?.lifelineDescriptor.map { descriptor in
            FrontLifeline(descriptor: descriptor) { stopRequests.request() }
        }
        let lifetime = HostingLifetimeLog(loggerFactory)
        lifetime.started(urls: urls, behindTheFront: front != nil, environmentName: environmentName, contentRootPath: environment.contentRootPath)
        await stopRequests.wait()
        var timeout = serverOptions.shutdownTimeout
        if lifeline?.isLost == true {
            lifetime.note("The front that started this app has exited.")
            timeout = min(timeout, FrontLifeline.drainLimit)
        }
        lifetime.stopping()
        await stop(timeout: timeout)
        loggerFactory.flush()
        withExtendedLifetime((signals, lifeline)) {}
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

    /// Reloads settings files when they change (unless `hostBuilder:reloadConfigOnChange`
    /// is false): new `Logging` filters apply at once; a file saved half-edited keeps its
    /// previous values and is logged as a warning. Server options and endpoints are read
    /// at start only.
    private func watchConfiguration() {
        guard hosting.reloadsConfigurationOnChange else { return }
        let factory = loggerFactory
        let warnings = loggerFactory.logger(category: ServerLogCategory.hosting)
        let (codeRules, minimumLevel) = (self.codeRules, self.minimumLevel)
        configuration.onReloadError { error in
            warnings.warning("The configuration was not reloaded: \(error)")
        }
        configurationReload = configuration.onChange { configuration in
            do {
                let rules = try LoggingConfiguration.rules(from: configuration.section("Logging"))
                factory.update(rules: rules + codeRules, minimumLevel: minimumLevel)
            } catch {
                warnings.warning("The new Logging configuration was not applied: \(error)")
            }
        }
        configuration.startWatching(forcePolling: hosting.usesPollingFileWatcher)
    }
}

/// The app's configuration is not valid (a settings file that cannot be read, a value that
/// does not bind): each problem names its file and line, or its key.
public struct StartupError: Error, CustomStringConvertible {
    public let problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") }
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
