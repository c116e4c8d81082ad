import HostctlSystem

/// Everything `hostctl run` will do once the build is done: what to start, with which
/// arguments, environment and working directory, and what else to do around it.
public struct LaunchPlan: Sendable {
    /// What to execute.
    public enum Target: Sendable, Equatable {
        /// The package's executable product; nil means "the only one there is".
        case product(String?)
        /// A program named by an `Executable` profile (absolute, or a bare name for PATH).
        case executable(String)
    }

    public var target: Target
    public var arguments: [String]
    public var environment: ProcessEnvironment
    /// Where the app starts; hostctl's own working directory when nil.
    public var workingDirectory: String?
    /// Opened once the app listens (`launchBrowser`).
    public var browserURL: String?
    /// The URL to wait for before opening the browser.
    public var listenURL: String?
    /// Set when the profile (or --server) asks for proxied hosting: the URLs the front owns.
    public var proxiedPublicURLs: [String]?
    /// The URLs a front owns when every app goes behind one (hostctl watch): the proxied
    /// ones, else those the app would have listened on itself.
    public var frontURLs: [String] = []
    /// An IIS profile in process (`hostingModel`): the app serves the public URLs itself, and
    /// a failure to start is reported as such (ASP.NET's CaptureStartupErrors under IIS).
    public var capturesStartupErrors = false
    /// Public URLs nobody will listen on (https:// until TLS is served), for a warning.
    public var unservedURLs: [String] = []
    /// Proxied hosting: start the app with the front, or on the first request (`startMode`).
    public var startMode: LaunchProfile.StartMode = .onDemand
    /// The applied profile's name as typed, for messages; nil without a profile.
    public var profileName: String?
    /// `dotnetRunMessages`.
    public var printsBuildingMessage: Bool
}

/// Inputs to a plan that come from the command line.
public struct LaunchRequest: Sendable {
    public var appArguments: [String]
    public var ignoresProfileArguments: Bool
    public var environmentOverrides: [(name: String, value: String)]
    public var server: ServerKind?
    public var product: String?

    public init(
        appArguments: [String] = [], ignoresProfileArguments: Bool = false,
        environmentOverrides: [(name: String, value: String)] = [], server: ServerKind? = nil, product: String? = nil
    ) {
        self.appArguments = appArguments
        self.ignoresProfileArguments = ignoresProfileArguments
        self.environmentOverrides = environmentOverrides
        self.server = server
        self.product = product
    }
}

public enum LaunchPlanner {
    /// The URL a hosting library uses when nothing names one.
    public static let defaultURL = "http://localhost:5000"

