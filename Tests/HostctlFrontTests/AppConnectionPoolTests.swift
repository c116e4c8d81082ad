import HostctlTestSupport
import Glibc
import Hostctl
import HostctlFront
import Testing

/// Keep-alive connections to the app: reused, discarded when the app closes them or
/// restarts, and all closed when the front stops.
@Suite struct AppConnectionPoolTests {
    @Test(arguments: FrontServer.allCases) func requestsShareConnectionsToTheApp(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        for round in 0..<5 {
            let client = try front.client()  // a new client connection each round
            for index in 0..<4 {
                try client.send("GET /status/200?r=\(round)-\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
        }
        #expect(app.seen.requests == 20)
        #expect(app.seen.connectionIDs.count < 20, "the app saw \(app.seen.connectionIDs.count) connections for 20 requests")
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func eachLoopKeepsItsOwnConnections(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint), serverOptions: { $0.eventLoopCount = 2 })
        let port = front.port
        let clients = 8, requestsEach = 25
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for client in 0..<clients {
                group.addTask {
                    try await offThePool {
                        let connection = try TestClient(port: port)
                        return try (0..<requestsEach).map { index in
                            try connection.send("GET /status/200?c=\(client)&i=\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                            return try connection.readResponse().status
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(statuses.count == clients * requestsEach && statuses.allSatisfy { $0 == 200 })
        #expect(app.seen.requests == clients * requestsEach)
        #expect(app.seen.connectionIDs.count <= clients, "at most one app connection per concurrent client")
        await front.stop()
        #expect(await eventually { establishedConnections(toPort: app.port) == 0 })
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func aConnectionTheAppClosedIsNotUsedAgain(_ server: FrontServer) async throws {
        let app = try await TestApp(options: { $0.keepAliveTimeout = .seconds(1) })
        let source = TestEndpointSource(app.endpoint)
        let front = try await TestFront(server, source: source)
        #expect(try front.get("/declared").text == "12345")
        // The app's keep-alive timeout closes the pooled connection (its heartbeat is 1 s).
        #expect(await eventually { establishedConnections(toPort: app.port) == 0 })
        #expect(try front.get("/declared").text == "12345")
        #expect(source.failures.isEmpty, "no request met the closed connection")
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases) func aRestartedAppGetsNewConnections(_ server: FrontServer) async throws {
        let first = try await TestApp(token: "first", generation: 1)
        let second = try await TestApp(token: "second", generation: 2)
        let source = TestEndpointSource(first.endpoint)
        let front = try await TestFront(server, source: source)
        #expect(try front.get("/status/200").status == 200)
        source.set(second.endpoint)
        #expect(try front.get("/status/200").status == 200, "the new run's token was sent")
        #expect(second.seen.requests == 1)
        #expect(await eventually { establishedConnections(toPort: first.port) == 0 }, "the first run's connection is dropped")
        await front.stop()
        await first.stop()
        await second.stop()
    }

    @Test(arguments: FrontServer.allCases) func stoppingTheFrontClosesItsConnections(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        for _ in 0..<3 {
            let clients = try (0..<4).map { _ in try front.client() }
            for client in clients { try client.send("GET /status/200 HTTP/1.1\r\nHost: a\r\n\r\n") }
            for client in clients { #expect(try client.readResponse().status == 200) }
        }
        #expect(establishedConnections(toPort: app.port) > 0, "kept alive while the front runs")
        await front.stop()
        #expect(await eventually { establishedConnections(toPort: app.port) == 0 }, "no descriptor to the app outlives the front")
        await app.stop()
    }
}
