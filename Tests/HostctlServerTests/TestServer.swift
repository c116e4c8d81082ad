import HostctlTestSupport
import Hostctl
import HostctlSystem
import Testing

/// The servers the integration suite runs against: every test takes one as its first
/// argument, so both servers meet the same expectations. `allCases` is each server on one
/// loop; `withTwoLoops` adds each on two, for the tests where connections on different
/// loops meet (pipelining, limits, stopping).
struct ServerUnderTest: Sendable, Equatable, CustomTestStringConvertible {
    /// The server's name, as HOSTCTL_SERVER takes it.
    let serverName: String
    let loopCount: Int

    static let eventLoop = ServerUnderTest(serverName: "eventloop", loopCount: 1)
    static let ioUring = ServerUnderTest(serverName: "iouring", loopCount: 1)
    static let allCases = [eventLoop, ioUring]
    static let withTwoLoops = allCases + allCases.map { ServerUnderTest(serverName: $0.serverName, loopCount: 2) }

    var testDescription: String { loopCount == 1 ? serverName : "\(serverName), \(loopCount) loops" }

    /// Skips the test case, saying why, where this server cannot run here.
    func skipIfUnavailable() throws {
        if serverName == "iouring" { try IOUringAvailability.skipIfUnavailable() }
    }
}

/// An app on the server under test, on 127.0.0.1 and a free port, for one test.
final class TestServer: @unchecked Sendable {
    let app: WebApplication
    let port: Int

    /// Builds the app with `configure`, starts it, and reads the port back from the server
    /// (never guessing, never sleeping).
    init(_ kind: ServerUnderTest, environment: String = "Production", urls: String = "http://127.0.0.1:0",
         options: (inout ServerOptions) -> Void = { _ in },
         configure: (WebApplication) -> Void) async throws {
        try kind.skipIfUnavailable()
        let builder = WebApplication.builder(
            arguments: ["test"],
            environment: ProcessEnvironment([("HOSTCTL_URLS", urls), ("HOSTCTL_ENVIRONMENT", environment), ("HOSTCTL_SERVER", kind.serverName)])
        )
        builder.serverOptions.eventLoopCount = kind.loopCount
        options(&builder.serverOptions)
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
