import HostctlFront
import HostctlHosting
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
        var command = command
        command.environment = Self.appEnvironment(command.environment, publicURLs: publicURLs)
        var options = Self.frontOptions(publicURLs: publicURLs, for: command)
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

    /// The front's options for `publicURLs`: all of them served, https:// ones with the
    /// certificate the app's environment configures for Kestrel (else, in Development, the
    /// developer certificate).
    static func frontOptions(publicURLs: [String], for command: AppCommand) -> FrontOptions {
        var options = FrontOptions(publicURLs: publicURLs)
        options.https.certificate = FrontCertificate.configured(in: command.environment, relativeTo: command.workingDirectory)
        return options
    }

    /// The app's environment behind a front on `publicURLs`, with what ANCM tells an app
    /// behind IIS: the public https port (`ASPNETCORE_ANCM_HTTPS_PORT`), where its HTTPS
    /// redirection sends clients (unless the environment names one already).
    static func appEnvironment(_ environment: ProcessEnvironment, publicURLs: [String]) -> ProcessEnvironment {
        var environment = environment
        if environment["ASPNETCORE_ANCM_HTTPS_PORT"] == nil,
           let https = publicURLs.first(where: { $0.lowercased().hasPrefix("https://") }), let port = try? ListenURL(https).port {
            environment["ASPNETCORE_ANCM_HTTPS_PORT"] = String(port)
        }
        return environment
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

/// The certificate the front serves its public https:// URLs with: the one the app's own
/// environment configures for Kestrel (`ASPNETCORE_Kestrel__Certificates__Default__Path`,
/// with `KeyPath` and `Password`, under any of the prefixes the hosting library reads), so a
/// profile that names one gets it whichever side terminates TLS; else nil, and the front
/// uses the developer certificate in Development, as IIS Express uses its own.
enum FrontCertificate {
    static func configured(in environment: ProcessEnvironment, relativeTo directory: String?) -> CertificateConfiguration? {
        func setting(_ name: String) -> String? {
            var found: String?
            for prefix in ["", "DOTNET_", "ASPNETCORE_", "HOSTCTL_"] {
                let key = (prefix + "Kestrel__Certificates__Default__" + name).lowercased()
                if let value = environment.entries.last(where: { $0.name.lowercased() == key })?.value, !value.isEmpty { found = value }
            }
            return found
        }
        guard let path = setting("Path") else { return nil }
        let base = directory ?? ((try? FileSystem.currentDirectory()) ?? "/")
        return CertificateConfiguration(
            path: FilePath.absolute(path, relativeTo: base), keyPath: setting("KeyPath").map { FilePath.absolute($0, relativeTo: base) },
            password: setting("Password")
        )
    }
}
