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
            let upload = FilePath.join(try TemporaryDirectory.make("upload"), "body")
            try write(String(repeating: "0123456789", count: 300_000), to: upload)
            responses["/upload"] = try curl(["-s", "-i", "--data-binary", "@" + upload, base + "/upload"])
            responses["/upload chunked"] = try curl(["-s", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + upload, base + "/upload"])
            responses["/upload empty"] = try curl(["-s", "-X", "POST", base + "/upload"])
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
        #expect(responses["/upload"]?.contains("HTTP/1.1 200") == true, "after curl's 100-continue: \(responses["/upload"] ?? "")")
        #expect(responses["/upload"]?.hasSuffix("\r\n\r\n3000000\n") == true, "counted, not echoed: \(responses["/upload"] ?? "")")
        #expect(responses["/upload chunked"] == "3000000\n")
        #expect(responses["/upload empty"] == "0\n")
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

extension SampleAppTests {
    @Test func theSampleServesOnTheIOUringServer() throws {
        try #require(FileSystem.exists(FilePath.join(Self.repositoryRoot, ".build/debug/HostctlSample")))
        var plaintext = "", echo = ""
        let result = try Hostctl.serving(
            ["run", "--no-build", "-lp", "http", "--server", "iouring", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"], in: Self.repositoryRoot, timeout: 60
        ) { base in
            plaintext = try curl(["-s", "-i", base + "/plaintext"])
            echo = try curl(["-s", "-X", "POST", "--data-binary", "ping", base + "/echo"])
        }
        if result.stderr.contains("The io_uring server cannot start") {
            try Test.cancel("io_uring is unavailable on this machine: \(result.stderr)")
        }
        #expect(result.exitCode == 0, "\(result)")
        #expect(plaintext.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(plaintext)")
        #expect(plaintext.hasSuffix("\r\n\r\nHello, World!"))
        #expect(echo == "ping")
    }

    /// With io_uring_setup refused the way a container's seccomp profile refuses it, the
    /// app does not start, says why and what to use instead, and exits non-zero.
    @Test func aKernelThatRefusesIOUringIsAClearStartupError() throws {
        try #require(FileSystem.exists(FilePath.join(Self.repositoryRoot, ".build/debug/HostctlSample")))
        let environment = Hostctl.baseEnvironment()
        guard let compiler = ExecutableSearch.find("cc", path: environment["PATH"]) ?? ExecutableSearch.find("clang", path: environment["PATH"]) else {
            throw FixtureError("no C compiler on the PATH (gcc is part of the toolchain image)")
        }
        let work = try TemporaryDirectory.make("seccomp")
        let wrapper = FilePath.join(work, "without_io_uring")
        let source = FilePath.join(Self.repositoryRoot, "Tests/HostctlCLITests/Fixtures/Seccomp/without_io_uring.c")
        let compiled = try Hostctl.runTool(compiler, ["-O", "-o", wrapper, source], timeout: 120)
        try #require(compiled.status.isSuccess, "\(compiled)")
        let result = try Hostctl.runTool(
            wrapper, [Hostctl.executable, "run", "--no-build", "-lp", "http", "--server", "iouring", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"],
            in: Self.repositoryRoot, environment: environment, timeout: 60
        )
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr.contains("The io_uring server cannot start: the kernel refused io_uring_setup with EPERM: a seccomp filter"), "\(result)")
        #expect(result.stderr.contains("HOSTCTL_SERVER=eventloop"), "names the way out: \(result)")
        #expect(!result.stdout.contains("Now listening on:"), "never a silent switch to epoll")
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
