import Foundation
import Glibc
import HostctlSystem
import HostctlTestSupport
import Testing

/// `hostctl watch` through the real binary on Fixtures/Watched: a one-file Swift launcher
/// (so a change builds in seconds, without the hosting library) for serve.py, which answers
/// with the message the launcher was built with.
@Suite struct WatchTests {
    static func mainSwift(_ package: String) -> String { FilePath.join(package, "Sources/watched/main.swift") }

    /// The launcher's source with `message` as the line the tests change (any Swift expression).
    static func setMessage(_ expression: String, in package: String) throws {
        let path = mainSwift(package)
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let edited = source.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("let message = ") ? "let message = \(expression)" : String(line)
        }
        try edited.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func get(_ url: String, _ target: String) throws -> TestResponse {
        let port = Int(url.split(separator: ":").last ?? "") ?? 0
        let client = try TestClient(port: port)
        client.timeout = 30
        try client.send("GET \(target) HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return try client.readResponse()
    }

    /// One session through what a developer does: the page with its refresh script, an edit
    /// swapped in under load with no failed request and the page told to reload, an edit
    /// that does not build and one that crashes at startup (the last good build serving
    /// through both, the errors shown), a fix, and Ctrl+C.
    @Test func editsAreBuiltAndSwappedInWhileTheLastGoodBuildServes() async throws {
        try await HostctlCLITests.offThePool {
            let package = try Fixture.watched.freshCopy()
            let watch = try BackgroundHostctl(["watch"], in: package)
            defer { watch.kill() }
            let url = try watch.frontURL()
            try watch.waitFor("Started", timeout: 300) { $0.stdout.contains("hostctl watch: Started") }
            #expect(watch.stdout.contains("hostctl watch: Building..."), "\(watch.stdout)")

            // The refresh script goes into HTML, before </body>, with the length right; nowhere else.
            let page = try Self.get(url, "/")
            #expect(page.text.hasSuffix("<h1>version 1</h1><script src=\"/_hostctl/watch.js?v=1\"></script></body></html>\n"), "\(page)")
            #expect(page.headers["content-length"] == String(page.body.count))
            #expect(try Self.get(url, "/text").text == "version 1")
            #expect(try !Self.get(url, "/gzip").text.contains("_hostctl"))
            #expect(try !Self.get(url, "/no-transform").text.contains("_hostctl"))

            let events = try TestClient(port: Int(url.split(separator: ":").last!)!)
            events.timeout = 120
            try events.send("GET /_hostctl/watch?v=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            _ = try events.readThrough("retry: 1000\n\n")

            // An edit, swapped in under load.
            let load = LoadLoop(port: Int(url.split(separator: ":").last!)!, target: "/text", clients: 4, requestsPerClient: 20_000)
            try Self.setMessage("\"version 2\"", in: package)
            try watch.waitFor("the second start") { occurrences(of: "hostctl watch: Started", in: $0.stdout) == 2 }
            #expect(watch.stdout.contains("hostctl watch: File changed: Sources/watched/main.swift"), "\(watch.stdout)")
            #expect(try events.readThrough("\n\n").hasSuffix("event: reload\ndata: 2\n\n"), "the page is told to reload")
            #expect(try Self.get(url, "/text").text == "version 2")

            // An edit that does not build: the errors, in the terminal and the page; version 2 serves on.
            try Self.setMessage("\"version 3\" +", in: package)
            try watch.waitFor("the failed build") { $0.stderr.contains("Build failed: the last good build keeps serving.") }
            #expect((watch.stdout + watch.stderr).contains("main.swift:6:1: error: "), "the compiler's errors: \(watch.stdout)")
            let problem = try events.readThrough("\n\n")
            #expect(problem.contains("event: problem\ndata: The build failed.\ndata: "), "\(problem)")
            #expect(problem.contains("Sources/watched/main.swift:") && problem.contains("error:"), "\(problem)")
            #expect(try Self.get(url, "/text").text == "version 2")

            // A build that crashes at startup: said so; version 2 serves on.
            try Self.setMessage("\"crash\"", in: package)
            try watch.waitFor("the failed start") {
                $0.stderr.contains("Exited with error code 3 before it was listening; the last good build keeps serving.")
            }
            #expect(try Self.get(url, "/text").text == "version 2")

            try Self.setMessage("\"version 3\"", in: package)
            try watch.waitFor("the third start") { occurrences(of: "hostctl watch: Started", in: $0.stdout) == 3 }
            #expect(try Self.get(url, "/text").text == "version 3")

            let result = load.finish()
            #expect(result.failures.isEmpty, "\(result.failures.count) failed: \(result.failures.prefix(5))")
            #expect(result.completed > 0 && result.bodies.isSubset(of: ["version 1", "version 2", "version 3"]), "\(result.bodies)")

            watch.signalGroup(SIGINT)
            let ended = watch.result()
            #expect(ended.exitCode == 0, "\(ended)")
            #expect(ended.stdout.contains("Shutdown requested."), "\(ended)")
            #expect(ended.stdout.contains("got SIGTERM"), "the app was stopped gracefully: \(ended)")
        }
    }

    /// Ctrl+R in a real terminal (tmux): the app is rebuilt and restarted; Ctrl+C stops
    /// everything and the terminal gets its line editing and echo back. (With
    /// --no-browser-refresh, which leaves pages alone.)
    @Test func controlRRestartsAndTheTerminalIsRestored() async throws {
        try await HostctlCLITests.offThePool {
            let package = try Fixture.watched.freshCopy()
            var environment = CompletionShellTests.environment()
            environment["PS1"] = "watch-test$ "
            let bash = try CompletionShellTests.shell("bash")
            let shell = try TmuxShell([bash, "--noprofile", "--norc"], in: package, environment: environment, prompt: "watch-test$")
            try shell.type("hostctl watch --no-browser-refresh", then: "Enter")
            let started = try shell.waitForScreen("the first start", timeout: 300) { $0.contains("Started") }
            #expect(try shell.history().contains("Press \"Ctrl + R\" to restart."))
            let url = try #require(Hostctl.nowListeningURL(started), "\(started)")
            #expect(try Self.get(url, "/").text.hasSuffix("<h1>version 1</h1></body></html>\n"), "no refresh script")
            try shell.type("", then: "C-r")
            try shell.waitForScreen("the restart", timeout: 120) { _ in occurrences(of: "Started", in: (try? shell.history()) ?? "") == 2 }
            let screen = try shell.history()
            #expect(screen.contains("Restart requested."), "\(screen)")
            #expect(occurrences(of: "message=version 1", in: screen) == 2, "a new process: \(screen)")
            try shell.type("", then: "C-c")
            try shell.waitForScreen("the prompt again", timeout: 60) { $0.split(separator: "\n").last == "watch-test$" }
            try shell.type("stty -a | grep -o -- '-\\?icanon' | sed 's/^/mode: /'", then: "Enter")
            let after = try shell.waitForScreen("the terminal's mode") { $0.split(separator: "\n").contains { $0.hasPrefix("mode: ") } }
            #expect(after.split(separator: "\n").contains("mode: icanon"), "line editing is back: \(after)")
        }
    }

    @Test func listPrintsTheWatchedFilesAndNothingElse() async throws {
        try await HostctlCLITests.offThePool {
            let package = try Fixture.watched.freshCopy()
            let junk = [
                ".build/debug/watched", ".git/HEAD", "Sources/watched/.main.swift.swp", "Sources/watched/main.swift~", "4913",
                "Sources/watched/.main.swift.3f2a.tmp", "#main.swift#", "app_offline.htm",
            ]
            for junk in junk {
                try write("x", to: FilePath.join(package, junk))
            }
            let result = try Hostctl.run(["watch", "--list"], in: package, timeout: 60)
            #expect(result.exitCode == 0, "\(result)")
            let expected = ["Package.swift", "Sources/watched/main.swift", "serve.py"].map { FilePath.join(package, $0) }
            #expect(result.stdoutLines.filter { !$0.isEmpty } == expected, "\(result)")
        }
    }
}

/// How many times `text` occurs in `output`.
private func occurrences(of text: String, in output: String) -> Int {
    output.components(separatedBy: text).count - 1
}
