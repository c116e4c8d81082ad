import Hostctl
import HostctlFront
import Testing

/// What the app receives and what the client gets back: ANCM's header rules (design §6,
/// reference §6.2), over real sockets through a front to a real app.
@Suite struct ForwardedHeadersTests {
    @Test(arguments: FrontServer.allCases) func theAppSeesHostForwardedForProtoHostAndTheToken(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send(
            "GET /headers HTTP/1.1\r\nHost: example.com:8080\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: spoofed.example\r\nX-Hostctl-Token: forged\r\nAccept: */*\r\n\r\n"
        )
        let response = try client.readResponse()
        #expect(response.status == 200, "the app accepted the front's token: \(response)")
        let lines = response.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("host: example.com:8080"))
        #expect(lines.contains("x-forwarded-for: 10.0.0.1, 127.0.0.1:\(client.localPort)"))
        #expect(lines.contains("x-forwarded-proto: https, http"))
        #expect(lines.contains("x-forwarded-host: example.com:8080"))
        #expect(lines.contains("x-hostctl-token: secret-token"))
        #expect(lines.filter { $0.hasPrefix("x-hostctl-token:") }.count == 1, "the client's token is dropped")
        #expect(lines.contains("accept: */*"))
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func withoutForwardedHeadersTheFrontStartsTheLists(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send("GET /headers HTTP/1.1\r\nHost: front.test\r\n\r\n")
        let lines = try client.readResponse().text.split(separator: "\n").map(String.init)
        #expect(lines.contains("x-forwarded-for: 127.0.0.1:\(client.localPort)"))
        #expect(lines.contains("x-forwarded-proto: http"))
        #expect(lines.contains("x-forwarded-host: front.test"))
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func hopByHopRequestFieldsStayAtTheFront(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send(
            "GET /headers HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Private\r\nX-Private: secret\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-Sum\r\nProxy-Authorization: Basic eA==\r\nX-Public: yes\r\n\r\n"
        )
        let response = try client.readResponse()
        let names = Set(response.text.split(separator: "\n").map { String($0.split(separator: ":")[0]) })
        for dropped in ["connection", "x-private", "keep-alive", "proxy-connection", "te", "trailer", "proxy-authorization", "expect"] {
            #expect(!names.contains(dropped), "\(dropped) was forwarded")
        }
        #expect(names.contains("x-public"))
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func hopByHopResponseFieldsStayAtTheFront(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, send in
            send("HTTP/1.1 200 OK\r\nConnection: X-Private, keep-alive\r\nX-Private: s\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Authenticate: Basic\r\nTrailer: X-Sum\r\nUpgrade: h2c\r\nX-Kept: yes\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                + "Content-Length: 2\r\n\r\nok")
            return .keepOpen
        }
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)))
        let response = try front.get("/")
        #expect(response.status == 200 && response.text == "ok")
        for dropped in ["x-private", "keep-alive", "proxy-authenticate", "trailer", "upgrade"] {
            #expect(response.headers[dropped] == nil, "\(dropped) was passed back")
        }
        #expect(response.headers["connection"] == nil || response.headers["connection"] == "keep-alive")
        #expect(response.headers["x-kept"] == "yes")
        #expect(response.headerLines.filter { $0.lowercased().hasPrefix("set-cookie:") }.count == 2, "duplicates kept")
        #expect(response.headers["content-length"] == "2")
        await front.stop()
        scripted.stop()
    }

    @Test(arguments: FrontServer.allCases) func statusAndUnusualReasonsPassThrough(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { head, send in
            if head.hasPrefix("GET /teapot") {
                send("HTTP/1.1 418 I'm a little teapot\r\nContent-Length: 0\r\n\r\n")
            } else {
                send("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope")
            }
            return .keepOpen
        }
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)))
        let teapot = try front.get("/teapot")
        #expect(teapot.statusLine == "HTTP/1.1 418 I'm a little teapot")
        let missing = try front.get("/missing")
        #expect(missing.statusLine == "HTTP/1.1 404 Not Found" && missing.text == "nope")
        #expect(scripted.heads.first?.hasPrefix("GET /teapot HTTP/1.1\r\n") == true)
        await front.stop()
        scripted.stop()
    }

    @Test func theTokenHeaderNameIsTheContractsOne() {
        #expect(FrontContract.tokenHeader == "x-hostctl-token")
    }
}
