import HostctlCommandLine
import HostctlSystem

/// `hostctl watch`: `dotnet watch run` for Swift packages. It takes `hostctl run`'s
/// options and launch profiles, runs the app behind the front, and on every change to what
/// the build reads builds again and swaps the new build in with no failed request
/// (`WatchSession`). `--list` prints the watched files instead.
public struct WatchCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        CommandHarness(environment: environment, console: console).execute(tokens, spec: HostctlCommands.watch) {
            (parsed, reporter) throws(HostctlFailure) in
            let options = try WatchOptions(parsed)
            if options.listsFiles { return try listWatchedFiles(options) }
            return try WatchSession(options: options, environment: environment, reporter: reporter).run()
        }
    }

    /// One absolute path per line: the package's files, then each local dependency's (as
    /// far as the last build resolved them).
    private func listWatchedFiles(_ options: WatchOptions) throws(HostctlFailure) -> Int32 {
        let package = try PackageLocation.resolve(project: options.run.project, purpose: "to watch")
        for root in [package.directory] + (LocalDependencies.read(package: package) ?? []) {
            for file in WatchedFiles.files(under: root) { console.out.writeLine(file) }
        }
        return 0
    }
}
