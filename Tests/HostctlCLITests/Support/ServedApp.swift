import Glibc
import HostctlSystem

extension Hostctl {
    /// Runs `hostctl ARGS` until the app prints "Now listening on: URL" and the content
    /// root, calls `exchange` with the URL (to talk to the app), then stops hostctl with
    /// SIGTERM, as Ctrl+C in a terminal would, and returns how it ended.
    static func serving(
        _ arguments: [String], in directory: String, timeout: Double = 600, _ exchange: (_ baseURL: String) throws -> Void
    ) throws -> RunResult {
        var exchanged = false
        var failure: (any Error)?
        let result = try withoutActuallyEscaping(exchange) { exchange in
            try run(arguments, in: directory, timeout: timeout) { stdout, hostctl in
                guard !exchanged, stdout.contains("Content root path:"),
                      let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("Now listening on: ") }) else { return }
                exchanged = true
                do { try exchange(String(line.dropFirst("Now listening on: ".count))) } catch { failure = error }
                hostctl.send(SIGTERM)
            }
        }
        if let failure { throw failure }
        guard exchanged else { throw FixtureError("the app never said it was listening:\n\(result)") }
        return result
    }
}
