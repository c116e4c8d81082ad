import Glibc
import HostctlSystem

/// The first address in a "Now listening on: URL" line (the message line of
/// `info: Microsoft.Hosting.Lifetime[14]`, indented under it).
func listeningURL(_ stdout: String) -> String? {
    let marker = "Now listening on: "
    for line in stdout.split(separator: "\n") {
        let message = line.drop { $0 == " " }
        if message.hasPrefix(marker) { return String(message.dropFirst(marker.count)) }
    }
    return nil
}

extension Hostctl {
    /// Runs `hostctl ARGS` until the app logs "Now listening on: URL" and the content
    /// root, calls `exchange` with the URL (to talk to the app), then stops hostctl with
    /// SIGTERM, as Ctrl+C in a terminal would, and returns how it ended.
    /// `listeningURL` finds the URL in the output so far (by default, the first "Now listening on:").
    static func serving(
        _ arguments: [String], in directory: String, environment: ProcessEnvironment? = nil, timeout: Double = 600,
        listeningURL: @escaping (_ stdout: String) -> String? = nowListeningURL, _ exchange: (_ baseURL: String) throws -> Void
    ) throws -> RunResult {
        var exchanged = false
        var failure: (any Error)?
        let result = try withoutActuallyEscaping(exchange) { exchange in
            try run(arguments, in: directory, environment: environment, timeout: timeout) { stdout, hostctl in
                guard !exchanged, stdout.contains("Content root path:"), let url = listeningURL(stdout) else { return }
                exchanged = true
                do { try exchange(url) } catch { failure = error }
                hostctl.send(SIGTERM)
            }
        }
        if let failure { throw failure }
        guard exchanged else { throw FixtureError("the app never said it was listening:\n\(result)") }
        return result
    }

    static func nowListeningURL(_ stdout: String) -> String? { listeningURL(stdout) }
}
