import HostctlTestSupport
import Glibc
import Hostctl
import HostctlFront
import HostctlSystem
import Testing

/// `Connection: Upgrade` through the front: the app's 101 turns both connections into a
/// tunnel that carries bytes both ways until either side ends, with backpressure, the
/// keep-alive timeout as its idle limit; an upgrade the app refuses is an ordinary response.
@Suite struct UpgradeTests {
    static let handshake = "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"

    /// Sends the handshake and reads the 101.
    private static func upgrade(_ client: TestClient) throws -> TestResponse {
        try client.send(handshake)
        return try client.readResponse()
    }

    @Test(arguments: FrontServer.allCases) func bytesGoBothWaysAfterThe101(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)))
        let client = try front.client()
        let switched = try Self.upgrade(client)
        #expect(switched.status == 101, "\(switched)")
        #expect(switched.headers["upgrade"] == "websocket" && switched.headers["connection"]?.lowercased() == "upgrade")
        let forwarded = app.heads.first ?? ""
        #expect(forwarded.contains("\r\nUpgrade: websocket") && forwarded.contains("\r\nConnection: upgrade"), "\(forwarded)")
        #expect(forwarded.contains("\r\nSec-WebSocket-Version: 13"))
        for round in 0..<3 {
            let message = Array("message \(round)".utf8)
            try client.send(message)
            #expect(try client.read(count: message.count) == message)
        }
        try client.send("bye")
        #expect(try client.readToEnd().isEmpty)
        await front.stop()
        app.stop()
    }

    /// A graceful stop lets an open tunnel be until the shutdown timeout, then ends it.
    @Test(arguments: FrontServer.allCases) func stoppingTheFrontEndsTunnelsAtTheShutdownTimeout(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(
            server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)),
            serverOptions: { $0.shutdownTimeout = .seconds(1) }
        )
        let client = try front.client()
        #expect(try Self.upgrade(client).status == 101)
        try client.send("still here")
        #expect(try client.read(count: 10) == Array("still here".utf8))
        await front.stop()
        #expect(try client.readToEnd().isEmpty, "the tunnel was ended")
        #expect(await eventually { app.openConnections == 0 }, "and the app's side of it")
        app.stop()
    }

    /// Megabytes each way at once, far more than any buffer on the way: each side waits for
    /// the other instead of the front holding it all.
    @Test(arguments: FrontServer.allCases) func aLargeEchoStreamsThroughTheTunnel(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)))
        let client = try front.client()
        client.timeout = 60
        #expect(try Self.upgrade(client).status == 101)
        let blocks = 128, block = [UInt8](repeating: UInt8(ascii: "t"), count: 64 * 1024)
        let writer = NativeThread(name: "tunnel-writer") {
            for _ in 0..<blocks { try? client.send(block) }
        }
        let echoed = try await offThePool { try client.read(count: blocks * block.count) }
        writer.join()
        #expect(echoed.count == blocks * block.count && echoed.allSatisfy { $0 == UInt8(ascii: "t") })
        try client.send("bye")
        #expect(try client.readToEnd().isEmpty)
        await front.stop()
        app.stop()
    }

    @Test(arguments: FrontServer.allCases) func theAppClosingEndsTheTunnel(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)))
        let client = try front.client()
        #expect(try Self.upgrade(client).status == 101)
        try client.send("ping")
        #expect(try client.read(count: 4) == Array("ping".utf8))
        try client.send("bye")
        #expect(try client.readToEnd().isEmpty, "the client's connection ends with the app's")
        await front.stop()
        app.stop()
    }

    @Test(arguments: FrontServer.allCases) func theClientClosingEndsTheTunnel(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)))
        let client = try front.client()
        #expect(try Self.upgrade(client).status == 101)
        try client.send("ping")
        #expect(try client.read(count: 4) == Array("ping".utf8))
        // The transports have no half-close: the tunnel ends both ways once what the client
        // sent has gone on.
        client.shutdownWrite()
        #expect(try client.readToEnd().isEmpty)
        #expect(await eventually { app.openConnections == 0 }, "the app's connection ended too")
        await front.stop()
        app.stop()
    }

    @Test(arguments: FrontServer.allCases) func aClientThatVanishesEndsTheTunnel(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)))
        do {
            let client = try front.client()
            #expect(try Self.upgrade(client).status == 101)
            try client.send("hello")
            #expect(try client.read(count: 5) == Array("hello".utf8))
            // Gone without a word: a reset, not a close.
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        }
        #expect(await eventually { app.openConnections == 0 }, "the app's connection was closed")
        await front.stop()
        app.stop()
    }

    @Test(arguments: FrontServer.allCases) func anIdleTunnelIsClosedAtTheKeepAliveTimeout(_ server: FrontServer) async throws {
        let app = try UpgradingApp()
        let front = try await TestFront(
            server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)),
            serverOptions: { $0.keepAliveTimeout = .seconds(2) }
        )
        let client = try front.client()
        client.timeout = 20
        #expect(try Self.upgrade(client).status == 101)
        try client.send("once")
        #expect(try client.read(count: 4) == Array("once".utf8))
        let rest = try await offThePool { try client.readToEnd() }
        #expect(rest.isEmpty, "closed with nothing more")
        #expect(await eventually { app.openConnections == 0 })
        await front.stop()
        app.stop()
    }

    @Test(arguments: FrontServer.allCases) func anUpgradeTheAppRefusesIsAnOrdinaryResponse(_ server: FrontServer) async throws {
        let app = try UpgradingApp(refuses: true)
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(app.port), token: "t", generation: 1)))
        let client = try front.client()
        let refused = try Self.upgrade(client)
        #expect(refused.status == 400 && refused.text == "refused")
        try client.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().status == 400, "the connection goes on as HTTP")
        #expect(app.heads.count == 2)
        await front.stop()
        app.stop()
    }

    @Test(arguments: FrontServer.allCases) func a101NobodyAskedForIs502(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, send in
            send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            return .close
        }
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)))
        let response = try front.get("/")
        #expect(response.status == 502 && response.text.contains("switched protocols"), "\(response)")
        await front.stop()
        scripted.stop()
    }

    /// h2c is HTTP/2 in clear text: the front's own business at the edge, never the app's.
    @Test(arguments: FrontServer.allCases) func anH2CUpgradeIsNotPassedOn(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send("GET /headers HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        for dropped in ["upgrade:", "http2-settings:", "connection:"] {
            #expect(!response.text.contains(dropped), "\(dropped) was passed on: \(response.text)")
        }
        await front.stop()
        await app.stop()
    }
}

