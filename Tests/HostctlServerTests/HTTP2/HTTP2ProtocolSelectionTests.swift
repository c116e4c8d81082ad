import HostctlTestSupport
import Hostctl
import Testing

/// Which HTTP version a cleartext connection speaks, by its endpoint's protocols (from
/// configuration, ASP.NET's environment spelling included) and the client's first bytes;
/// Kestrel's HTTP/2 limits from configuration.
@Suite struct HTTP2ProtocolSelectionTests {
    static func server(_ kind: ServerUnderTest, arguments: [String] = [], variables: [(String, String)] = []) async throws -> TestServer {
        try await TestServer(kind, arguments: arguments, variables: variables) { app in
            app.get("/") { try await $0.response.write("hello \($0.request.protocol)") }
        }
    }

    @Test(arguments: ServerUnderTest.allCases) func anHTTP2OnlyEndpointSpeaksHTTP2ToEveryClient(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind, arguments: ["--Kestrel:EndpointDefaults:Protocols=Http2"])
        let client = try server.http2Client()
        #expect(try client.get("/", stream: 1).text == "hello HTTP/2")
        // HTTP/1.1 is not the preface: the connection fails as HTTP/2 says (GOAWAY PROTOCOL_ERROR).
        let http1 = try HTTP2TestClient(port: server.port)
        try http1.send(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(http1.waitForClose())
        #expect(http1.session.goAway?.code == 1)
        #expect(http1.session.responses.isEmpty)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func protocolsSetInCode(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, prepare: { $0.kestrel.endpointDefaults.protocols = .http2 }) { app in
            app.get("/") { try await $0.response.write("hello \($0.request.protocol)") }
        }
        let client = try server.http2Client()
        #expect(try client.get("/", stream: 1).text == "hello HTTP/2")
        let http1 = try HTTP2TestClient(port: server.port)
        try http1.send(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(http1.waitForClose(), "an HTTP/2-only endpoint")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func anHTTP1OnlyEndpointAnswersThePrefaceWith505(_ kind: ServerUnderTest) async throws {
        // ASP.NET's spelling of the key, through the environment.
        let server = try await Self.server(kind, variables: [("ASPNETCORE_Kestrel__EndpointDefaults__Protocols", "Http1")])
        let client = try server.client()
        try client.send(HTTP2TestFrame.preface + HTTP2TestFrame.settings().bytes)
        let response = try client.readResponse()
        #expect(response.status == 505, "as Kestrel answers it (aspnetcore#9847)")
        #expect(try server.get("/").text == "hello HTTP/1.1")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func anEndpointsOwnProtocolsWin(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind, arguments: [
            "--Kestrel:EndpointDefaults:Protocols=Http1",
            "--Kestrel:Endpoints:Only:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Only:Protocols=Http1AndHttp2",
        ])
        let client = try server.http2Client()
        #expect(try client.get("/", stream: 1).text == "hello HTTP/2")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func theDefaultEndpointSpeaksBothOnOnePort(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        // The preface split across writes still hands the connection over.
        #expect(try client.get("/", stream: 1).text == "hello HTTP/2")
        let split = try HTTP2TestClient(port: server.port)
        for byte in HTTP2TestFrame.preface { try split.send([byte]) }
        try split.send(HTTP2TestFrame.settings().bytes)
        #expect(try split.get("/", stream: 1).text == "hello HTTP/2")
        #expect(try server.get("/").text == "hello HTTP/1.1")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aLayerBelowTheProtocolSeesTheHandOver(_ kind: ServerUnderTest) async throws {
        // The layer, as a TLS layer would, is the transport the HTTP/1.1 driver hands over.
        let server = try await TestServer(kind, options: { $0.connectionLayers = [PassThroughLayerFactory()] }) { app in
            app.get("/") { try await $0.response.write("hello \($0.request.protocol)") }
        }
        let client = try server.http2Client()
        #expect(try client.get("/", stream: 1).text == "hello HTTP/2")
        #expect(try client.get("/", stream: 3).text == "hello HTTP/2")
        #expect(try server.get("/").text == "hello HTTP/1.1")
        await server.stop()
    }

    @Test(arguments: [ServerUnderTest.eventLoop]) func anEndpointForHTTP3AloneDoesNotStart(_ kind: ServerUnderTest) async throws {
        await #expect(throws: (any Error).self) {
            _ = try await Self.server(kind, arguments: ["--Kestrel:EndpointDefaults:Protocols=Http3"])
        }
    }

    @Test(arguments: ServerUnderTest.allCases) func http2LimitsComeFromConfiguration(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind, arguments: [
            "--Kestrel:Limits:Http2:MaxStreamsPerConnection=7",
            "--Kestrel:Limits:Http2:InitialStreamWindowSize=100000",
            "--Kestrel:Limits:Http2:InitialConnectionWindowSize=200000",
            "--Kestrel:Limits:Http2:MaxFrameSize=32768",
        ])
        let client = try server.http2Client()
        #expect(try client.get("/", stream: 1).status == 200)
        let settings = client.session.serverSettings
        #expect(settings[0x3] == 7)
        #expect(settings[0x4] == 100_000)
        #expect(settings[0x5] == 32768)
        #expect(client.session.windowIncrements[0] == 200_000 - 65_535, "the connection window opened to the limit")
        await server.stop()
    }

    @Test func anHTTP2LimitOutOfRangeStopsTheApp() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await Self.server(.eventLoop, arguments: ["--Kestrel:Limits:Http2:MaxFrameSize=100"])
        }
    }
}
