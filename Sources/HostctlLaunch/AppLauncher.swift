import Glibc
import HostctlSupervisor
import HostctlSystem

/// Starts the app and stays with it until it ends, as `dotnet run` does: the app shares
/// hostctl's terminal and process group, signals sent to hostctl are passed on, and
/// hostctl ends with the app's exit code (128+N when signal N killed it).
struct AppLauncher {
    let reporter: Reporter
    let relay: SignalRelay
    /// hostctl's environment, for finding and starting a browser.
    let hostEnvironment: ProcessEnvironment

    func run(executable: String, plan: LaunchPlan) throws(HostctlFailure) -> Int32 {
        var request = SpawnRequest(
            executable: executable, arguments: plan.arguments, environment: plan.environment,
            workingDirectory: plan.workingDirectory
        )
        request.argumentZero = executable
        // hostctl killed outright (SIGKILL, the OOM killer, an IDE's hard stop) must not leave
        // the app running without it, in a terminal that has moved on. It gets the SIGTERM
        // hostctl would have passed on, so it drains its own clients as it would on Ctrl+C.
        // (The main thread, which spawns it here, lives until the app is reaped.)
        request.parentDeathSignal = SIGTERM
        reporter.detail("Starting: \(executable)\(plan.arguments.isEmpty ? "" : " " + plan.arguments.joined(separator: " "))")

        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(request)
        } catch {
            throw HostctlFailure("Unable to run '\(executable)': \(describe(error)).")
        }

        var monitor = ChildMonitor()
        monitor.relay = relay
        monitor.shouldForward = SignalPolicy.shouldForward
        var browsers: [ChildProcess] = []
        // Watched for opening the browser once the app listens, and in process (an IIS
        // profile) to tell a failed start from a crash later on.
        let address = plan.listenURL.flatMap(ListenAddress.init(url:))
        var listened = false
        if plan.browserURL != nil || plan.capturesStartupErrors, let address {
            let opener = BrowserOpener(environment: hostEnvironment, reporter: reporter)
            let startupDeadline = MonotonicClock.now() + Self.startupTimeLimit.nanoseconds
            var warnedSlowStart = false
            monitor.tickInterval = 100_000_000
            monitor.onTick = { [reporter] in
                for browser in browsers { browser.reapIfExited() }
                guard !listened else { return }
                if Self.isListening(address) {
                    listened = true
                    if let url = plan.browserURL, let browser = opener.open(url) { browsers.append(browser) }
                } else if plan.capturesStartupErrors, !warnedSlowStart, MonotonicClock.now() >= startupDeadline {
                    // As IIS in process (500.37): said, but the app is left to go on starting.
                    warnedSlowStart = true
                    reporter.warning("Warning: the app has not started listening on \(plan.listenURL ?? "?") within \(Self.startupTimeLimit.components.seconds) s (In-Process Startup Time Limit).")
                }
            }
        } else if plan.browserURL != nil {
            reporter.info("Not opening a browser: the app's address (\(plan.listenURL ?? "?")) is not one hostctl can watch for (port 0 is only known to the app).")
        }
        let status = monitor.wait(for: child).status
        for browser in browsers { browser.reapIfExited() }
        if plan.capturesStartupErrors, address != nil, !listened, !status.isSuccess {
            // IIS in process shows 500.30 for this; hostctl says it where the app's output is.
            reporter.error("The app failed to start (In-Process Start Failure): it \(status) before it listened on \(plan.listenURL ?? "?").")
        }
        return status.shellCode
    }

    /// ANCM's startupTimeLimit, which applies in process too.
    static let startupTimeLimit: Duration = .seconds(120)

    static func isListening(_ address: ListenAddress) -> Bool {
        switch address {
        case .tcp(let hosts, let port):
            hosts.contains { ListenProbe.acceptsTCP(host: $0, port: port) }
        case .unix(let path):
            ListenProbe.acceptsUnix(path: path)
        }
    }

    private func describe(_ error: SystemError) -> String {
        switch error.code {
        case ENOENT: "the file does not exist"
        case EACCES: "permission denied (is it executable?)"
        case ENOEXEC: "it is not a program this system can run"
        default: error.reason
        }
    }
}
