import HostctlTestSupport
import Glibc
import Hostctl
import HostctlSystem
import Testing

/// Addresses, start-up errors and graceful shutdown.
@Suite struct LifecycleTests {
    @Test(arguments: ServerUnderTest.allCases) func portZeroIsReportedAsTheRealPort(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind) { app in app.get("/") { try await $0.response.write("ok") } }
        #expect(server.port > 0)
        #expect(server.app.urls == ["http://127.0.0.1:\(server.port)"])
        #expect(try server.get("/").text == "ok")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func localhostListensOnBothLoopbacks(_ kind: ServerUnderTest) async throws {
        let port = try freePort()
        let server = try await TestServer(kind, urls: "http://localhost:\(port)") { app in app.get("/") { try await $0.response.write("ok") } }
        #expect(server.app.urls == ["http://localhost:\(port)"])
        let v4 = try TestClient(port: Int(port), host: "127.0.0.1")
        try v4.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try v4.readResponse().text == "ok")
        if let v6 = try? TestClient(port: Int(port), host: "::1") {
            try v6.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try v6.readResponse().text == "ok")
        }
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func wildcardAndSeveralURLs(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, urls: "http://*:0;http://127.0.0.1:0") { app in app.get("/") { try await $0.response.write("ok") } }
        #expect(server.app.urls.count == 2)
        #expect(server.app.urls[0].hasPrefix("http://[::]:"))
        let wildcardPort = Int(server.app.urls[0].split(separator: ":").last!)!
        let client = try TestClient(port: wildcardPort)
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "ok", "[::] takes IPv4 connections too")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func unixDomainSockets(_ kind: ServerUnderTest) async throws {
        let path = "/tmp/hostctl-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let server = try await TestServer(kind, urls: "http://unix:\(path)") { app in
            app.get("/") { context in
                try await context.response.write("over \(context.connection.localEndpoint?.description ?? "?")")
            }
        }
        #expect(server.app.urls == ["http://unix:\(path)"])
        let client = try TestClient(unixPath: path)
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "over unix:\(path)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func startErrorsSayWhatIsWrong(_ kind: ServerUnderTest) async throws {
        let first = try await TestServer(kind) { app in app.get("/") { _ in } }
        #expect(await Self.startError(kind, urls: "http://127.0.0.1:\(first.port)") == "Failed to bind to address http://127.0.0.1:\(first.port): address already in use.")
        #expect(await Self.startError(kind, urls: "ftp://127.0.0.1:21") == "Unrecognized scheme in server address 'ftp://127.0.0.1:21'. Only 'http://' and 'https://' are supported.")
        let dynamicLocalhost = await Self.startError(kind, urls: "http://localhost:0")
        #expect(dynamicLocalhost?.hasPrefix("Dynamic port binding is not supported when binding to localhost.") == true, "\(dynamicLocalhost ?? "it started")")
        await first.stop()
    }

    /// What starting a server on `urls` throws (a `ServerStartError`'s message), or nil when
    /// it started (it is stopped again).
    static func startError(_ kind: ServerUnderTest, urls: String) async -> String? {
        do {
            let server = try await TestServer(kind, urls: urls) { _ in }
            await server.stop()
            return nil
        } catch {
            return error is ServerStartError ? "\(error)" : "not a ServerStartError: \(error)"
        }
    }

    /// A start that fails on a later address lets go of those it had bound already, though
    /// its loops never ran (an io_uring listener's accept was queued but never submitted).
    @Test(arguments: ServerUnderTest.withTwoLoops) func aFailedStartLetsGoOfTheAddressesItBound(_ kind: ServerUnderTest) async throws {
        let busy = try await TestServer(kind) { app in app.get("/") { _ in } }
        let free = try freePort()
        await #expect(throws: ServerStartError.self) {
            _ = try await TestServer(kind, urls: "http://127.0.0.1:\(free);http://127.0.0.1:\(busy.port)") { _ in }
        }
        #expect(throws: (any Error).self, "nothing listens on \(free) any more") { try TestClient(port: Int(free)) }
        await busy.stop()
    }

    /// Stop: no new connections, idle ones closed, the request in flight finishes with
    /// `Connection: close`, then the server is gone.
    @Test(arguments: ServerUnderTest.withTwoLoops) func gracefulShutdown(_ kind: ServerUnderTest) async throws {
        let started = Flag()
        let stopCalled = Flag()
        let server = try await TestServer(kind, options: { $0.shutdownTimeout = .seconds(10) }) { app in
            app.get("/slow") { context in
                started.set()
                // Answer only once the stop has begun (the test's threads may be slow to start it).
                while !stopCalled.isSet { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(300))
                try await context.response.write("finished")
            }
            app.get("/") { try await $0.response.write("ok") }
        }
        let idle = try server.client()
        try idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = try idle.readResponse()
        let busy = try server.client()
        // Generous: under the sanitizers the task that starts the stop can wait a long time
        // for one of Swift's cooperative threads, which other tests' blocking reads hold.
        busy.timeout = 120
        idle.timeout = 120
        try busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        while !started.isSet { try await Task.sleep(for: .milliseconds(5)) }
        let stopping = Task {
            stopCalled.set()
            await server.stop()
        }
        let response = try await offThePool { try busy.readResponse() }
        #expect(response.text == "finished")
        #expect(response.headers["connection"] == "close")
        #expect(try await offThePool { try busy.isClosedByServer() })
        #expect(try await offThePool { try idle.isClosedByServer() })
        await stopping.value
        #expect(throws: (any Error).self) { try TestClient(port: server.port) }
    }

    @Test(arguments: ServerUnderTest.withTwoLoops) func requestsInFlightPastTheTimeoutAreAborted(_ kind: ServerUnderTest) async throws {
        let entered = Flag()
        let aborted = Flag()
        let server = try await TestServer(kind, options: { $0.shutdownTimeout = .milliseconds(300) }) { app in
            app.get("/hang") { context in
                context.requestAborted.onAbort { aborted.set() }
                entered.set()
                await parkUntilCancelled()
            }
        }
        let client = try server.client()
        try client.send("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(await entered.wait(), "the request is in the app when the stop begins")
        await server.stop()
        #expect(aborted.isSet, "the request past the timeout was aborted")
        #expect(try await offThePool { try client.readToEnd() }.isEmpty, "and got no response")
    }
}

func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    let bound = SocketAddress.ipv4Loopback.withSockAddr { bind(fd, $0, $1) }
    guard bound == 0 else { throw TestFailure("bind failed") }
    var storage = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: storage.sin_port)
}
