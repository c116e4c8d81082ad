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
        let options: BuildOptions
        do {
            let parsed = try CommandLineParser.parse(tokens, for: HostctlCommands.build)
            if parsed.helpRequested {
                console.out.write(HelpFormatter.render(HostctlCommands.build))
                return 0
            }
            options = BuildOptions(parsed)
        } catch {
            console.err.writeLine(error.description, style: .red)
            return 1
        }
        let reporter = Reporter(console: console, verbosity: options.verbosity)
        do throws(HostctlFailure) {
            let currentDirectory: String
            do { currentDirectory = try FileSystem.currentDirectory() } catch {
                throw HostctlFailure("The current directory cannot be read: \(error.reason).")
            }
            let package = try PackageLocation.resolve(project: options.project, currentDirectory: currentDirectory)
            let relay: SignalRelay
            do { relay = try SignalRelay(signals: SignalPolicy.handled) } catch {
                throw HostctlFailure("Could not set up signal handling: \(error).")
            }
            let builder = PackageBuilder(
                package: package, toolchain: try SwiftToolchain.locate(environment: environment),
                environment: environment, reporter: reporter, relay: relay
            )
            _ = try builder.build(.init(
                configuration: options.configuration, product: options.product,
                wholePackage: options.product == nil, mayUseStamp: false
            ))
            return 0
        } catch {
            if !error.message.isEmpty { reporter.error(error.message) }
            return error.exitCode
        }
    }
}
