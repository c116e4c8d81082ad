/// One launch profile, with its values checked and typed (but not yet expanded:
/// expansion happens when the profile is applied, against hostctl's environment).
public struct LaunchProfile: Sendable, Equatable {
    /// `commandName`.
    public enum Kind: Sendable, Equatable {
        /// Build and run the package's executable; the app runs its own server.
        case project
        /// Run `executablePath` (after the build, unless --no-build).
        case executable
        /// hostctl runs the front proxy on the public URLs and the app behind it.
        case proxied(ProxiedFlavor)
    }

    /// Which spelling asked for proxied hosting; IIS profiles take their public URL from `iisSettings`.
    public enum ProxiedFlavor: String, Sendable, Equatable {
        case proxied = "Proxied"
        case iisExpress = "IISExpress"
        case iis = "IIS"
    }

    /// `hostingModel` (IIS profiles; `<AspNetCoreHostingModel>`): the app serves the public
    /// URLs itself (in process, the default since ASP.NET Core 3.0), or behind the front.
    public enum HostingModel: String, Sendable, Equatable, CaseIterable {
        case inProcess = "InProcess"
        case outOfProcess = "OutOfProcess"
    }

    /// `startMode` (proxied hosting): start the app on the first request, or at once.
    public enum StartMode: String, Sendable, Equatable, CaseIterable {
        case onDemand = "onDemand"
        case always = "always"
    }

    /// The name as written in the file.
    public var name: String
    public var kind: Kind
    public var commandLineArgs: String?
    public var environmentVariables: [(name: String, value: String)] = []
    public var applicationUrl: String?
    public var dotnetRunMessages = false
    public var launchBrowser = false
    public var launchUrl: String?
    public var workingDirectory: String?
    public var executablePath: String?
    public var server: ServerKind?
    public var product: String?
    public var startMode: StartMode?
    public var hostingModel: HostingModel?

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public static func == (lhs: LaunchProfile, rhs: LaunchProfile) -> Bool {
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.commandLineArgs == rhs.commandLineArgs
            && lhs.environmentVariables.elementsEqual(rhs.environmentVariables) { $0 == $1 }
            && lhs.applicationUrl == rhs.applicationUrl && lhs.dotnetRunMessages == rhs.dotnetRunMessages
            && lhs.launchBrowser == rhs.launchBrowser && lhs.launchUrl == rhs.launchUrl
            && lhs.workingDirectory == rhs.workingDirectory && lhs.executablePath == rhs.executablePath
            && lhs.server == rhs.server && lhs.product == rhs.product && lhs.startMode == rhs.startMode
            && lhs.hostingModel == rhs.hostingModel
    }
}
