import Glibc
import HostctlSystem
import Testing

/// The bundled sample run with the variables the front passes (design §6), as a separate
/// process so its whole console output can be searched: the token never appears in it, on
/// either server, not even with the Development error page and request-timing log on.
@Suite struct FrontIntegrationSampleTests {
    static let sample = FilePath.join(SampleAppTests.repositoryRoot, ".build/debug/HostctlSample")

    @Test(arguments: ["eventloop", "iouring"]) func theTokenNeverReachesTheConsole(_ server: String) async throws {
        try await offThePool { try Self.tokenNeverReachesTheConsole(server) }
    }

    @Test func aBadPortIsAStartupErrorNamingTheVariable() async throws {
        try await offThePool { try Self.badPortIsAStartupError() }
    }

    @Test func behindTheFrontTheAppsOutputIsMarkedAndTheOnlyURLIsThePublicOne() async throws {
        try await offThePool { try Self.appsOutputIsMarked() }
    }

    /// Behind the front, the app's own address answers the front alone: the app says where
    /// it is in a line that is no URL to open, and has no Ctrl+C of its own to offer.
    static func behindTheFrontURL(_ stdout: String) -> String? {
        let start = "Application started behind the front (on 127.0.0.1:"
        // The message line of `info: Microsoft.Hosting.Lifetime[0]`, indented under it.
        guard let line = stdout.split(separator: "\n").lazy.map({ $0.drop { $0 == " " } }).first(where: { $0.hasPrefix(start) }) else { return nil }
        return "http://127.0.0.1:" + line.dropFirst(start.count).prefix { $0.isNumber }
    }
    static func tokenNeverReachesTheConsole(_ server: String) throws {
        try #require(FileSystem.exists(sample), "swift test builds the sample; \(sample) is missing")
        let token = "tok-" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
        var anonymous = "", paired = "", failing = "", wrong = ""
        let result = try Hostctl.serving(
            ["run", "--no-build", "-lp", "http", "--server", server, "-e", "HOSTCTL_PORT=0", "-e", "HOSTCTL_TOKEN=\(token)"],
            in: SampleAppTests.repositoryRoot, timeout: 60, listeningURL: behindTheFrontURL
        ) { base in
            anonymous = try curl(["-s", "-i", base + "/plaintext"])
            paired = try curl(["-s", "-i", "-H", "X-Hostctl-Token: \(token)", base + "/plaintext"])
            failing = try curl(["-s", "-i", "-H", "X-Hostctl-Token: \(token)", "-H", "Accept: text/html", base + "/throw"])
            wrong = try curl(["-s", "-i", "-H", "X-Hostctl-Token: \(token)x", base + "/plaintext"])
        }
        if result.stderr.contains("The io_uring server cannot start") {
            try Test.cancel("io_uring is unavailable on this machine: \(result.stderr)")
        }
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdout.contains("Now listening on:") && !result.stdout.contains("Press Ctrl+C"), "\(result)")
        #expect(anonymous.hasPrefix("HTTP/1.1 400"), "\(anonymous)")
        #expect(anonymous.hasSuffix("\r\n\r\n"), "an empty body")
        #expect(wrong.hasPrefix("HTTP/1.1 400"), "\(wrong)")
        #expect(paired.hasPrefix("HTTP/1.1 200") && paired.hasSuffix("Hello, World!"), "\(paired)")
        #expect(failing.hasPrefix("HTTP/1.1 500") && failing.contains("SampleError"), "the Development error page: \(failing)")
        for text in [result.stdout, result.stderr, failing] {
            #expect(!text.contains(token), "the token leaked: \(text)")
        }
    }

    static func badPortIsAStartupError() throws {
        try #require(FileSystem.exists(sample))
        let result = try Hostctl.run(
            ["run", "--no-build", "-lp", "http", "-e", "HOSTCTL_PORT=banana", "-e", "HOSTCTL_TOKEN=s3cret-token"],
            in: SampleAppTests.repositoryRoot, timeout: 60
        )
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr.contains("HOSTCTL_PORT must be a port number from 0 to 65535, but is 'banana'."), "\(result)")
        #expect(!result.stdout.contains("Now listening on:"))
        #expect(!result.stdout.contains("s3cret-token") && !result.stderr.contains("s3cret-token"))
    }

    /// The sample's proxied profile through the real front: the front's lines as they are,
    /// every line of the app's marked "HostctlSample | ", and one URL in all of it.
    static func appsOutputIsMarked() throws {
        try #require(FileSystem.exists(sample), "swift test builds the sample; \(sample) is missing")
        var page = ""
        let result = try Hostctl.serving(
            ["run", "--no-build", "-lp", "proxied", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"], in: SampleAppTests.repositoryRoot, timeout: 60
        ) { base in
            page = try curl(["-s", base + "/plaintext"])
        }
        #expect(result.exitCode == 0, "\(result)")
        #expect(page == "Hello, World!", "\(page)")
        // Log entries: a header line (`info: Category[id]`), then the message indented.
        let front = ["Using launch settings from ", "info: Microsoft.Hosting.Lifetime[", "Now listening on: ",
                     "Application started. Press Ctrl+C to shut down.", "Hosting environment: ", "Content root path: ",
                     "Forwarding to: ", "Application is shutting down..."]
        let lines = result.stdoutLines.filter { !$0.isEmpty }
        let appLines = lines.filter { $0.hasPrefix("HostctlSample | ") }
        let appMessages = appLines.map { String($0.dropFirst("HostctlSample | ".count).drop { $0 == " " }) }
        #expect(lines.allSatisfy { line in appLines.contains(line) || front.contains { line.drop { $0 == " " }.hasPrefix($0) } }, "\(result)")
        #expect(result.stdout.components("Now listening on: ") == 1, "the front's public URL only: \(result)")
        #expect(result.stdout.components("http://") == 1, "\(result)")
        #expect(result.stdout.components("Press Ctrl+C") == 1, "\(result)")
        #expect(appMessages.contains { $0.hasPrefix("Application started behind the front (on 127.0.0.1:") }, "\(result)")
        #expect(appMessages.contains("Hosting environment: Development"), "\(result)")
        #expect(appMessages.contains("Application is shutting down..."), "\(result)")
        #expect(lines.contains { !$0.hasPrefix("HostctlSample | ") && $0.hasSuffix("Application is shutting down...") }, "the front's own: \(result)")
    }
}
