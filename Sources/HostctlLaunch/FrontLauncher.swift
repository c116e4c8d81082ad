import HostctlFront
import HostctlSupervisor
import HostctlSystem
import Synchronization

/// Runs a built app behind the front (design §6), for `hostctl run` with a proxied
/// profile or `--server proxied`, and for `hostctl proxy`: the front takes the public
/// URLs and hostctl's signals; the app gets its composed environment plus the front's
/// variables, in a process group of its own.
struct FrontLauncher {
    let reporter: Reporter
    let hostEnvironment: ProcessEnvironment

    func run(
        _ command: AppCommand, publicURLs: [String], startMode: LaunchProfile.StartMode, appOfflineDirectory: String,
        browserURL: String? = nil, pathBase: String? = nil, relay: SignalRelay
    ) -> Int32 {
        var options = FrontOptions(publicURLs: servableURLs(publicURLs))
        options.startsAppAtOnce = startMode == .always
        options.supervisor.appOfflineDirectory = appOfflineDirectory
        options.supervisor.showsOutputTail = command.environmentName.lowercased() == "development"
        options.supervisor.outputLinePrefix = FilePath.lastComponent(command.executable) + " | "
        if let pathBase, !pathBase.isEmpty { options.supervisor.pathBase = pathBase.hasPrefix("/") ? pathBase : "/" + pathBase }
        reporter.detail("Starting the front on \(options.publicURLs.joined(separator: ";")) for: \(command.displayName)")

        let browsers = BrowserProcesses()
        if let browserURL {
            let opener = BrowserOpener(environment: hostEnvironment, reporter: reporter)
            // The front listens by now, so the browser's request starts the app if need be.
            options.onStarted = { browsers.open(browserURL, with: opener) }
        }
        let code = FrontHost(command: command, options: options).run(signals: relay)
        browsers.reap()
        return code
    }

    /// The front serves http:// only for now: an IIS profile's sslPort URL is left out
    /// (with a warning) when an http:// URL remains, so real ASP.NET launch settings run.
    func servableURLs(_ urls: [String]) -> [String] {
        let servable = LaunchPlanner.servableURLs(urls)
        for url in servable.leftOut {
            reporter.warning("Warning: the front does not listen on \(url): this version of hostctl serves http:// only.")
        }
        return servable.served
    }
}

/// Browsers opened from the front's start callback (another thread), reaped at the end.
private final class BrowserProcesses: Sendable {
    /// A ChildProcess is not Sendable; these are only touched under the mutex.
    private struct Owned: @unchecked Sendable { let child: ChildProcess }
    private let children = Mutex<[Owned]>([])

    func open(_ url: String, with opener: BrowserOpener) {
        guard let child = opener.open(url) else { return }
        let owned = Owned(child: child)
        children.withLock { $0.append(owned) }
    }

    func reap() { children.withLock { for owned in $0 { owned.child.reapIfExited() } } }
}