/// Interim responses from the app reach the client as they come.
@Suite struct InterimResponseTests {
    @Test(arguments: FrontServer.allCases) func earlyHintsReachTheClientBeforeTheResponse(_ server: FrontServer) async throws {
        let scripted = try ScriptedApp { _, send in
            send("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nConnection: X-Hop\r\nX-Hop: 1\r\n\r\n")
            send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            return .keepOpen
        }
        let front = try await TestFront(server, source: TestEndpointSource(AppEndpoint(port: UInt16(scripted.port), token: "t", generation: 1)))
        let client = try front.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let hints = try client.readResponse()
        #expect(hints.status == 103 && hints.headers["link"] == "</style.css>; rel=preload", "\(hints)")
        #expect(hints.headers["x-hop"] == nil && hints.headers["connection"] == nil, "hop-by-hop fields stay")
        let final = try client.readResponse()
        #expect(final.status == 200 && final.text == "ok")
        // An HTTP/1.0 client gets no 1xx (RFC 9110 §15.2).
        let old = try front.client()
        try old.send("GET / HTTP/1.0\r\nHost: a\r\n\r\n")
        let direct = try old.readResponse()
        #expect(direct.status == 200 && direct.text == "ok", "\(direct)")
        await front.stop()
        scripted.stop()
    }

    /// The app's 100 answers the client's Expect; an app that answers without reading gets
    /// its final response through and the connection then closes (the body never came).
    @Test(arguments: FrontServer.allCases) func anAppThatAnswersWithoutA100ClosesTheConnection(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try front.client()
        try client.send("POST /declared HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 405 || response.status == 404, "\(response)")
        #expect(response.headers["connection"] == "close")
        #expect(try client.isClosedByServer())
        await front.stop()
        await app.stop()
    }
}