    /// Applies `profile` (already read and checked) on top of `baseEnvironment`.
    ///
    /// Environment order, later wins (design §4): hostctl's environment; HOSTCTL_URLS from
    /// `applicationUrl`; HOSTCTL_LAUNCH_PROFILE; HOSTCTL_SERVER; the profile's variables;
    /// `-e`. Values are expanded against hostctl's own environment, as .NET does.
    /// Throws a `ProfileProblem` when an expanded value cannot be used (a working
    /// directory that does not exist); the caller then runs without the profile.
    public static func plan(
        profile: LaunchProfile?, typedName: String?, settings: LaunchSettings?,
        request: LaunchRequest, baseEnvironment: ProcessEnvironment, packageDirectory: String
    ) throws(ProfileProblem) -> LaunchPlan {
        let expander = VariableExpander { [baseEnvironment] name in baseEnvironment[name] }
        var environment = baseEnvironment
        let settingsDirectory = settings?.directory ?? packageDirectory

        var applicationUrl: String?
        if let profile {
            applicationUrl = profile.applicationUrl.map(expander.expand).flatMap { $0.isEmpty ? nil : $0 }
            // As with ASPNETCORE_URLS in .NET, applicationUrl is not passed to Executable profiles.
            if profile.kind != .executable, let applicationUrl { environment["HOSTCTL_URLS"] = applicationUrl }
            environment["HOSTCTL_LAUNCH_PROFILE"] = typedName ?? profile.name
        }

        let server = request.server ?? profile?.server
        // Behind a front the app runs on its profile's own server: `--server proxied` puts
        // a front before it without changing that, and "proxied" is never the app's server.
        let appServer = request.server == .proxied ? profile?.server : server
        if let appServer, appServer != .proxied { environment["HOSTCTL_SERVER"] = appServer.rawValue }

        let profileVariables = (profile?.environmentVariables ?? []).map { ($0.name, expander.expand($0.value)) }
        for (name, value) in profileVariables { environment[name] = value }
        for (name, value) in request.environmentOverrides { environment[name] = value }

        // A URL variable set explicitly beats applicationUrl (design §4). The hosting library
        // reads HOSTCTL_URLS before ASPNETCORE_URLS, so an explicit ASPNETCORE_URLS only wins
        // if no HOSTCTL_URLS is left in front of it.
        let explicit = Set(profileVariables.map(\.0) + request.environmentOverrides.map(\.name))
        if explicit.contains("ASPNETCORE_URLS"), !explicit.contains("HOSTCTL_URLS") {
            environment["HOSTCTL_URLS"] = nil
        }

        var arguments = request.appArguments
        if arguments.isEmpty, !request.ignoresProfileArguments, let line = profile?.commandLineArgs {
            arguments = CommandLineArgsSplitter.split(expander.expand(line))
        }

        var workingDirectory: String?
        if let configured = profile?.workingDirectory.map(expander.expand), !configured.isEmpty {
            let absolute = FilePath.absolute(configured, relativeTo: settingsDirectory)
            guard FileSystem.isDirectory(absolute) else {
                throw ProfileProblem("The working directory '\(absolute)' given by 'workingDirectory' does not exist.")
            }
            workingDirectory = absolute
        } else if profile?.kind == .executable {
            workingDirectory = packageDirectory
        }

        let target: LaunchPlan.Target
        if profile?.kind == .executable, let path = profile?.executablePath.map(expander.expand) {
            target = .executable(path.contains("/") ? FilePath.absolute(path, relativeTo: settingsDirectory) : path)
        } else {
            target = .product(request.product ?? profile?.product.flatMap { $0.isEmpty ? nil : $0 })
        }

        // The URLs the app will listen on. An Executable profile's applicationUrl is not passed
        // to the program, but it still says where the program listens (for launchBrowser).
        let urls = (profile?.kind == .executable ? applicationUrl : nil)
            ?? environment["HOSTCTL_URLS"] ?? environment["ASPNETCORE_URLS"] ?? defaultURL
        let firstURL = urls.split(separator: ";").first.map { String($0).trimmed } ?? defaultURL

        var proxiedPublicURLs: [String]?
        var inProcessURLs: [String]?
        switch profile?.kind {
        case .proxied(let flavor):
            let urls = try publicURLs(flavor: flavor, composedURLs: urls, settings: settings, expander: expander)
            // IIS profiles run in process unless they say otherwise (as ASP.NET Core 3.0 and
            // later); `--server proxied` asks for the front explicitly.
            if flavor != .proxied, (profile?.hostingModel ?? .inProcess) == .inProcess, request.server != .proxied {
                inProcessURLs = urls
            } else {
                proxiedPublicURLs = urls
            }
        default:
            if server == .proxied { proxiedPublicURLs = splitURLs(urls) }
        }
        var unservedURLs: [String] = []
        if let urls = inProcessURLs {
            let servable = servableURLs(urls)
            unservedURLs = servable.leftOut
            // The app itself listens on the public URLs, whatever else named its URLs.
            environment["HOSTCTL_URLS"] = servable.served.joined(separator: ";")
            inProcessURLs = servable.served
        }

        var browserURL: String?
        let publicURL = proxiedPublicURLs?.first ?? inProcessURLs?.first
        if profile?.launchBrowser == true {
            browserURL = BrowserURL.make(base: publicURL ?? firstURL, launchUrl: profile?.launchUrl.map(expander.expand))
        }

        var plan = LaunchPlan(
            target: target, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
            browserURL: browserURL, listenURL: publicURL ?? firstURL, proxiedPublicURLs: proxiedPublicURLs,
            profileName: profile.map { typedName ?? $0.name }, printsBuildingMessage: profile?.dotnetRunMessages ?? false
        )
        plan.startMode = profile?.startMode ?? .onDemand
        plan.frontURLs = proxiedPublicURLs ?? inProcessURLs ?? splitURLs(urls)
        plan.capturesStartupErrors = inProcessURLs != nil
        plan.unservedURLs = unservedURLs
        return plan
    }

    /// The URLs a front would own: the app's own URLs for Proxied profiles; for IIS
    /// profiles, `iisSettings.iisExpress.applicationUrl` and `sslPort`, so that real ASP.NET
    /// launch settings work unchanged.
    static func publicURLs(
        flavor: LaunchProfile.ProxiedFlavor, composedURLs: String, settings: LaunchSettings?, expander: VariableExpander
    ) throws(ProfileProblem) -> [String] {
        guard flavor != .proxied else { return splitURLs(composedURLs) }
        guard let express = settings?.iisSettings?.member(matchingCaseInsensitively: "iisExpress")?.value.objectValue else {
            throw ProfileProblem("The launch profile type '\(flavor.rawValue)' needs 'iisSettings.iisExpress' with 'applicationUrl' in launchSettings.json.")
        }
        var urls: [String] = []
        if case .string(let url)? = express.member(matchingCaseInsensitively: "applicationUrl")?.value, !url.isEmpty {
            urls.append(contentsOf: splitURLs(expander.expand(url)))
        }
        switch express.member(matchingCaseInsensitively: "sslPort")?.value {
        case .number(let text)?:
            if let port = Int(text), port > 0 { urls.append("https://localhost:\(port)") }
        case nil, .null?:
            break
        default:
            throw ProfileProblem("Could not convert the value of property 'sslPort' to a number.")
        }
        guard !urls.isEmpty else {
            throw ProfileProblem("The launch profile type '\(flavor.rawValue)' needs 'iisSettings.iisExpress' with 'applicationUrl' in launchSettings.json.")
        }
        return urls
    }

    /// The URLs that can be served, and those left out: https:// ones while only http://
    /// is served, as long as an http:// URL remains (so real ASP.NET launch settings, with
    /// their sslPort URL, run); with none left, all are kept and the server says why not.
    static func servableURLs(_ urls: [String]) -> (served: [String], leftOut: [String]) {
        let plain = urls.filter { !$0.lowercased().hasPrefix("https://") }
        guard !plain.isEmpty, plain.count < urls.count else { return (urls, []) }
        return (plain, urls.filter { !plain.contains($0) })
    }

    static func splitURLs(_ urls: String) -> [String] {
        urls.split(separator: ";").map { String($0).trimmed }.filter { !$0.isEmpty }
    }
}

extension String {
    var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
