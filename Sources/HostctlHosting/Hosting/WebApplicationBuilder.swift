import HostctlSystem

/// Collects what an app is made of before it runs: where it listens, its environment,
/// which server, and the server's limits.
///
/// ```swift
/// let builder = WebApplication.builder()          // from the Hostctl module
/// builder.serverOptions.maxRequestBodySize = 10_000_000
/// let app = builder.build()
/// ```
public final class WebApplicationBuilder: @unchecked Sendable {
    public var configuration: HostingConfiguration
    public var serverOptions = ServerOptions()
    /// Servers by name; `configuration.serverName` picks one.
    public var servers: [String: ServerFactory]
    public let arguments: [String]

    public init(arguments: [String] = CommandLine.arguments, environment: ProcessEnvironment = .currentWithFrontToken(), servers: [String: ServerFactory]) {
        self.arguments = arguments
        self.configuration = HostingConfiguration(arguments: Array(arguments.dropFirst()), environment: environment)
        self.servers = servers
    }

    public func build() -> WebApplication {
        WebApplication(configuration: configuration, serverOptions: serverOptions, servers: servers)
    }
}
