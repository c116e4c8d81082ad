import Foundation
import Glibc
import HostctlSystem
import Testing

/// `hostctl run` on the bundled sample (this repository's own package and launch profile):
/// it builds nothing here (`swift test` has built the sample already), starts the app on
/// the event-loop server and serves every route.
@Suite struct SampleAppTests {
    static let repositoryRoot = FilePath.normalize(FilePath.join(FilePath.directory(#filePath), "..", ".."))

    @Test func hostctlRunServesTheSampleRoutes() throws {
        let sample = FilePath.join(Self.repositoryRoot, ".build/debug/HostctlSample")
        try #require(FileSystem.exists(sample), "swift test builds the sample; \(sample) is missing")
        var responses: [String: String] = [:]
        let result = try Hostctl.serving(
            ["run", "--no-build", "-lp", "http", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"], in: Self.repositoryRoot, timeout: 60
        ) { base in
            for path in ["/", "/plaintext", "/json", "/slow?ms=10", "/throw", "/missing"] {
                responses[path] = try curl(["-s", "-i", base + path])
            }
            responses["/echo"] = try curl(["-s", "-i", "-X", "POST", "--data-binary", "ping", base + "/echo"])
        }
        #expect(result.exitCode == 0, "a graceful shutdown exits 0: \(result)")
        #expect(result.stdout.contains("Application started. Press Ctrl+C to shut down."))
        #expect(result.stdout.contains("Hosting environment: Development"))
        #expect(result.stdout.contains("Application is shutting down..."))
        #expect(responses["/"]?.contains("Hello from hostctl! (Development)") == true)
        #expect(responses["/plaintext"]?.hasSuffix("\r\n\r\nHello, World!") == true)
        #expect(responses["/plaintext"]?.contains("Content-Type: text/plain\r\n") == true)
        #expect(responses["/json"]?.hasSuffix("{\"message\":\"Hello, World!\"}") == true)
        #expect(responses["/slow?ms=10"]?.contains("Slept 10 ms.") == true)
        #expect(responses["/throw"]?.hasPrefix("HTTP/1.1 500") == true)
        #expect(responses["/throw"]?.contains("SampleError") == true, "the developer exception page in Development")
        #expect(responses["/missing"]?.hasPrefix("HTTP/1.1 404") == true)
        #expect(responses["/echo"]?.hasSuffix("\r\n\r\nping") == true)
    }

    @Test func anUnknownServerIsAStartupError() throws {
        let sample = FilePath.join(Self.repositoryRoot, ".build/debug/HostctlSample")
        try #require(FileSystem.exists(sample))
        let result = try Hostctl.run(
            ["run", "--no-build", "-lp", "http", "-e", "HOSTCTL_URLS=http://127.0.0.1:0", "-e", "HOSTCTL_SERVER=kestrel"],
            in: Self.repositoryRoot, timeout: 60
        )
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr.contains("Unknown server 'kestrel'"), "\(result)")
        #expect(result.stderr.contains("Valid values: eventloop"))
    }
}

/// Runs curl with a time limit and returns what it printed.
func curl(_ arguments: [String]) throws -> String {
    guard let curl = ExecutableSearch.find("curl", path: ProcessInfo.processInfo.environment["PATH"]) else {
        throw FixtureError("curl is not installed (.ci/run installs it)")
    }
    let result = try Hostctl.runTool(curl, ["--max-time", "10"] + arguments)
    guard result.status.isSuccess else { throw FixtureError("curl \(arguments) failed: \(result)") }
    return result.stdout
}
