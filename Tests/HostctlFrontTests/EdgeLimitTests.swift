import HostctlTestSupport
import Glibc
import Hostctl
import HostctlFront
import Testing

/// One set of limits: the front applies Kestrel's limits at its edge, with the statuses a
/// direct server answers (the raw-socket cases of the servers' RejectionTests and
/// TimeoutAndLimitTests, through the front), and the fields it adds do not count against the
/// app's. The app runs as the front starts it, so the hosting library acts as behind a real
/// front.
@Suite struct EdgeLimitTests {
    /// A front (on `server`, options `edge`) before an app started as the front starts it.
    private static func setUp(
        _ server: FrontServer, edge: (inout ServerOptions) -> Void = { _ in }
    ) async throws -> (TestApp, TestFront) {
        let app = try await TestApp(asTheFrontStartsIt: true)
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint), serverOptions: edge)
        return (app, front)
    }

    private static func tearDown(_ app: TestApp, _ front: TestFront) async {
        await front.stop()
        await app.stop()
    }

    @Test(arguments: FrontServer.allCases, BadRequests.heads)
    func badHeadsAreRejectedAtTheEdge(_ server: FrontServer, _ row: (name: String, request: String, status: Int)) async throws {
        let (app, front) = try await Self.setUp(server)
        let client = try front.client()
        try client.send(Array(row.request.utf8))
        let response = try client.readResponse()
        #expect(response.status == row.status, "\(row.name): \(response)")
        #expect(response.headers["content-length"] == "0" && response.headers["connection"] == "close", "\(row.name)")
        #expect(response.headers["server"] == "hostctl" && response.headers["date"] != nil, "\(row.name)")
        #expect(try client.isClosedByServer(), "\(row.name)")
        #expect(app.seen.requests == 0, "\(row.name) reached the app")
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases, BadRequests.chunkedBodies)
    func badChunkedBodiesGet400(_ server: FrontServer, _ row: (name: String, body: String)) async throws {
        let (app, front) = try await Self.setUp(server)
        let client = try front.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + row.body)
        let response = try client.readResponse()
        #expect(response.status == 400, "\(row.name): \(response)")
        #expect(try client.isClosedByServer(), "\(row.name)")
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases, BadRequests.closingRequests)
    func nothingPipelinedBehindAClosingRequestIsForwarded(_ server: FrontServer, _ example: (name: String, request: String)) async throws {
        let (app, front) = try await Self.setUp(server)
        let client = try front.client()
        try client.send(example.request + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = try client.readResponse()
        #expect(first.headers["connection"] == "close", "\(example.name): \(first)")
        let rest = try client.readToEnd()
        #expect(rest.isEmpty, "\(example.name): answered after the connection should have ended: \(rest)")
        #expect(app.seen.requests == 1, "\(example.name)")
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func contentLengthWithTransferEncodingClosesAfterTheResponse(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server)
        let client = try front.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.text == "hi", "Transfer-Encoding wins")
        #expect(response.headers["connection"] == "close")
        #expect(try client.isClosedByServer())
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func bareLineFeedsWhenTheEdgeAllowsThem(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: { $0.allowsBareLineFeed = true })
        let client = try front.client()
        // The app refuses lone LFs: the front writes its own line ends.
        try client.send("GET /declared HTTP/1.1\nHost: a\nX-Kept: yes\n\n")
        #expect(try client.readResponse().text == "12345")
        #expect(app.seen.lastHeaders.contains("x-kept: yes"))
        await Self.tearDown(app, front)
    }

    /// The edge's body size limit, declared or counted, is 413 at once; it holds whatever the
    /// app sets for a route (as IIS's maxAllowedContentLength holds behind ANCM).
    @Test(arguments: FrontServer.allCases) func aBodyOverTheEdgesLimitIs413(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: { $0.maxRequestBodySize = 10 })
        let declared = try front.client()
        try declared.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(try declared.readResponse().status == 413)
        #expect(try declared.isClosedByServer())
        let streamed = try front.client()
        try streamed.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n6\r\nworld!\r\n0\r\n\r\n")
        #expect(try streamed.readResponse().status == 413)
        let within = try front.client()
        try within.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhelloworld")
        #expect(try within.readResponse().text == "helloworld", "exactly the limit passes")
        #expect(app.seen.requests == 1, "only the request within the limit reached the app")
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func aClientThatStopsMidBodyGets400OrNothing(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server)
        let client = try front.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly some")
        client.shutdownWrite()
        let text = try client.readToEnd()
        #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 400"), "\(text)")
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func slowHeadersGet408(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: { $0.requestHeadersTimeout = .seconds(2) })
        let client = try front.client()
        try client.send("GET / HTTP/1.1\r\nHo")
        let response = try await offThePool { try client.readResponse() }
        #expect(response.status == 408 && response.headers["connection"] == "close")
        #expect(try client.isClosedByServer())
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func idleKeepAliveConnectionsAreClosedSilently(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: { $0.keepAliveTimeout = .seconds(2) })
        let client = try front.client()
        try client.send("GET /declared HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "12345")
        let silent = try front.client()
        let (first, second) = try await offThePool { (try client.readToEnd(), try silent.readToEnd()) }
        #expect(first.isEmpty && second.isEmpty, "closed with no response")
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func aTooSlowBodyGets408(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: {
            $0.minRequestBodyDataRate = MinDataRate(bytesPerSecond: 1000, gracePeriod: .seconds(2))
        })
        let client = try front.client()
        client.timeout = 30
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nslow")
        let response = try await offThePool { try client.readResponse() }
        #expect(response.status == 408)
        #expect(try client.isClosedByServer())
        await Self.tearDown(app, front)
    }

    @Test(arguments: FrontServer.allCases) func connectionsOverTheLimitAreClosedAtOnce(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: { $0.maxConcurrentConnections = 2 })
        let first = try front.client(), second = try front.client()
        try first.send("GET /declared HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try first.readResponse().text == "12345")
        try second.send("GET /declared HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try second.readResponse().text == "12345")
        let third = try front.client()
        try? third.send("GET /declared HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try third.readToEnd().isEmpty, "no response: closed")
        await Self.tearDown(app, front)
    }

    /// A client that does not read the response is cut off by the minimum response rate, and
    /// the app's request is aborted with it.
    @Test(arguments: FrontServer.allCases) func aClientThatDoesNotReadIsDisconnected(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server, edge: {
            $0.minResponseDataRate = MinDataRate(bytesPerSecond: 100_000, gracePeriod: .seconds(2))
        })
        let client = try front.client()
        var small: Int32 = 4096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        try client.send("GET /forever HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(await eventually(within: 30) { app.seen.abortedRequests == 1 }, "the app's request was aborted")
        await Self.tearDown(app, front)
    }

    // MARK: The cases of issue 15, each at its boundary

    /// 100 fields are within the limit, at the edge and at the app, though the front adds its own.
    @Test(arguments: FrontServer.allCases) func theFieldsTheFrontAddsDoNotCountAgainstTheApp(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server)
        let fields = (0..<99).map { "X-Field-\($0): v\r\n" }.joined()
        let hundred = try front.client()
        try hundred.send("GET /declared HTTP/1.1\r\nHost: localhost\r\n\(fields)\r\n")
        #expect(try hundred.readResponse().status == 200)
        #expect(app.seen.lastHeaders.contains("x-forwarded-host: localhost"), "the app saw the front's fields too")
        let hundredOne = try front.client()
        try hundredOne.send("GET /declared HTTP/1.1\r\nHost: localhost\r\n\(fields)X-One-More: v\r\n\r\n")
        #expect(try hundredOne.readResponse().status == 431)
        // Headers at exactly the size limit, with a Host as long as it can be: the front's
        // X-Forwarded-Host repeats it.
        let host = String(repeating: "h", count: 16_000)
        let filler = String(repeating: "f", count: 32_768 - (6 + host.count + 2) - (8 + 2))
        let full = try front.client()
        try full.send("GET /declared HTTP/1.1\r\nHost: \(host)\r\nX-Fill: \(filler)\r\n\r\n")
        #expect(try full.readResponse().status == 200)
        await Self.tearDown(app, front)
    }

    /// A declared length over the limit is 413 at once, even when the client waits for a 100
    /// (which it does not get); exactly the limit is the app's to answer.
    @Test(arguments: FrontServer.allCases) func aDeclaredLengthOverTheLimitIs413AtOnce(_ server: FrontServer) async throws {
        let (app, front) = try await Self.setUp(server)
        let over = try front.client()
        try over.send("POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 30000001\r\n\r\n")
        #expect(try over.readResponse().status == 413)
        let expecting = try front.client()
        try expecting.send("POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 30000001\r\nExpect: 100-continue\r\n\r\n")
        let refused = try expecting.readResponse()
        #expect(refused.status == 413, "no 100 first: \(refused)")
        let atTheLimit = try front.client()
        try atTheLimit.send("POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 30000000\r\nExpect: 100-continue\r\n\r\n")
        #expect(try atTheLimit.readResponse().status == 100, "the app wants the body")
        #expect(app.seen.requests == 1)
        shutdown(atTheLimit.fd, Int32(SHUT_RDWR))  // the body will not come: no wait for it at the stop
        await Self.tearDown(app, front)
    }
}
