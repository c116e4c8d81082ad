import HostctlCommandLine

/// `hostctl run`'s options, typed.
public struct RunOptions: Sendable {
    public var configuration: BuildConfiguration = .debug
    public var launchProfile: String?
    public var noLaunchProfile = false
    public var noLaunchProfileArguments = false
    public var environment: [(name: String, value: String)] = []
    public var noBuild = false
    public var project: String?
    public var product: String?
    public var server: ServerKind?
    public var verbosity: Verbosity = .minimal
    public var appArguments: [String] = []

    public init() {}

    public init(_ parsed: ParsedCommandLine) throws(HostctlFailure) {
        configuration = parsed.value("configuration").flatMap(BuildConfiguration.init(rawValue:)) ?? .debug
        launchProfile = parsed.value("launchProfile")
        noLaunchProfile = parsed.isSet("noLaunchProfile")
        noLaunchProfileArguments = parsed.isSet("noLaunchProfileArguments")
        noBuild = parsed.isSet("noBuild")
        project = parsed.value("project")
        product = parsed.value("product").flatMap { $0.isEmpty ? nil : $0 }
        server = parsed.value("server").flatMap(ServerKind.init(parsing:))
        verbosity = parsed.value("verbosity").flatMap(Verbosity.init(rawValue:)) ?? .minimal
        appArguments = parsed.forwarded
        environment = try Self.environmentAssignments(parsed.allValues("environment"))
    }

    /// `-e KEY=VALUE` values, split.
    static func environmentAssignments(_ values: [String]) throws(HostctlFailure) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for assignment in values {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw HostctlFailure("Incorrectly formatted environment variables: '\(assignment)'. Use -e KEY=VALUE.")
            }
            result.append((String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
        }
        return result
    }
}

/// `hostctl build`'s options, typed.
public struct BuildOptions: Sendable {
    public var configuration: BuildConfiguration = .debug
    public var project: String?
    public var product: String?
    public var verbosity: Verbosity = .minimal

    public init() {}

    public init(_ parsed: ParsedCommandLine) {
        configuration = parsed.value("configuration").flatMap(BuildConfiguration.init(rawValue:)) ?? .debug
        project = parsed.value("project")
        product = parsed.value("product").flatMap { $0.isEmpty ? nil : $0 }
        verbosity = parsed.value("verbosity").flatMap(Verbosity.init(rawValue:)) ?? .minimal
    }
}
