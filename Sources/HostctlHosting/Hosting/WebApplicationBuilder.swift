import HostctlConfiguration
import HostctlLogging
import HostctlSystem

/// Collects what an app is made of before it runs: its configuration, environment,
/// logging, which server, and the server's limits.
///
/// ```swift
/// let builder = WebApplication.builder()          // from the Hostctl module
/// let shop = try builder.configuration.section("Shop").decode(ShopOptions.self)
/// builder.serverOptions.maxRequestBodySize = 10_000_000
/// builder.logging.addFilter("Shop", .debug)
/// let app = builder.build()
/// ```
///
/// The configuration is layered as ASP.NET Core's default builder layers it, later
/// sources winning: `DOTNET_`, `ASPNETCORE_` and `HOSTCTL_` variables (prefix removed),
/// `appsettings.json`, `appsettings.{Environment}.json` (both in the content root, optional,
/// reloaded when they change), every environment variable, then the command line. The
/// `Kestrel` section sets `serverOptions` (code changes made afterwards win) and the
/// endpoints; `Logging` sets the loggers' filters and the console.
///
/// A configuration file that cannot be read, or a value that does not bind, does not stop
/// the builder (whose configuration can still be read): it stops the app at `start()` (or
/// `run()`) with a message naming the file, line and column or the key.
public final class WebApplicationBuilder: @unchecked Sendable {
    public let configuration: Configuration
    /// The host's settings (URLs, server, front integration) as read from `configuration`.
    public var hosting: HostingConfiguration
    public var environment: HostEnvironment
    public var serverOptions = ServerOptions()
    /// The `Kestrel` section's endpoints and certificates.
    public var kestrel = KestrelConfiguration()
    public let logging: LoggingBuilder
    /// Servers by name; `hosting.serverName` picks one.
    public var servers: [String: ServerFactory]
    public let arguments: [String]
    /// Why the app must not start: configuration that cannot be read or bound.
    public private(set) var startupProblems: [String] = []
    let processEnvironment: ProcessEnvironment

    /// Reads the configuration from `arguments` (the program's name first, as
    /// `CommandLine.arguments`), `environment` and, unless `readsSettingsFiles` is false,
    /// the settings files of the content root.
    public init(
        arguments: [String] = CommandLine.arguments, environment: ProcessEnvironment = .currentWithFrontToken(), servers: [String: ServerFactory],
        readsSettingsFiles: Bool = true
    ) {
        self.arguments = arguments
        self.servers = servers
        self.processEnvironment = environment
        let appArguments = Array(arguments.dropFirst())
        let hostSources = HostingConfiguration.hostSources(arguments: appArguments, environment: environment)
        let host = HostingConfiguration(configuration: Configuration(hostSources), environment: environment)

        var sources = Array(hostSources.dropLast())
        if readsSettingsFiles {
            let reload = host.reloadsConfigurationOnChange
            sources.append(JSONConfigurationFile(path: FilePath.join(host.contentRootPath, "appsettings.json"), reloadOnChange: reload))
            sources.append(JSONConfigurationFile(path: FilePath.join(host.contentRootPath, "appsettings.\(host.environmentName).json"), reloadOnChange: reload))
        }
        sources.append(EnvironmentVariablesConfiguration(environment))
        sources.append(CommandLineConfiguration(appArguments))
        configuration = Configuration(sources)
        startupProblems = configuration.loadErrors.map(\.description)

        hosting = HostingConfiguration(configuration: configuration, environment: environment)
        // The environment and content root are the host's: a settings file cannot move itself.
        hosting.environmentName = host.environmentName
        hosting.contentRootPath = host.contentRootPath
        let applicationName = FilePath.lastComponent(arguments.first ?? "app")
        self.environment = HostEnvironment(
            name: host.environmentName, contentRootPath: host.contentRootPath, webRootPath: hosting.webRootPath,
            applicationName: applicationName.isEmpty ? "app" : applicationName
        )

        do {
            kestrel = try KestrelConfiguration.read(configuration.section("Kestrel"), contentRoot: host.contentRootPath, into: &serverOptions)
        } catch {
            startupProblems.append(error.description)
        }
        var console = ConsoleLogOptions()
        do {
            console = try LoggingConfiguration.consoleOptions(from: configuration.section("Logging"))
            _ = try LoggingConfiguration.rules(from: configuration.section("Logging"))
        } catch {
            startupProblems.append(error.description)
        }
        logging = LoggingBuilder(console: console)
    }

    public func build() -> WebApplication {
        var problems = startupProblems
        var configuredRules: [LogFilterRule] = []
        do {
            // Read again: code may have set `configuration["Logging:…"]` since.
            configuredRules = try LoggingConfiguration.rules(from: configuration.section("Logging"))
        } catch {
            if !problems.contains(error.description) { problems.append(error.description) }
        }
        var sinks = logging.sinks
        if let console = logging.console { sinks.insert(ConsoleLogSink(options: console, environment: processEnvironment), at: 0) }
        let factory = LoggerFactory(sinks: sinks, rules: configuredRules + logging.rules, minimumLevel: logging.minimumLevel)
        return WebApplication(
            configuration: configuration, hosting: hosting, environment: environment, serverOptions: serverOptions, kestrel: kestrel,
            loggerFactory: factory, codeRules: logging.rules, minimumLevel: logging.minimumLevel, servers: servers, startupProblems: problems,
            processEnvironment: processEnvironment
        )
    }
}
