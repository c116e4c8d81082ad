@testable import HostctlCommandLine
import Testing

/// What the generated scripts must contain. Whether the shells accept them and complete
/// with them is tested by driving real shells (HostctlCLITests/CompletionShellTests).
@Suite struct CompletionScriptTests {
    let program = CompletionProgram(
        name: "tool",
        globalOptions: [OptionSpec(key: "version", names: ["--version"], kind: .flag, summary: "Show the version.")],
        commands: [
            CommandSpec(
                name: "run", summary: "Run it. More words here.", usage: [],
                options: [
                    OptionSpec(key: "mode", names: ["-m", "--mode"], kind: .value(placeholder: "MODE"), summary: "The mode's [kind].", choices: [Choice("fast"), Choice("slow", aliases: ["s"])]),
                    OptionSpec(key: "profile", names: ["-lp", "--launch-profile"], kind: .value(placeholder: "NAME"), summary: "A profile.", completion: .launchProfiles),
                    OptionSpec(key: "project", names: ["--project"], kind: .value(placeholder: "DIR"), summary: "A folder.", completion: .directory),
                    OptionSpec(key: "secret", names: ["--secret"], kind: .flag, summary: "Hidden.", isHidden: true),
                ],
                forwardsUnknownArguments: true
            ),
            CommandSpec(name: "__query", summary: "", usage: [], options: [], isHidden: true),
        ],
        queryCommand: "__query", projectOption: "--project"
    )

    @Test(arguments: CompletionShell.allCases) func everyVisibleNameIsOfferedAndHiddenOnesAreNot(shell: CompletionShell) {
        let script = program.script(for: shell)
        for word in ["run", "mode", "launch-profile", "project", "fast", "slow", "version"] {
            #expect(script.contains(word), "\(shell) script lacks \(word)")
        }
        #expect(!script.contains("secret"))
        #expect(!script.contains("-?"), "-? is a spelling no one types at a prompt")
        #expect(script.contains("__query profiles") || script.contains("__query $"), "profiles are asked of the program")
        #expect(!script.contains("More words"), "descriptions are the summary's first sentence")
    }

    @Test func zshEscapesBracketsAndQuotesInDescriptions() {
        let script = program.script(for: .zsh)
        #expect(script.contains(#"[The mode'\''s \[kind\]]:MODE:(fast slow)"#))
        #expect(script.contains("'(-lp --launch-profile)'{-lp,--launch-profile=}"))
        #expect(script.hasPrefix("#compdef tool\n"))
    }

    @Test func fishSpellsSingleDashWordsAsOldStyleOptions() {
        let script = program.script(for: .fish)
        #expect(script.contains("-o 'lp' -l 'launch-profile' -x -a '(__tool_query profiles)'"))
        #expect(script.contains("-s 'm' -l 'mode' -x -a 'fast slow' -d 'The mode\\'s [kind]'"))
    }

    @Test func bashQuotesEveryWord() {
        let script = program.script(for: .bash)
        #expect(script.contains("'-m' | '--mode') _tool_offer \"$word\" 'fast' 'slow'; return ;;"))
        #expect(script.contains("complete -F _tool tool"))
    }

    @Test func firstSentence() {
        #expect(CompletionProgram.shortSummary("One. Two.") == "One")
        #expect(CompletionProgram.shortSummary("Only one.") == "Only one")
        #expect(CompletionProgram.shortSummary("launchSettings.json is read") == "launchSettings.json is read")
    }
}
