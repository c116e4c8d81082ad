import HostctlCommandLine
import HostctlLaunch
import HostctlSystem

/// Dispatches `hostctl COMMAND …` to the command's implementation in HostctlLaunch.
struct HostctlProgram {
    let environment: ProcessEnvironment
    let console: Console

    func run(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first else {
            console.out.write(generalHelp)
            return 0
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "-h", "--help", "-?":
            console.out.write(generalHelp)
            return 0
        case "--version":
            console.out.writeLine(HostctlCommands.version)
            return 0
        case "help":
            guard let topic = rest.first else {
                console.out.write(generalHelp)
                return 0
            }
            guard let command = HostctlCommands.named(topic) else { return unknownCommand(topic) }
            console.out.write(HelpFormatter.render(command))
            return 0
        case "run":
            return RunCommand(environment: environment, console: console).execute(rest)
        case "watch":
            return WatchCommand(environment: environment, console: console).execute(rest)
        case "build":
            return BuildCommand(environment: environment, console: console).execute(rest)
        case "proxy":
            return ProxyCommand(environment: environment, console: console).execute(rest)
        case "new":
            return NewCommand(environment: environment, console: console).execute(rest)
        case "dev-certs":
            return DevCertsCommand(environment: environment, console: console).execute(rest)
        case "completions":
            return CompletionsCommand(environment: environment, console: console).execute(rest)
        case HostctlCommands.completionQuery.name:
            return CompletionQueryCommand(environment: environment, console: console).execute(rest)
        default:
            return unknownCommand(first)
        }
    }

    private func unknownCommand(_ word: String) -> Int32 {
        var message = "Unknown command '\(word)'."
        let names = HostctlCommands.all.filter { !$0.isHidden }.map(\.name)
        if let close = NameSuggestion.nearest(to: word, among: names) {
            message += " Did you mean '\(close)'?"
        }
        console.err.writeLine(message, style: .red)
        console.err.writeLine("Run 'hostctl --help' to see the commands.")
        return 1
    }

    private var generalHelp: String {
        var lines = [
            "hostctl \(HostctlCommands.version): build and run Swift packages under launch profiles, as `dotnet run` does.",
            "",
            "Usage:",
            "  hostctl <command> [options]",
            "",
            "Commands:",
        ]
        let visible = HostctlCommands.all.filter { !$0.isHidden }
        let width = (visible.map(\.name.count).max() ?? 0) + 4
        for command in visible {
            lines.append("  " + command.name + String(repeating: " ", count: width - command.name.count) + command.summary)
        }
        lines += [
            "",
            "Options:",
            "  -h, --help    Show help and usage information.",
            "  --version     Show hostctl's version.",
            "",
            "Run 'hostctl help <command>' or 'hostctl <command> --help' for a command's options.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
