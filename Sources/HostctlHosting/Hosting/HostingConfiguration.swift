import HostctlConfiguration
import HostctlSystem

/// The host's own settings (design §4–5), read from the configuration's host keys, the
/// later source winning and an empty value counting as unset:
/// - URLs: `urls` (`--urls`, `HOSTCTL_URLS`, `ASPNETCORE_URLS`, `DOTNET_URLS`, or `"Urls"` in
///   appsettings.json), else `http://localhost:5000`;
/// - environment: `environment` (`--environment`, `HOSTCTL_ENVIRONMENT`,
///   `ASPNETCORE_ENVIRONMENT`, `DOTNET_ENVIRONMENT`), else `Production`;
/// - server: `server` (`--server`, `HOSTCTL_SERVER`), else `eventloop`;
/// - content root: `contentRoot` (`--contentRoot`, `HOSTCTL_CONTENTROOT`, …), else the
///   current directory; web root: `webroot`, else `wwwroot` under the content root;
/// - behind the front (design §6): `HOSTCTL_PORT` and `HOSTCTL_TOKEN` both set, with
///   `HOSTCTL_PATHBASE` and `HOSTCTL_READY_FD`. Then the app listens on 127.0.0.1:PORT only,
///   whatever `urls` says.
public struct HostingConfiguration: Sendable {
    public var urls: String
    public var environmentName: String
    public var serverName: String
    public var contentRootPath: String
    public var webRootPath: String
    /// `.success(nil)` when the app runs bare; a failure (a bad `HOSTCTL_PORT`) stops it at start.
    public var frontIntegration: Result<FrontIntegrationConfiguration?, FrontIntegrationError>
    /// Settings files are reloaded when they change (`hostBuilder:reloadConfigOnChange`, true
    /// unless set to false).
    public var reloadsConfigurationOnChange: Bool
    /// Look at settings files once a second instead of using inotify
    /// (`DOTNET_USE_POLLING_FILE_WATCHER` or `HOSTCTL_USE_POLLING_FILE_WATCHER` set to 1 or true).
    public var usesPollingFileWatcher: Bool

    public static let defaultURL = "http://localhost:5000"

    /// The host configuration sources, lowest precedence first: `DOTNET_`, `ASPNETCORE_` and
    /// `HOSTCTL_` variables (prefix removed), then the command line.
    public static func hostSources(arguments: [String], environment: ProcessEnvironment) -> [any ConfigurationProvider] {
        [
            EnvironmentVariablesConfiguration(environment, prefix: "DOTNET_"),
            EnvironmentVariablesConfiguration(environment, prefix: "ASPNETCORE_"),
            EnvironmentVariablesConfiguration(environment, prefix: "HOSTCTL_"),
            CommandLineConfiguration(arguments),
        ]
    }

    /// From the arguments (without the program name) and environment alone.
    public init(arguments: [String], environment: ProcessEnvironment) {
        self.init(configuration: Configuration(Self.hostSources(arguments: arguments, environment: environment)), environment: environment)
    }

    /// From an app's configuration; `environment` supplies the front's variables.
    public init(configuration: Configuration, environment: ProcessEnvironment) {
        func setting(_ key: String) -> String? {
            configuration.values(of: key).last { !($0.value ?? "").isEmpty }?.value
        }
        let currentDirectory = (try? FileSystem.currentDirectory()) ?? "/"
        urls = setting("urls") ?? Self.defaultURL
        environmentName = setting("environment") ?? "Production"
        serverName = (setting("server") ?? "eventloop").lowercased()
        contentRootPath = FilePath.normalize(FilePath.join(currentDirectory, setting("contentRoot") ?? ""))
        webRootPath = FilePath.normalize(FilePath.join(contentRootPath, setting("webroot") ?? "wwwroot"))
        reloadsConfigurationOnChange = setting("hostBuilder:reloadConfigOnChange").map { $0.lowercased() != "false" } ?? true
        usesPollingFileWatcher = [environment["DOTNET_USE_POLLING_FILE_WATCHER"], environment["HOSTCTL_USE_POLLING_FILE_WATCHER"]]
            .contains { ["1", "true"].contains($0?.lowercased()) }
        frontIntegration = Result { () throws(FrontIntegrationError) in try FrontIntegrationConfiguration.read(from: environment) }
    }
}

/// What an app runs in, as ASP.NET's IWebHostEnvironment: its environment name and where
/// its files are.
public struct HostEnvironment: Sendable, Equatable {
    /// "Development", "Staging", "Production", …
    public var name: String
    /// Where appsettings.json is looked for (the current directory unless `contentRoot` says).
    public var contentRootPath: String
    /// Where static files are served from (`wwwroot` under the content root unless `webroot` says).
    public var webRootPath: String
    /// The app's name (its executable's), the category of `WebApplication.logger`.
    public var applicationName: String

    public init(name: String, contentRootPath: String, webRootPath: String, applicationName: String) {
        self.name = name
        self.contentRootPath = contentRootPath
        self.webRootPath = webRootPath
        self.applicationName = applicationName
    }

    /// Compares names without regard to case, as .NET's IsEnvironment.
    public func isEnvironment(_ name: String) -> Bool { self.name.lowercased() == name.lowercased() }
    public var isDevelopment: Bool { isEnvironment("Development") }
    public var isStaging: Bool { isEnvironment("Staging") }
    public var isProduction: Bool { isEnvironment("Production") }
}
