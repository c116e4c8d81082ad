import Glibc
import HostctlCommandLine
import HostctlFront
import HostctlSupervisor
import HostctlSystem

/// `hostctl run`: read the launch profile, build, launch, and end with the app's exit code.
///
/// The order of work is `dotnet run`'s: the profile is resolved before the build, so
/// "Using launch settings…" and any profile problem come first; a profile problem is
/// reported and the app still runs, without the profile.
public struct RunCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        CommandHarness(environment: environment, console: console).execute(tokens, spec: HostctlCommands.run) {
            (parsed, reporter) throws(HostctlFailure) in
            try run(try RunOptions(parsed), reporter: reporter)
        }
    }

    func run(_ options: RunOptions, reporter: Reporter, front: FrontOverrides = FrontOverrides()) throws(HostctlFailure) -> Int32 {
        let package = try PackageLocation.resolve(project: options.project, purpose: "to run")
        let plan = makePlan(options, package: package, reporter: reporter)

        // From here on hostctl has children; the signals it relays must be blocked before the first one starts.
        let relay = try SignalRelay.forChildren()
        let executable = try prepareExecutable(plan, options: options, package: package, reporter: reporter, relay: relay)
        // A stop signal (Ctrl+C included) that arrived between build and launch ends hostctl here.
        if let pending = relay.drain().first(where: { SignalPolicy.handled.contains($0.signal) }) {
            return 128 + pending.signal
        }
        if let publicURLs = plan.proxiedPublicURLs {
            let command = AppCommand(
                executable: executable, arguments: plan.arguments, environment: plan.environment,
                workingDirectory: plan.workingDirectory
            )
            return FrontLauncher(reporter: reporter, hostEnvironment: environment).run(
                command, publicURLs: publicURLs, startMode: front.startMode ?? plan.startMode,
                appOfflineDirectory: package.directory, browserURL: plan.browserURL, pathBase: front.pathBase, relay: relay
            )
        }
        for url in plan.unservedURLs {
            reporter.warning("Warning: the app does not listen on \(url): this version of hostctl serves http:// only.")
        }
        return try AppLauncher(reporter: reporter, relay: relay, hostEnvironment: environment).run(executable: executable, plan: plan)
    }

    /// What `hostctl proxy --project` says about the front that a launch profile would.
    struct FrontOverrides: Sendable {
        var startMode: LaunchProfile.StartMode?
        var pathBase: String?
    }

    /// Reads launch settings, reports what the reference says to report, and plans the launch.
    func makePlan(_ options: RunOptions, package: PackageLocation, reporter: Reporter) -> LaunchPlan {
        let request = LaunchRequest(
            appArguments: options.appArguments, ignoresProfileArguments: options.noLaunchProfileArguments,
            environmentOverrides: options.environment, server: options.server, product: options.product
        )
        var selection = ProfileSelection.none
        if !options.noLaunchProfile {
            let candidates = LaunchSettings.candidatePaths(inPackage: package.directory)
            let present = candidates.filter { FileSystem.exists($0) }
            if let path = present.first {
                reporter.info("Using launch settings from \(path)...")
                if present.count > 1 {
                    reporter.warning("Warning: Settings from '\(present[1])' are not used because '\(path)' has precedence.")
                }
                let settings = Result { () throws(LaunchSettingsError) in try LaunchSettings.read(path: path) }
                selection = ProfileSelector.select(requested: options.launchProfile, settings: settings, searchedPaths: candidates)
            } else {
                selection = ProfileSelector.select(requested: options.launchProfile, settings: nil, searchedPaths: candidates)
            }
        }

        if case .selected(let profile, let typedName, let settings) = selection {
            do {
                return try LaunchPlanner.plan(
                    profile: profile, typedName: typedName, settings: settings, request: request,
                    baseEnvironment: environment, packageDirectory: package.directory
                )
            } catch {
                reporter.error(ProfileFailure.notApplied(typedName, error.reason).message)
            }
        } else if case .failed(let failure) = selection {
            reporter.error(failure.message)
        }
        // Without a profile nothing can fail to apply.
        return try! LaunchPlanner.plan(
            profile: nil, typedName: nil, settings: nil, request: request,
            baseEnvironment: environment, packageDirectory: package.directory
        )
    }

    /// Builds what the plan runs (unless --no-build) and returns the path to execute.
    /// `diagnostics` collects the first errors of a failed build.
    func prepareExecutable(
        _ plan: LaunchPlan, options: RunOptions, package: PackageLocation, reporter: Reporter, relay: SignalRelay,
        diagnostics: BuildDiagnostics? = nil
    ) throws(HostctlFailure) -> String {
        let configuration = options.configuration
        func builder() throws(HostctlFailure) -> PackageBuilder {
            var builder = PackageBuilder(
                package: package, toolchain: try SwiftToolchain.locate(environment: environment),
                environment: environment, reporter: reporter, relay: relay
            )
            builder.diagnostics = diagnostics
            return builder
        }

        switch plan.target {
        case .executable(let path):
            if !options.noBuild {
                _ = try builder().build(.init(configuration: configuration, product: nil, wholePackage: true, announces: plan.printsBuildingMessage))
            }
            if path.contains("/") { return path }
            guard let found = ExecutableSearch.find(path, path: environment["PATH"]) else {
                throw HostctlFailure("Unable to run '\(path)': it was not found on PATH.")
            }
            return found

        case .product(let named):
            let product: String
            if options.noBuild {
                if let named {
                    product = named
                } else if let recorded = BuildStamp.load(BuildStamp.path(for: .init(configuration: configuration, product: nil), package: package)) {
                    product = recorded.product
                } else {
                    product = try builder().soleExecutableProduct()
                }
            } else {
                let outcome = try builder().build(.init(configuration: configuration, product: named, announces: plan.printsBuildingMessage))
                product = outcome.product ?? named ?? ""
            }
            let executable = FilePath.join(package.binaryDirectory(configuration), product)
            guard FileSystem.status(executable)?.isExecutable == true else {
                if options.noBuild {
                    throw HostctlFailure(
                        "There is no \(configuration.rawValue) build of '\(product)' to run (looked for \(executable)). Build it first, or run without --no-build."
                    )
                }
                throw HostctlFailure("The build did not produce an executable at \(executable). Is '\(product)' an executable product?")
            }
            return executable
        }
    }
}
