import Glibc
import HostctlSystem

extension Hostctl {
    /// Runs `hostctl ARGS` until the app prints "Now listening on: URL" and the content
    /// root, calls `exchange` with the URL (to talk to the app), then stops hostctl with
    /// SIGTERM, as Ctrl+C in a terminal would, and returns how it ended.
    /// `listeningURL` finds the URL in the output so far (by default, the first "Now listening on:").
    static func serving(
        _ arguments: [String], in directory: String, timeout: Double = 600,
        listeningURL: @escaping (_ stdout: String) -> String? = nowListeningURL, _ exchange: (_ baseURL: String) throws -> Void
    ) throws -> RunResult {
        var exchanged = false
        var failure: (any Error)?
        let result = try withoutActuallyEscaping(exchange) { exchange in
            try run(arguments, in: directory, timeout: timeout) { stdout, hostctl in
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

    static func nowListeningURL(_ stdout: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix("Now listening on: ") }.map { String($0.dropFirst("Now listening on: ".count)) }
    }
}
