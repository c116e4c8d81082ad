import HostctlTestSupport
import Glibc
import Hostctl
import Testing

/// Kestrel's timeouts and limits, with the durations shortened so each test takes seconds.
@Suite struct TimeoutAndLimitTests {
    @Test(arguments: ServerUnderTest.allCases) func slowHeadersGet408(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, options: { $0.requestHeadersTimeout = .seconds(2) }) { app in
            app.get("/") { try await $0.response.write("ok") }
        }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHo")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.headers["connection"] == "close")
        #expect(try client.isClosedByServer())
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.withTwoLoops) func idleKeepAliveConnectionsAreClosedSilently(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, options: { $0.keepAliveTimeout = .seconds(2) }) { app in
            app.get("/") { try await $0.response.write("ok") }
        }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "ok")
        let silent = try TestClient(port: server.port)
        #expect(try client.readToEnd().isEmpty, "closed with no response")
        #expect(try silent.readToEnd().isEmpty, "a connection that never sends is closed too")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aTooSlowBodyGets408(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, options: {
            $0.minRequestBodyDataRate = MinDataRate(bytesPerSecond: 1000, gracePeriod: .seconds(2))
        }) { app in
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
        }
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nslow")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(try client.isClosedByServer())
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.withTwoLoops) func connectionsOverTheLimitAreClosedAtOnce(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, options: { $0.maxConcurrentConnections = 2 }) { app in
            app.get("/") { try await $0.response.write("ok") }
        }
        let first = try server.client()
        let second = try server.client()
        try first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try first.readResponse().text == "ok")
        try second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try second.readResponse().text == "ok")
        let third = try server.client()
        try? third.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try third.readToEnd().isEmpty, "no response: closed")
        await server.stop()
    }

    /// A response the client does not read: writes wait (bounded memory), and a client that
    /// never reads is disconnected by the minimum response rate.
    @Test(arguments: ServerUnderTest.allCases) func aClientThatDoesNotReadIsDisconnected(_ kind: ServerUnderTest) async throws {
        let aborted = Flag()
        let server = try await TestServer(kind, options: {
            $0.minResponseDataRate = MinDataRate(bytesPerSecond: 100_000, gracePeriod: .seconds(2))
        }) { app in
            app.get("/flood") { context in
                context.requestAborted.onAbort { aborted.set() }
                let chunk = [UInt8](repeating: 0x61, count: 1 << 20)
                do {
                    for _ in 0..<1000 { try await context.response.write(chunk) }
                } catch {
                    aborted.set()
                    throw error
                }
            }
        }
        let client = try server.client()
        var small: Int32 = 4096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        try client.send("GET /flood HTTP/1.1\r\nHost: a\r\n\r\n")
        let deadline = ContinuousClock.now + .seconds(20)
        while !aborted.isSet, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(aborted.isSet)
        await server.stop()
    }

    /// The Slowloris attack: many connections each trickling a header; the server keeps
    /// answering everyone else.
    @Test(arguments: ServerUnderTest.allCases) func slowlorisDoesNotStopTheServer(_ kind: ServerUnderTest) async throws {
        raiseDescriptorLimit(to: 16384)
        let server = try await TestServer(kind) { app in
            app.get("/") { try await $0.response.write("ok") }
        }
        var attackers: [TestClient] = []
        // Each attacker costs two descriptors (both ends in this process), and the other
        // server's case may run at the same time.
        let wanted = min(1000, (descriptorLimit() - 200) / 4)
        for _ in 0..<wanted {
            let attacker = try server.client()
            try attacker.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            attackers.append(attacker)
        }
        for round in 0..<3 {
            for attacker in attackers { try attacker.send("a") }
            #expect(try server.get("/").text == "ok", "round \(round)")
        }
        #expect(attackers.count == wanted)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aHandlerThatNeverReturnsOnlyHoldsItsOwnRequest(_ kind: ServerUnderTest) async throws {
        let entered = Flag()
        let server = try await TestServer(kind, options: { $0.shutdownTimeout = .milliseconds(100) }) { app in
            app.get("/hang") { _ in
                entered.set()
                await parkUntilCancelled()
            }
            app.get("/") { try await $0.response.write("ok") }
        }
        let hung = try server.client()
        try hung.send("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(await entered.wait(), "the handler that never returns is running")
        for _ in 0..<3 { #expect(try server.get("/").text == "ok") }
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aClientThatGoesAwayAbortsItsRequestAndLeaksNothing(_ kind: ServerUnderTest) async throws {
        let aborted = Flag()
        let cancelled = Flag()
        let server = try await TestServer(kind) { app in
            app.get("/wait") { context in
                context.requestAborted.onAbort { aborted.set() }
                await parkUntilCancelled()
                if Task.isCancelled { cancelled.set() }
            }
            app.get("/") { try await $0.response.write("ok") }
        }
        let clientPort: Int
        do {
            let client = try server.client()
            clientPort = client.localPort
            try client.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n")
            try await Task.sleep(for: .milliseconds(200))
            #expect(serverSideSocketIsOpen(serverPort: server.port, clientPort: clientPort), "the probe sees the open connection")
        }
        // Generous: in the full suite, builds and other servers load both CPUs.
        let deadline = ContinuousClock.now + .seconds(30)
        while !(aborted.isSet && cancelled.isSet), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(aborted.isSet)
        #expect(cancelled.isSet, "the handler's task was cancelled")
        // The server's end of this one connection (other tests open and close descriptors
        // all the while, so the process's count would say nothing).
        let serverSideIsOpen = { serverSideSocketIsOpen(serverPort: server.port, clientPort: clientPort) }
        let closeDeadline = ContinuousClock.now + .seconds(10)
        while serverSideIsOpen(), ContinuousClock.now < closeDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!serverSideIsOpen(), "the server closed its side")
        await server.stop()
    }
}

func descriptorLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

func raiseDescriptorLimit(to wanted: Int) {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

