import Foundation
import Glibc
import HostctlSystem

/// An interactive shell in a detached tmux session, driven with keystrokes as a person
/// would drive it, and read back from the screen.
final class TmuxShell {
    private let tmux: String
    private let socket = "hostctl-tests-\(UUID().uuidString.prefix(8))"
    private let environment: ProcessEnvironment

    /// Starts `command` in `directory` on an 200×50 screen, then waits for `prompt`.
    init(_ command: [String], in directory: String, environment: ProcessEnvironment, prompt: String) throws {
        guard let tmux = ExecutableSearch.find("tmux", path: environment["PATH"]) else {
            throw FixtureError("tmux is not installed (.ci/run installs it: apt-get install tmux)")
        }
        self.tmux = tmux
        self.environment = environment
        try run(["-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", "-c", directory, "--"] + command)
        _ = try waitForScreen("the prompt \(prompt)") { $0.contains(prompt) }
    }

    deinit {
        _ = try? Hostctl.runTool(tmux, ["-L", socket, "kill-server"], environment: environment, timeout: 10)
    }

    /// Types `text` literally, then presses each of `keys` ("Tab", "C-u").
    func type(_ text: String, then keys: String...) throws {
        if !text.isEmpty { try run(["send-keys", "-l", text]) }
        for key in keys { try run(["send-keys", key]) }
    }

    /// What the screen shows; tmux leaves out the spaces at the ends of lines.
    func screen() throws -> String {
        try run(["capture-pane", "-p"]).stdout
    }

    /// Polls the screen until `matches` holds, for at most `timeout` seconds; then fails
    /// with what the screen showed.
    @discardableResult
    func waitForScreen(_ what: String, timeout: Double = 20, _ matches: (String) -> Bool) throws -> String {
        let deadline = MonotonicClock.now() + Int64(timeout * 1e9)
        var last = ""
        while MonotonicClock.now() < deadline {
            last = try screen()
            if matches(last) { return last }
            usleep(100_000)
        }
        throw FixtureError("the screen never showed \(what); it showed:\n\(last)")
    }

    /// Everything the pane has shown, scrolled-off lines included.
    func history() throws -> String {
        try run(["capture-pane", "-p", "-S", "-"]).stdout
    }

    /// Clears the line being edited.
    func clearLine() throws { try type("", then: "C-u") }

    @discardableResult
    private func run(_ arguments: [String]) throws -> RunResult {
        let result = try Hostctl.runTool(tmux, ["-L", socket] + arguments, environment: environment, timeout: 30)
        guard result.status.isSuccess else { throw FixtureError("tmux \(arguments) failed: \(result)") }
        return result
    }
}
