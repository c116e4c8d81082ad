import HostctlCommandLine
import HostctlLaunch
import HostctlSystem
import Testing

/// completions/ holds the scripts `hostctl completions SHELL` prints, for packagers and
/// for users without hostctl on the PATH yet. They are generated: this fails when a
/// command or option changed and they were not written again.
@Suite struct CompletionFilesTests {
    static let directory = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", "..", "completions"))

    static func fileName(_ shell: CompletionShell) -> String {
        switch shell {
        case .bash: "hostctl.bash"
        case .zsh: "_hostctl"
        case .fish: "hostctl.fish"
        }
    }

    @Test(arguments: CompletionShell.allCases) func theCommittedScriptIsCurrent(shell: CompletionShell) throws {
        let name = Self.fileName(shell)
        let committed = try FileSystem.readFile(FilePath.join(Self.directory, name))
        let generated = HostctlCommands.completionProgram.script(for: shell)
        #expect(
            String(decoding: committed, as: UTF8.self) == generated,
            "completions/\(name) is stale: run `swift run hostctl completions \(shell.rawValue) > completions/\(name)`"
        )
    }
}
