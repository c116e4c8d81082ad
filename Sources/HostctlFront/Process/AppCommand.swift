import HostctlHosting
import HostctlSystem

/// What the front runs behind it: the app's program, arguments, environment (already
/// composed, as `hostctl run` would give it) and working directory.
public struct AppCommand: Sendable {
    /// An absolute path (or one relative to the working directory); not searched on PATH.
    public var executable: String
    public var arguments: [String]
    public var environment: ProcessEnvironment
    /// hostctl's working directory when nil.
    public var workingDirectory: String?

    public init(executable: String, arguments: [String] = [], environment: ProcessEnvironment, workingDirectory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// The app's environment name as the hosting library will read it (design §4), for
    /// deciding whether error pages may show its output.
    public var environmentName: String {
        ["HOSTCTL_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"].lazy
            .compactMap { environment[$0] }.first { !$0.isEmpty } ?? "Production"
    }

    /// Where an app that does not report its port finds the one to listen on: the variables
    /// Heroku-style hosts and ANCM set, and a placeholder in its arguments, for commands
    /// such as `vapor serve --port {port}`.
    public static let portVariables = ["PORT", "ASPNETCORE_PORT"]
    public static let portPlaceholder = "{port}"

    /// The command line, for messages.
    public var displayName: String {
        ([executable] + arguments).map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}

/// The process half's settings, with ANCM's defaults (reference §6.3).
public struct AppSupervisorOptions: Sendable {
    /// From spawn to listening (the port line on HOSTCTL_READY_FD, or a connection accepted on
    /// the port given in PORT) (startupTimeLimit); then the app is killed.
    public var startupTimeLimit: Duration = .seconds(120)
    /// From SIGTERM to SIGKILL when stopping the app (shutdownTimeLimit).
    public var shutdownTimeLimit: Duration = .seconds(10)
    /// Failures allowed within `rapidFailureWindow` before 503s (rapidFailsPerMinute).
    public var rapidFailureLimit = 10
    public var rapidFailureWindow: Duration = .seconds(60)
    /// HOSTCTL_PATHBASE.
    public var pathBase = "/"
    /// Show the tail of the app's output on 502 pages (Development only, by default).
    public var showsOutputTail = false
    /// The folder where `app_offline.htm` takes the app offline; nil: not watched.
    public var appOfflineDirectory: String?
    /// How often app_offline.htm is looked for.
    public var appOfflinePollInterval: Duration = .seconds(1)
    /// Where the app's stdout and stderr are copied (hostctl's own, by default); nil drops them.
    public var relayedStandardOutput: Int32? = 1
    public var relayedStandardError: Int32? = 2
    /// Put before every line of the app's output where it is copied (hostctl uses "NAME | "),
    /// so it reads as the app's and not the front's; nil copies it unmarked.
    public var outputLinePrefix: String?
    /// The front's own messages about the app (started, crashed, restarted).
    public var log: @Sendable (String) -> Void = { HostingConsole.error($0) }
    /// Whether a request finds the app started for it (as ANCM starts it). hostctl watch
    /// turns this off: the app starts only with `AppSupervisor.swap(to:)`, a run that ends
    /// by itself is replaced only by the next one, and meanwhile requests get a page naming
    /// what happened (`FrontErrorPage.notRunning`).
    public var startsOnRequest = true
    /// After a swap, how long the replaced run gets to finish the requests it was handed
    /// before it is asked to stop anyway (then `shutdownTimeLimit` applies as usual): what
    /// bounds a long-lived request (a stream, a long poll) holding an old build alive.
    public var swapDrainLimit: Duration = .seconds(10)
    /// Told when the app that was serving ends by itself (exits or crashes), with the cause.
    public var onUnexpectedExit: (@Sendable (AppFailure) -> Void)?

    public init() {}
}
