/// The shells hostctl writes completion scripts for.
public enum CompletionShell: String, CaseIterable, Sendable {
    case bash, zsh, fish
}

/// Everything a completion script is generated from: the same declarations that drive
/// parsing and `--help`, plus how a script asks the program for values only it knows
/// (the profile names of the package at hand).
public struct CompletionProgram: Sendable {
    /// The command the script completes ("hostctl").
    public let name: String
    /// Options before any command (`--help`, `--version`).
    public let globalOptions: [OptionSpec]
    public let commands: [CommandSpec]
    /// The hidden command a script runs for dynamic values:
    /// `NAME QUERY profiles [--project DIR]`, one value per line on stdout.
    public let queryCommand: String
    /// The option naming the package whose profiles are offered, when given earlier on the line.
    public let projectOption: String

    public init(name: String, globalOptions: [OptionSpec], commands: [CommandSpec], queryCommand: String, projectOption: String) {
        self.name = name
        self.globalOptions = globalOptions
        self.commands = commands.filter { !$0.isHidden }
        self.queryCommand = queryCommand
        self.projectOption = projectOption
    }

    public func script(for shell: CompletionShell) -> String {
        switch shell {
        case .bash: BashCompletionScript(program: self).render()
        case .zsh: ZshCompletionScript(program: self).render()
        case .fish: FishCompletionScript(program: self).render()
        }
    }

    /// What the query command is asked for a dynamic completion, or nil for a static one.
    static func queryTopic(_ completion: ValueCompletion) -> String? {
        switch completion {
        case .launchProfiles: "profiles"
        case .templates: "templates"
        case .none, .choices, .directory, .file: nil
        }
    }

    /// Options a script offers: not hidden, and without spellings no one types at a prompt (`-?`).
    static func offered(_ options: [OptionSpec]) -> [OptionSpec] {
        options.filter { !$0.isHidden }
    }

    static func offeredNames(_ option: OptionSpec) -> [String] {
        option.names.filter { $0 != "-?" }
    }

    /// The first sentence of a summary, for the one-line descriptions shells show.
    static func shortSummary(_ text: String) -> String {
        guard let end = text.firstRange(of: ". ") else {
            return text.hasSuffix(".") ? String(text.dropLast()) : text
        }
        return String(text[..<end.lowerBound])
    }
}

/// Quoting for the shells' single-quoted strings, the one form every one of them shares.
enum ShellQuoting {
    /// 'text' for bash and zsh: a quote inside becomes '\''.
    static func posix(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    /// 'text' for fish: backslash and quote are escaped inside.
    static func fish(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
