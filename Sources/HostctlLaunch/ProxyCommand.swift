import HostctlCommandLine
import HostctlFront
import HostctlSupervisor
import HostctlSystem

/// `hostctl proxy --urls URLS (--project DIR | -- COMMAND ARGS…)`: the front on its own,
/// for production and systemd. With --project it builds and runs the package's
/// executable as `hostctl run --no-launch-profile` would, behind the front; after `--`
/// it runs COMMAND from the current directory.
public struct ProxyCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        // Everything after the first `--` is the app's command line, never hostctl's options.
        let split = tokens.firstIndex(of: "--")
        let own = Array(tokens[..<(split ?? tokens.endIndex)])
        let command = split.map { Array(tokens[tokens.index(after: $0)...]) }
        return CommandHarness(environment: environment, console: console).execute(own, spec: HostctlCommands.proxy) {
            (parsed, reporter) throws(HostctlFailure) in
            try run(try ProxyOptions(parsed, command: command), reporter: reporter)
        }
    }

    func run(_ options: ProxyOptions, reporter: Reporter) throws(HostctlFailure) -> Int32 {
        let overrides = RunCommand.FrontOverrides(startMode: options.startMode, pathBase: options.pathBase)
        guard let words = options.command else {
            var run = RunOptions()
            run.configuration = options.configuration
            run.noLaunchProfile = true
            run.noBuild = options.noBuild
            run.project = options.project
            run.product = options.product
            run.server = .proxied
            run.verbosity = options.verbosity
            run.environment = [("HOSTCTL_URLS", options.urls)] + options.environment
            return try RunCommand(environment: environment, console: console).run(run, reporter: reporter, front: overrides)
        }

        let directory: String
        do { directory = try FileSystem.currentDirectory() } catch {
            throw HostctlFailure("The current directory cannot be read: \(error.reason).")
        }
        guard let executable = ExecutableSearch.find(words[0], path: environment["PATH"]) else {
            throw HostctlFailure("Unable to run '\(words[0])': it was not found\(words[0].contains("/") ? "" : " on PATH").")
        }
        var appEnvironment = environment
        for (name, value) in options.environment { appEnvironment[name] = value }
        let relay = try SignalRelay.forChildren()
        let command = AppCommand(
            executable: FilePath.absolute(executable, relativeTo: directory), arguments: Array(words.dropFirst()),
            environment: appEnvironment
        )
        return FrontLauncher(reporter: reporter, hostEnvironment: environment).run(
            command, publicURLs: LaunchPlanner.splitURLs(options.urls), startMode: options.startMode ?? .onDemand,
            appOfflineDirectory: directory, pathBase: options.pathBase, relay: relay
        )
    }
}

/// `hostctl proxy`'s options, typed.
public struct ProxyOptions: Sendable {
    public var urls: String
    /// The app's command line after `--`; nil means the package's executable.
    public var command: [String]?
    public var project: String?
    public var configuration: BuildConfiguration = .debug
    public var product: String?
    public var noBuild = false
    public var environment: [(name: String, value: String)] = []
    public var startMode: LaunchProfile.StartMode?
    public var pathBase: String?
    public var verbosity: Verbosity = .minimal

    public init(_ parsed: ParsedCommandLine, command: [String]?) throws(HostctlFailure) {
        guard let urls = parsed.value("urls"), !LaunchPlanner.splitURLs(urls).isEmpty else {
            throw HostctlFailure("hostctl proxy needs the public URLs to listen on: --urls URLS (for example --urls http://localhost:8080).")
        }
        self.urls = urls
        project = parsed.value("project")
        if let command {
            guard let first = command.first, !first.isEmpty else {
                throw HostctlFailure("Nothing to run after '--': give the app's command, as in: hostctl proxy --urls URLS -- ./app")
            }
            guard project == nil else {
                throw HostctlFailure("Use either --project DIR or -- COMMAND, not both.")
            }
            self.command = command
        }
        configuration = parsed.value("configuration").flatMap(BuildConfiguration.init(rawValue:)) ?? .debug
        product = parsed.value("product").flatMap { $0.isEmpty ? nil : $0 }
        noBuild = parsed.isSet("noBuild")
        startMode = parsed.value("startMode").flatMap(LaunchProfile.StartMode.init(rawValue:))
        pathBase = parsed.value("pathBase")
        verbosity = parsed.value("verbosity").flatMap(Verbosity.init(rawValue:)) ?? .minimal
        environment = try RunOptions.environmentAssignments(parsed.allValues("environment"))
    }
}
