import HostctlTestSupport
import Glibc
import Hostctl
import HostctlFront
import Testing

/// When the app cannot answer: the front's own pages, what it tells the process half, and
/// aborts once a response is under way.
@Suite struct ForwardingFailureTests {
    @Test(arguments: FrontServer.allCases) func aRefusedConnectionIs502AndReported(_ server: FrontServer) async throws {
        let endpoint = AppEndpoint(port: try closedPort(), token: "t", generation: 3)
        let source = TestEndpointSource(endpoint)
        let front = try await TestFront(server, source: source)
        let response = try front.get("/")
        #expect(response.status == 502)
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(response.text.contains("could not connect to the app"), "\(response.text)")
        #expect(source.failures == [endpoint])
        await front.stop()
    }

    @Test(arguments: FrontServer.allCases) func anAppThatHangsUpBeforeAnsweringIs502AndReported(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, _ in .close }
        let endpoint = AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)
        let source = TestEndpointSource(endpoint)
        let front = try await TestFront(server, source: source)
        let response = try front.get("/")
        #expect(response.status == 502)
        #expect(source.failures == [endpoint])
        await front.stop()
        scripted.stop()
    }

    @Test(arguments: FrontServer.allCases) func anInvalidResponseIs502(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, send in
            send("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n")
            return .close
        }
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)))
        let response = try front.get("/")
        #expect(response.status == 502 && response.text.contains("invalid response"))
        await front.stop()
        scripted.stop()
    }

    @Test(arguments: FrontServer.allCases) func noResponseHeadInTimeIs504(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, _ in .stall }
        var options = ForwardingOptions()
        options.requestTimeout = .seconds(1)
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)), options: options)
        let client = try front.client()
        client.timeout = 30
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try await offThePool { try client.readResponse() }
        #expect(response.status == 504)
        #expect(response.text.contains("did not answer within 1 s"))
        await front.stop()
        scripted.stop()
    }

    @Test(arguments: FrontServer.allCases) func anUnavailableAppGetsTheSourcesPage(_ server: FrontServer) async throws {
        let page = FrontUnavailable(status: 503, contentType: "text/html", body: Array("<p>offline</p>".utf8))
        let front = try await TestFront(server, source: TestEndpointSource(unavailable: page))
        let response = try front.get("/")
        #expect(response.status == 503 && response.headers["content-type"] == "text/html" && response.text == "<p>offline</p>")
        await front.stop()
    }

    @Test(arguments: FrontServer.allCases) func anAppDyingMidResponseAbortsTheClient(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, send in
            send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "x", count: 20000))
            return .close
        }
        let endpoint = AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)
        let source = TestEndpointSource(endpoint)
        let front = try await TestFront(server, source: source)
        let client = try front.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let received = try await offThePool { try client.readToEnd() }
        #expect(received.hasPrefix("HTTP/1.1 200 OK"), "the head went out before the app died")
        #expect(received.utf8.count < 100_000, "the client never gets a complete response")
        #expect(source.failures == [endpoint])
        await front.stop()
        scripted.stop()
    }

    @Test(arguments: FrontServer.allCases) func aClientThatLeavesAbortsTheAppsRequest(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send("GET /forever HTTP/1.1\r\nHost: a\r\n\r\n")
        try client.fill()  // the response is flowing
        shutdown(client.fd, Int32(SHUT_RDWR))
        #expect(await eventually { app.seen.abortedRequests == 1 }, "the app's request-aborted signal fired")
        #expect(await eventually { establishedConnections(toPort: app.port) == 0 }, "that app connection is closed, not pooled")
        await front.stop()
        await app.stop()
    }
}
