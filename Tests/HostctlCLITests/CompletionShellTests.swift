import Foundation
import HostctlSystem
import Testing

/// The scripts `hostctl completions SHELL` prints, loaded into real bash, zsh and fish and
/// driven through each shell's own completion machinery: bash's completion function
/// with COMP_WORDS and readline in tmux, fish's `complete -C`, zsh's completion system in tmux.
@Suite struct CompletionShellTests {
    /// Two packages: "app" (the current directory) and "other pkg" (reached with --project).
    static func packages() throws -> String {
        let root = try TemporaryDirectory.make("completion")
        try write("// swift-tools-version:6.0\n", to: FilePath.join(root, "app", "Package.swift"))
        try write(
            #"{ "profiles": { "http": { "commandName": "Project" }, "My Profile": { "commandName": "Project" }, "Staging": { "commandName": "Proxied" } } }"#,
            to: FilePath.join(root, "app", "launchSettings.json")
        )
        try write("// swift-tools-version:6.0\n", to: FilePath.join(root, "other pkg", "Package.swift"))
        try write(#"{ "profiles": { "remote": { "commandName": "Project" } } }"#, to: FilePath.join(root, "other pkg", "Properties", "launchSettings.json"))
        return root
    }

    /// The script, written where a shell can load it.
    static func script(_ shell: String, into directory: String, named name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try Hostctl.run(["completions", shell], in: directory)
        guard result.exitCode == 0 else { throw FixtureError("hostctl completions \(shell) failed: \(result)") }
        let path = FilePath.join(directory, name)
        try write(result.stdout, to: path)
        return path
    }

    /// The test environment with hostctl first on the PATH.
    static func environment() -> ProcessEnvironment {
        var environment = Hostctl.baseEnvironment()
        environment["PATH"] = FilePath.directory(Hostctl.executable) + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["TERM"] = "xterm-256color"
        return environment
    }

    static func shell(_ name: String) throws -> String {
        guard let path = ExecutableSearch.find(name, path: environment()["PATH"]) else {
            throw FixtureError("\(name) is not installed (.ci/run installs it: apt-get install \(name))")
        }
        return path
    }

    // MARK: bash

    /// Calls the completion function as bash does on Tab, with the line already split into words.
    static func bashCompletions(_ words: [String], script: String, in directory: String) throws -> [String] {
        let assignments = words.map { "'" + $0.replacing("'", with: "'\\''") + "'" }.joined(separator: " ")
        let program = """
            source '\(script)'
            COMP_WORDS=(\(assignments)); COMP_CWORD=\(words.count - 1); COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            _hostctl
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try Hostctl.runTool(try shell("bash"), ["--noprofile", "--norc", "-c", program], in: directory, environment: environment(), timeout: 30)
        guard result.status.isSuccess else { throw FixtureError("bash failed: \(result)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletesCommandsOptionsAndValues() throws {
        let root = try Self.packages()
        let script = try Self.script("bash", into: root, named: "hostctl.bash")
        let app = FilePath.join(root, "app")
        let cases: [([String], [String])] = [
            (["hostctl", "ru"], ["run"]),
            (["hostctl", ""], ["run", "watch", "build", "new", "proxy", "dev-certs", "completions"]),
            (["hostctl", "dev-certs", ""], ["https"]),
            (["hostctl", "dev-certs", "https", "--format", ""], ["Pfx", "Pem"]),
            (["hostctl", "dev-certs", "https", "--cl"], ["--clean"]),
            (["hostctl", "proxy", "--start-mode", ""], ["onDemand", "always"]),
            (["hostctl", "run", "-c", ""], ["Debug", "Release"]),
            (["hostctl", "run", "--configuration", "=", "R"], ["Release"]),
            (["hostctl", "run", "--server", ""], ["eventloop", "iouring", "proxied"]),
            (["hostctl", "build", "-v", "d"], ["detailed", "diagnostic"]),
            (["hostctl", "run", "--pro"], ["--project", "--product"]),
            (["hostctl", "run", "--launch-profile", ""], ["http", "My\\ Profile", "Staging"]),
            (["hostctl", "run", "--no-build", "-lp", "My"], ["My\\ Profile"]),
            (["hostctl", "run", "-lp", "\"My"], ["My Profile"]),
            (["hostctl", "run", "--project", "../other\\ pkg", "-lp", ""], ["remote"]),
            (["hostctl", "new", ""], ["web", "api", "empty"]),
            (["hostctl", "new", "web", "-o", "x", "--f"], ["--force"]),
            (["hostctl", "completions", "z"], ["zsh"]),
        ]
        for (words, expected) in cases {
            #expect(try Self.bashCompletions(words, script: script, in: app) == expected, "\(words)")
        }
    }

    @Test func bashCompletesDirectoriesForProject() throws {
        let root = try Self.packages()
        let script = try Self.script("bash", into: root, named: "hostctl.bash")
        #expect(try Self.bashCompletions(["hostctl", "run", "--project", "oth"], script: script, in: root) == ["other pkg"])
    }

    @Test func bashAtAPrompt() async throws {
        try await offThePool { try Self.bashAtAPromptSession() }
    }

    static func bashAtAPromptSession() throws {
        let root = try Self.packages()
        let script = try Self.script("bash", into: root, named: "hostctl.bash")
        try write("source '\(script)'\nPS1='ready$ '\n", to: FilePath.join(root, "bashrc"))
        let session = try TmuxShell(
            [try Self.shell("bash"), "--noprofile", "--rcfile", FilePath.join(root, "bashrc"), "-i"],
            in: FilePath.join(root, "app"), environment: Self.environment(), prompt: "ready$"
        )
        try session.type("hostctl ru", then: "Tab")
        try session.waitForScreen("`hostctl run`") { $0.contains("ready$ hostctl run") }
        try session.clearLine()
        try session.type("hostctl run --launch-profile ", then: "Tab", "Tab")
        try session.waitForScreen("the profile names") { $0.contains("My\\ Profile") && $0.contains("Staging") && $0.contains("http") }
        try session.clearLine()
        try session.type("hostctl run --launch-profile My", then: "Tab")
        try session.waitForScreen("the completed profile name") { $0.contains("ready$ hostctl run --launch-profile My\\ Profile") }
    }

    // MARK: zsh

    @Test func zshAtAPrompt() async throws {
        try await offThePool { try Self.zshAtAPromptSession() }
    }

    static func zshAtAPromptSession() throws {
        let root = try Self.packages()
        let functions = FilePath.join(root, "zfunc")
        _ = try Self.script("zsh", into: functions, named: "_hostctl")
        try write(
            """
            fpath=('\(functions)' $fpath)
            autoload -U compinit && compinit -u -d '\(root)/zcompdump'
            PS1='ready%% '
            """,
            to: FilePath.join(root, ".zshrc")
        )
        var environment = Self.environment()
        environment["ZDOTDIR"] = root
        let session = try TmuxShell([try Self.shell("zsh")], in: FilePath.join(root, "app"), environment: environment, prompt: "ready%")
        try session.type("hostctl ru", then: "Tab")
        try session.waitForScreen("`hostctl run`") { $0.contains("ready% hostctl run") }
        try session.clearLine()
        try session.type("hostctl run --launch-profile ", then: "Tab")
        try session.waitForScreen("the profile names") { $0.contains("My\\ Profile") && $0.contains("Staging") && $0.contains("http") }
        try session.clearLine()
        try session.type("hostctl run -lp My", then: "Tab")
        try session.waitForScreen("the completed profile name") { $0.contains("ready% hostctl run -lp My\\ Profile") }
        try session.clearLine()
        try session.type("hostctl run --project ../other\\ pkg -lp ", then: "Tab")
        try session.waitForScreen("the other package's profile") { $0.contains("-lp remote") }
        try session.clearLine()
        try session.type("hostctl new ", then: "Tab")
        try session.waitForScreen("the templates") { $0.contains("api") && $0.contains("empty") && $0.contains("web") }
    }

    // MARK: fish

    /// What fish offers for `line` (its own completion entry point, `complete -C`).
    static func fishCompletions(_ line: String, script: String, in directory: String) throws -> [String] {
        let program = "source '\(script)'; complete -C '\(line.replacing("\\", with: "\\\\").replacing("'", with: "\\'"))'"
        let result = try Hostctl.runTool(try shell("fish"), ["--no-config", "-c", program], in: directory, environment: environment(), timeout: 30)
        guard result.status.isSuccess else { throw FixtureError("fish failed: \(result)") }
        return result.stdout.split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1).first ?? "") }
    }

    @Test func fishCompletesCommandsOptionsAndValues() throws {
        let root = try Self.packages()
        let script = try Self.script("fish", into: root, named: "hostctl.fish")
        let app = FilePath.join(root, "app")
        let cases: [(String, [String])] = [
            ("hostctl ru", ["run"]),
            ("hostctl run -c ", ["Debug", "Release"]),
            ("hostctl run --server ", ["eventloop", "iouring", "proxied"]),
            ("hostctl run --launch-profile ", ["http", "My Profile", "Staging"]),
            ("hostctl run -lp My", ["My Profile"]),
            ("hostctl run --project ../other\\ pkg --launch-profile ", ["remote"]),
            ("hostctl new ", ["api", "empty", "web"]),
            ("hostctl new web ", []),
            ("hostctl completions ", ["bash", "fish", "zsh"]),
            ("hostctl dev-certs ", ["https"]),
            ("hostctl dev-certs https --format ", ["Pem", "Pfx"]),
        ]
        for (line, expected) in cases {
            #expect(try Self.fishCompletions(line, script: script, in: app).sorted() == expected.sorted(), "\(line)")
        }
    }
}
