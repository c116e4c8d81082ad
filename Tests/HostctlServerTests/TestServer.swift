import HostctlTestSupport
import Hostctl
import HostctlSystem
import Testing

/// The servers the integration suite runs against: every test takes one as its first
/// argument, so both servers meet the same expectations. `allCases` is each server on one
/// loop, directly and with the test-only pass-through layer between transport and protocol
/// (the seam a TLS layer sits in: the servers must behave the same through it);
/// `withTwoLoops` adds each on two, for the tests where connections on different loops meet
/// (pipelining, limits, stopping).
struct ServerUnderTest: Sendable, Equatable, CustomTestStringConvertible {
    /// The server's name, as HOSTCTL_SERVER takes it.
    let serverName: String
    let loopCount: Int
    /// Every connection passes through `PassThroughLayer`.
    var throughLayer = false

    static let eventLoop = ServerUnderTest(serverName: "eventloop", loopCount: 1)
    static let ioUring = ServerUnderTest(serverName: "iouring", loopCount: 1)
    static let direct = [eventLoop, ioUring]
    static let allCases = direct + direct.map { ServerUnderTest(serverName: $0.serverName, loopCount: 1, throughLayer: true) }
    static let withTwoLoops = allCases + direct.map { ServerUnderTest(serverName: $0.serverName, loopCount: 2) }

    var isIOUring: Bool { serverName == "iouring" }

    var testDescription: String {
        var description = serverName
        if loopCount > 1 { description += ", \(loopCount) loops" }
        if throughLayer { description += ", through a layer" }
        return description
    }

    /// Skips the test case, saying why, where this server cannot run here.
    func skipIfUnavailable() throws {
        if isIOUring { try IOUringAvailability.skipIfUnavailable() }
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
    /// `variables` are more environment variables (ASP.NET's `ASPNETCORE_…` spellings).
    init(_ kind: ServerUnderTest, environment: String = "Production", urls: String = "http://127.0.0.1:0",
         arguments: [String] = [], variables: [(String, String)] = [], contentRoot: String? = nil,
         options: (inout ServerOptions) -> Void = { _ in },
         prepare: (WebApplicationBuilder) -> Void = { _ in },
         configure: (WebApplication) -> Void) async throws {
        try kind.skipIfUnavailable()
        // Settings files only from a content root the test made: the tests run in the
        // checkout, whose files are not theirs.
        let builder = WebApplication.builder(
            arguments: ["test"] + (contentRoot.map { ["--contentRoot", $0] } ?? []) + arguments,
            environment: ProcessEnvironment(
                [("HOSTCTL_URLS", urls), ("HOSTCTL_ENVIRONMENT", environment), ("HOSTCTL_SERVER", kind.serverName)] + variables
            ),
            readsSettingsFiles: contentRoot != nil
        )
        builder.serverOptions.eventLoopCount = kind.loopCount
        if kind.throughLayer { builder.serverOptions.connectionLayers = [PassThroughLayerFactory()] }
        options(&builder.serverOptions)
        prepare(builder)
        app = builder.build()
        configure(app)
        try await app.start()
        let url = app.urls.first ?? ""
        port = Int(url.split(separator: ":").last ?? "") ?? 0
    }

    func client() throws -> TestClient { try TestClient(port: port) }

    /// A connection with its TLS handshake done (on an https:// URL).
    func tlsClient(_ options: TestTLSOptions = TestTLSOptions()) throws -> TestClient {
        let client = try TestClient(port: port)
        try client.startTLS(options)
        return client
    }

    /// A raw HTTP/2 connection (h2c with prior knowledge), its preface sent.
    func http2Client(settings: [(UInt16, UInt32)] = [], smallBuffers: Bool = false) throws -> HTTP2TestClient {
        let client = try HTTP2TestClient(port: port, smallBuffers: smallBuffers)
        try client.start(settings: settings)
        return client
    }

    /// One request on a new connection.
    func get(_ target: String, headers: String = "") throws -> TestResponse {
        let client = try client()
        try client.send("GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n")
        return try client.readResponse()
    }

    func stop() async { await app.stop() }
}
