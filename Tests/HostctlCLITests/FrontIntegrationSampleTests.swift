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

    static func tokenNeverReachesTheConsole(_ server: String) throws {
        try #require(FileSystem.exists(sample), "swift test builds the sample; \(sample) is missing")
        let token = "tok-" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
        var anonymous = "", paired = "", failing = "", wrong = ""
        let result = try Hostctl.serving(
            ["run", "--no-build", "-lp", "http", "--server", server, "-e", "HOSTCTL_PORT=0", "-e", "HOSTCTL_TOKEN=\(token)"],
            in: SampleAppTests.repositoryRoot, timeout: 60
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
        #expect(result.stdout.contains("Now listening on: http://127.0.0.1:"), "\(result)")
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
}
