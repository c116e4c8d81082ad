import HostctlSupervisor
import HostctlSystem

/// Opens a URL the way Unix tools do: `$BROWSER` (a `:`-separated list of commands,
/// where `%s` stands for the URL), else `xdg-open`, else prints the URL.
struct BrowserOpener {
    let environment: ProcessEnvironment
    let reporter: Reporter

    /// Returns the started browser process, to be reaped later; nil when none was started.
    func open(_ url: String) -> ChildProcess? {
        var commands: [[String]] = []
        for entry in (environment["BROWSER"] ?? "").split(separator: ":") {
            let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { continue }
            commands.append(words.contains { $0.contains("%s") } ? words.map { $0.replacing("%s", with: url) } : words + [url])
        }
        commands.append(["xdg-open", url])

        for command in commands {
            guard let executable = ExecutableSearch.find(command[0], path: environment["PATH"]) else { continue }
            var request = SpawnRequest(executable: executable, arguments: Array(command.dropFirst()), environment: environment)
            request.standardInput = .null
            request.standardOutput = .null
            request.standardError = .null
            request.grouping = .newSession  // Ctrl+C in hostctl's terminal must not close the browser
            if let child = try? ChildProcess.spawn(request) {
                reporter.detail("Opened \(url) with \(command[0]).")
                return child
            }
        }
        reporter.info("Open \(url) in a browser (no $BROWSER or xdg-open to open it with).")
        return nil
    }
}
