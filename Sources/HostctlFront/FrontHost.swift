import CHostctlLinux
import Glibc
import Hostctl
import HostctlSupervisor
import HostctlSystem

/// What the front is told to do.
public struct FrontOptions: Sendable {
    /// The public URLs the front listens on (design §6).
    public var publicURLs: [String]
    /// The server the front runs on, by `HOSTCTL_SERVER`'s names: "eventloop" or "iouring".
    public var server = "eventloop"
    /// `startMode: "always"`: start the app as soon as the front listens.
    public var startsAppAtOnce = false
    public var supervisor = AppSupervisorOptions()
    public var forwarding = ForwardingOptions()
    /// TLS for public https:// URLs: the certificate (else, in the app's Development
    /// environment, the developer certificate, as IIS Express serves its own). The front
    /// terminates TLS and forwards plain HTTP/1.1 with `X-Forwarded-Proto: https`, as ANCM.
    public var https = HTTPSOptions()
    /// How long requests in flight through the front get to finish at shutdown, before
    /// the app itself is stopped (with its own limit, `supervisor.shutdownTimeLimit`).
    public var drainTimeout: Duration = .seconds(10)
    /// Called once the front listens (hostctl run opens the browser from here).
    public var onStarted: (@Sendable () -> Void)?
    /// hostctl watch's browser refresh: HTML pages get its script, and the front serves its
    /// event stream (`BrowserRefresh`). Nil: responses pass through untouched.
    public var browserRefresh: BrowserRefresh?

    public init(publicURLs: [String]) {
        self.publicURLs = publicURLs
    }
}

/// The front as a console program (`hostctl proxy`, and `hostctl run` for proxied
/// profiles): a WebApplication on the server `options.server` names, on the public URLs, whose only
/// handler forwards to the app an `AppSupervisor` keeps running. It prints the usual
/// lifetime lines, and on SIGINT or SIGTERM stops accepting, drains, stops the app and
/// ends with 0. An address in use ends it with 1 before any app is started.
public final class FrontHost: Sendable {
    public let command: AppCommand
    public let options: FrontOptions
    /// The process half; hostctl watch swaps builds in through it.
    public let supervisor: AppSupervisor

    public init(command: AppCommand, options: FrontOptions) {
        self.command = command
        self.options = options
        supervisor = AppSupervisor(command: command, options: options.supervisor)
    }

    /// Runs until a shutdown signal arrives on `signals` (which must block SIGINT and
    /// SIGTERM in every thread: create it before any thread starts), on the calling thread.
    public func run(signals: SignalRelay) -> Int32 {
        let finished = FinishLine()
        let stop = StopLatch()
        Task.detached { [self] in finished.finish(with: await serve(until: stop)) }

        while !finished.isFinished {
            var descriptors = [
                pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: finished.descriptor, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&descriptors, 2, -1) < 0, errno != EINTR { usleep(10_000) }
            for record in signals.drain() where [SIGINT, SIGTERM, SIGHUP, SIGQUIT].contains(record.signal) {
                stop.request()
            }
        }
        return finished.code
    }

    /// The front's whole life, for callers that manage signals themselves (and tests):
    /// returns once `stop` has been requested and everything has stopped, or at once
    /// (with 1) when the public URLs cannot be bound.
    public func serve(until stop: StopLatch) async -> Int32 {
        var forwarding = options.forwarding
        if let browserRefresh = options.browserRefresh {
            // On the forwarding path: its script and event stream are answered by its
            // middleware below, and HTML pages get the script tag as they pass.
            forwarding.handledByFront = BrowserRefresh.isOwnPath
            forwarding.responseBodyTransform = browserRefresh
        }
        let forwarder = Forwarder(source: supervisor, options: forwarding)
        let app = makeApplication(forwarding: forwarder)
        // HTTP/1.1 requests are forwarded from their heads (the server's forwarding path);
        // the pipeline forwards the rest. Browser refresh sees every response the pipeline
        // sends, the forwarded ones included, through the response writer it wraps (the
        // forwarder writes through that writer).
        if let browserRefresh = options.browserRefresh {
            app.use { context, next in try await browserRefresh.handle(context, next: next) }
        }
        app.use { context, _ in try await forwarder.forward(context) }

        do {
            try await app.start()
        } catch {
            app.loggerFactory.logger(category: ServerLogCategory.kestrel).critical("Unable to start the server. \(error)")
            app.loggerFactory.flush()
            await supervisor.shutdown()
            return 1
        }
        let lifetime = HostingLifetimeLog(app.loggerFactory)
        lifetime.started(urls: app.urls, environmentName: app.environmentName, contentRootPath: app.environment.contentRootPath)
        let when = !options.supervisor.startsOnRequest ? "swapped in after each successful build"
            : options.startsAppAtOnce ? "started now" : "started on the first request"
        lifetime.note("Forwarding to: \(command.displayName) (\(when))")
        if options.startsAppAtOnce { supervisor.startNow() }
        options.onStarted?()

        await stop.wait()
        lifetime.stopping()
        options.browserRefresh?.close()  // its event streams would hold the drain to its limit
        await app.stop()
        await supervisor.shutdown()
        app.loggerFactory.flush()
        return 0
    }

    /// The front's WebApplication, configured from the options alone: never from
    /// hostctl's own environment, which could hold variables meant for an app (a front
    /// must not act as an app behind a front because HOSTCTL_PORT happens to be set), nor
    /// from the package's settings files, which are the app's. Only what the console needs
    /// (TERM, NO_COLOR) is passed on, and where the developer certificate is (HOME,
    /// XDG_DATA_HOME) for public https:// URLs.
    private func makeApplication(forwarding: Forwarder) -> WebApplication {
        var environment = ProcessEnvironment()
        let real = ProcessEnvironment.current()
        for name in ["TERM", "NO_COLOR", "HOME", "XDG_DATA_HOME"] { environment[name] = real[name] }
        environment["HOSTCTL_URLS"] = options.publicURLs.joined(separator: ";")
        environment["HOSTCTL_SERVER"] = options.server
        environment["HOSTCTL_ENVIRONMENT"] = command.environmentName
        let builder = WebApplicationBuilder(
            arguments: ["hostctl"], environment: environment, servers: WebApplication.servers(forwarding: forwarding), readsSettingsFiles: false
        )
        builder.serverOptions.shutdownTimeout = options.drainTimeout
        builder.serverOptions.httpsDefaults = options.https
        // WebSockets over HTTP/2 (RFC 8441) at the edge: the forwarder makes them HTTP/1.1 upgrades.
        builder.serverOptions.http2.enableExtendedConnect = true
        return builder.build()
    }
}

/// The exit code of the front's task, and an eventfd that wakes the thread waiting for it.
private final class FinishLine: @unchecked Sendable {
    let descriptor = chl_eventfd()
    private let lock = Lock()
    private var result: Int32?

    deinit { Descriptor.close(descriptor) }

    var isFinished: Bool { lock.withLock { result != nil } }
    var code: Int32 { lock.withLock { result ?? 1 } }

    func finish(with code: Int32) {
        lock.withLock { result = code }
        Descriptor.signalEvent(descriptor)
    }
}
