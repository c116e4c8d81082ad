import HostctlTestSupport
import Hostctl
import HostctlSystem
import Testing

/// The servers the integration suite runs against: every test takes one as its first
/// argument, so both servers meet the same expectations.
enum ServerUnderTest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case eventLoop = "eventloop"
    case ioUring = "iouring"

    var testDescription: String { rawValue }

    /// Why io_uring cannot run on this machine (read once), or nil.
    static let ioUringProblem: String? = IOUringServer.unavailabilityReason()

    /// Skips the test case, saying why, where this server cannot run here.
    func skipIfUnavailable() throws {
        if self == .ioUring, let problem = Self.ioUringProblem {
            try Test.cancel("The io_uring server cannot run on this machine: \(problem)")
        }
    }
}

/// An app on the server under test, on 127.0.0.1 and a free port, for one test.
final class TestServer: @unchecked Sendable {
    let app: WebApplication
    let port: Int

    /// Builds the app with `configure`, starts it, and reads the port back from the server
    /// (never guessing, never sleeping).
    /// `arguments` become configuration (`--Key=value`); `prepare` sees the builder before
    /// the app is built (logging sinks, configuration sources).
    init(_ kind: ServerUnderTest, environment: String = "Production", urls: String = "http://127.0.0.1:0",
         arguments: [String] = [], contentRoot: String? = nil,
         options: (inout ServerOptions) -> Void = { _ in },
         prepare: (WebApplicationBuilder) -> Void = { _ in },
         configure: (WebApplication) -> Void) async throws {
        try kind.skipIfUnavailable()
        // Settings files only from a content root the test made: the tests run in the
        // checkout, whose files are not theirs.
        let builder = WebApplication.builder(
            arguments: ["test"] + (contentRoot.map { ["--contentRoot", $0] } ?? []) + arguments,
            environment: ProcessEnvironment([("HOSTCTL_URLS", urls), ("HOSTCTL_ENVIRONMENT", environment), ("HOSTCTL_SERVER", kind.rawValue)]),
            readsSettingsFiles: contentRoot != nil
        )
        builder.serverOptions.eventLoopCount = 1
        options(&builder.serverOptions)
        prepare(builder)
        app = builder.build()
        configure(app)
        try await app.start()
        let url = app.urls.first ?? ""
        port = Int(url.split(separator: ":").last ?? "") ?? 0
    }

    func client() throws -> TestClient { try TestClient(port: port) }

    /// One request on a new connection.
    func get(_ target: String, headers: String = "") throws -> TestResponse {
        let client = try client()
        try client.send("GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n")
        return try client.readResponse()
    }

    func stop() async { await app.stop() }
}
