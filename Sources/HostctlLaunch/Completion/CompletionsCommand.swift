import HostctlCommandLine
import HostctlSystem

/// `hostctl completions bash|zsh|fish`: prints the script generated from the command
/// declarations (the same ones parsing and `--help` use).
public struct CompletionsCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        CommandHarness(environment: environment, console: console).execute(tokens, spec: HostctlCommands.completions) {
            (parsed, _) throws(HostctlFailure) in
            guard let name = parsed.arguments.first, let shell = CompletionShell(rawValue: name) else {
                throw HostctlFailure("Name a shell: hostctl completions bash, zsh or fish.")
            }
            console.out.write(HostctlCommands.completionProgram.script(for: shell))
            return 0
        }
    }
}

/// `hostctl __complete profiles|templates [--project DIR]`: the values completion scripts
/// cannot know themselves, one per line. Problems print nothing: a shell is mid-line.
public struct CompletionQueryCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    public func execute(_ tokens: [String]) -> Int32 {
        guard let parsed = try? CommandLineParser.parse(tokens, for: HostctlCommands.completionQuery),
              let topic = parsed.arguments.first
        else { return 1 }
        let values = topic == "profiles" ? profileNames(project: parsed.value("project")) : templateNames()
        for value in values where !value.contains("\n") {
            console.out.writeLine(value)
        }
        return 0
    }

    private func profileNames(project: String?) -> [String] {
        guard let package = try? PackageLocation.resolve(project: project, purpose: "to complete"),
              let path = LaunchSettings.candidatePaths(inPackage: package.directory).first(where: FileSystem.isRegularFile),
              let settings = try? LaunchSettings.read(path: path)
        else { return [] }
        return settings.profiles.map(\.name)
    }

    private func templateNames() -> [String] {
        guard let installation = try? HostctlInstallation.locate(environment: environment),
              let templates = try? Template.catalog(in: installation.templatesDirectory)
        else { return [] }
        return templates.map(\.name)
    }
}
