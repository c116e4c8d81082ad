import HostctlSystem

/// What an app reads from its arguments and environment at start (design §4–5), first
/// found wins:
/// - URLs: `--urls` in the arguments, `HOSTCTL_URLS`, `ASPNETCORE_URLS`, else `http://localhost:5000`;
/// - environment: `--environment`, `HOSTCTL_ENVIRONMENT`, `ASPNETCORE_ENVIRONMENT`, `DOTNET_ENVIRONMENT`, else `Production`;
/// - server: `--server`, `HOSTCTL_SERVER`, else `eventloop`;
/// - behind the front (design §6): `HOSTCTL_PORT` and `HOSTCTL_TOKEN` both set, with
///   `HOSTCTL_PATHBASE` and `HOSTCTL_READY_FD`. Then the app listens on 127.0.0.1:PORT only,
///   whatever `urls` says.
public struct HostingConfiguration: Sendable {
    public var urls: String
    public var environmentName: String
    public var serverName: String
    public var contentRootPath: String
    /// `.success(nil)` when the app runs bare; a failure (a bad `HOSTCTL_PORT`) stops it at start.
    public var frontIntegration: Result<FrontIntegrationConfiguration?, FrontIntegrationError>

    public static let defaultURL = "http://localhost:5000"

    public init(arguments: [String], environment: ProcessEnvironment) {
        func argument(_ name: String) -> String? {
            var found: String?
            var index = 0
            while index < arguments.count {
                let token = arguments[index]
                if token == "--\(name)", index + 1 < arguments.count {
                    found = arguments[index + 1]
                    index += 1
                } else if token.hasPrefix("--\(name)=") {
                    found = String(token.dropFirst(name.count + 3))
                }
                index += 1
            }
            return found
        }
        func variable(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        urls = argument("urls") ?? variable("HOSTCTL_URLS", "ASPNETCORE_URLS") ?? Self.defaultURL
        environmentName = argument("environment") ?? variable("HOSTCTL_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT") ?? "Production"
        serverName = (argument("server") ?? variable("HOSTCTL_SERVER") ?? "eventloop").lowercased()
        contentRootPath = (try? FileSystem.currentDirectory()) ?? "/"
        frontIntegration = Result { () throws(FrontIntegrationError) in try FrontIntegrationConfiguration.read(from: environment) }
    }
}
