import HostctlCommandLine
import HostctlSupervisor
import HostctlSystem

/// `hostctl build`: always runs `swift build` (and records the result, so a following
/// `hostctl run` of the same product can start without building again).
public struct BuildCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        CommandHarness(environment: environment, console: console).execute(tokens, spec: HostctlCommands.build) {
            (parsed, reporter) throws(HostctlFailure) in
            let options = BuildOptions(parsed)
            let package = try PackageLocation.resolve(project: options.project, purpose: "to build")
            let builder = PackageBuilder(
                package: package, toolchain: try SwiftToolchain.locate(environment: environment),
                environment: environment, reporter: reporter, relay: try SignalRelay.forChildren()
            )
            _ = try builder.build(.init(
                configuration: options.configuration, product: options.product,
                wholePackage: options.product == nil, mayUseStamp: false
            ))
            return 0
        }
    }
}
