import Hostctl
import HostctlSystem

/// An app on the event-loop server, on 127.0.0.1 and a free port, for one test.
final class TestServer: @unchecked Sendable {
    let app: WebApplication
    let port: Int

    /// Builds the app with `configure`, starts it, and reads the port back from the server
    /// (never guessing, never sleeping).
    init(environment: String = "Production", urls: String = "http://127.0.0.1:0",
         options: (inout ServerOptions) -> Void = { _ in },
         configure: (WebApplication) -> Void) async throws {
        let builder = WebApplication.builder(
            arguments: ["test"],
            environment: ProcessEnvironment([("HOSTCTL_URLS", urls), ("HOSTCTL_ENVIRONMENT", environment)])
        )
        builder.serverOptions.eventLoopCount = 1
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
