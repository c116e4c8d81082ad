import HostctlTestSupport
import Hostctl
import HostctlTransport
import Testing

/// Servers with more than one loop: connections spread over every loop, and each is served
/// on its own. (Pipelining, limits, timeouts and stopping run on two loops in their own suites:
/// their tests take `ServerUnderTest.withTwoLoops`.)
@Suite struct MultiLoopTests {
    @Test(arguments: ServerUnderTest.withTwoLoops.filter { $0.loopCount == 2 })
    func connectionsOnEveryLoopAreServed(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind) { app in
            app.get("/loop") { context in
                // The loop whose thread runs the handler: the one the connection arrived on.
                try await context.response.write("\(EventLoop.current?.index ?? -1)")
            }
        }
        // The kernel spreads connections over the loops' listeners by their addresses'
        // hash: open connections (all kept open, so they are concurrent) until every loop has
        // served one. 64 all landing on one loop would be a 1 in 2^63 chance.
        var clients: [(TestClient, String)] = []
        var loops: Set<String> = []
        while loops.count < kind.loopCount, clients.count < 64 {
            let client = try server.client()
            try client.send("GET /loop HTTP/1.1\r\nHost: a\r\n\r\n")
            let loop = try client.readResponse().text
            loops.insert(loop)
            clients.append((client, loop))
        }
        #expect(loops == Set((0..<kind.loopCount).map(String.init)))
        // Every connection, on whichever loop, still answers pipelined requests on that loop.
        for (client, _) in clients {
            try client.send(String(repeating: "GET /loop HTTP/1.1\r\nHost: a\r\n\r\n", count: 3))
        }
        for (client, loop) in clients {
            for _ in 0..<3 { #expect(try client.readResponse().text == loop) }
        }
        await server.stop()
    }
}
