import HostctlTestSupport
import Glibc
import Hostctl
import HostctlSystem
import Testing

/// The app side of proxied hosting over real sockets, on both servers: started the way the
/// front starts it (HOSTCTL_PORT=0, a token, HOSTCTL_READY_FD on a pipe), it reports its
/// port on the pipe, listens on 127.0.0.1 only, refuses requests without the token, and
/// hands the app the forwarded client, scheme, host and path base.
@Suite struct FrontIntegrationServerTests {
    static let token = "9f86d081884c7d659a2feaa0c55ad015"

    /// An app started as the front starts one; its port is read from the ready pipe.
    final class FrontApp: @unchecked Sendable {
        let app: WebApplication
        let port: Int

        init(_ kind: ServerUnderTest, pathBase: String = "", environmentName: String = "Production",
             arguments: [String] = [], variables: [(String, String)] = [],
             options: (inout ServerOptions) -> Void = { _ in }, configure: (WebApplication) -> Void) async throws {
            try kind.skipIfUnavailable()
            let ready = try Descriptor.pipe()
            defer { Descriptor.close(ready.read) }
            let builder = WebApplication.builder(
                arguments: ["test"] + arguments,
                environment: ProcessEnvironment([
                    ("HOSTCTL_SERVER", kind.serverName), ("HOSTCTL_ENVIRONMENT", environmentName),
                    ("HOSTCTL_PORT", "0"), ("HOSTCTL_TOKEN", FrontIntegrationServerTests.token), ("HOSTCTL_PATHBASE", pathBase),
                    ("HOSTCTL_READY_FD", "\(ready.write)"),
                ] + variables)
            )
            builder.serverOptions.eventLoopCount = kind.loopCount
            if kind.throughLayer { builder.serverOptions.connectionLayers = [PassThroughLayerFactory()] }
            options(&builder.serverOptions)
            app = builder.build()
            configure(app)
            do {
                try await app.start()
            } catch {
                // It closes the descriptor only once it listens.
                Descriptor.close(ready.write)
                throw error
            }
            let report = try Self.readAll(ready.read)
            guard report.hasSuffix("\n"), let port = Int(report.dropLast()), port > 0 else {
                throw TestFailure("the ready pipe said '\(report)'")
            }
            self.port = port
        }

        /// Everything written to `descriptor` until its writer closes it (bounded in time).
        static func readAll(_ descriptor: Int32) throws -> String {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64)
            while true {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 10_000) > 0 else { throw TestFailure("the ready pipe was never closed; have '\(bytes)'") }
                let count = read(descriptor, &chunk, chunk.count)
                if count <= 0 { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(contentsOf: chunk[0..<count])
            }
        }

        func client() throws -> TestClient { try TestClient(port: port) }

        /// One request on a new connection; `headers` are whole lines ending in CRLF.
        func get(_ target: String, headers: String = "", token: String? = FrontIntegrationServerTests.token) throws -> TestResponse {
            let client = try client()
            try client.send("GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(token.map { "X-Hostctl-Token: \($0)\r\n" } ?? "")\(headers)\r\n")
            return try client.readResponse()
        }

        func stop() async { await app.stop() }
    }

    /// A route that says what the app sees: scheme, host, path base, path, remote endpoint,
    /// the originals, whether the token header is visible, and the X-Forwarded-For it got.
    static func reportingRoutes(_ app: WebApplication, calls: Counter) {
        let report: RequestHandler = { context in
            calls.add(1)
            let request = context.request
            let originals = context.features[ForwardedHeadersFeature.self]
            let tokenVisible = request.headers.contains(FrontContract.tokenHeader)
                || request.headers.contains { $0.value.contains(FrontIntegrationServerTests.token) }
            try await context.response.write([
                request.scheme, request.host, request.pathBase, request.path,
                context.connection.remoteEndpoint?.description ?? "-",
                originals?.originalRemoteEndpoint?.description ?? "-", originals?.originalScheme ?? "-", originals?.originalHost ?? "-",
                tokenVisible ? "token visible" : "token hidden", request.headers["X-Forwarded-For"] ?? "-",
            ].joined(separator: "|"))
        }
        app.get("/", report)
        app.get("/{*rest}", report)
    }

    @Test(arguments: ServerUnderTest.allCases) func theReadyPipeGivesTheBoundPortAndOnlyLoopbackIsBound(_ kind: ServerUnderTest) async throws {
        let elsewhere = try freePort(), alsoElsewhere = try freePort()
        let calls = Counter()
        let server = try await FrontApp(
            kind, arguments: ["--urls", "http://127.0.0.1:\(alsoElsewhere)"],
            variables: [("HOSTCTL_URLS", "http://127.0.0.1:\(elsewhere)"), ("ASPNETCORE_URLS", "http://127.0.0.1:\(elsewhere)")]
        ) { Self.reportingRoutes($0, calls: calls) }
        #expect(server.app.urls == ["http://127.0.0.1:\(server.port)"], "the front's port, whatever --urls and HOSTCTL_URLS say")
        #expect(throws: SystemError.self) { try TestClient(port: Int(elsewhere)) }
        #expect(throws: SystemError.self) { try TestClient(port: Int(alsoElsewhere)) }
        #expect(try server.get("/").status == 200)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func requestsWithoutTheRightTokenGetAnEmpty400(_ kind: ServerUnderTest) async throws {
        let calls = Counter()
        let server = try await FrontApp(kind) { Self.reportingRoutes($0, calls: calls) }
        for token in [nil, "wrong", String(Self.token.dropLast()), Self.token.uppercased(), Self.token + "0"] {
            let response = try server.get("/secret", token: token)
            #expect(response.status == 400, "\(token ?? "no token")")
            #expect(response.headers["content-length"] == "0")
            #expect(response.body.isEmpty)
        }
        let doubled = try server.get("/secret", headers: "X-Hostctl-Token: \(Self.token)\r\n")
        #expect(doubled.status == 400, "two token fields are refused")
        #expect(calls.value == 0, "the app never saw them")

        // The connection stays usable: the front's requests follow on it.
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nx-hostctl-token: \(Self.token)\r\n\r\n")
        #expect(try client.readResponse().status == 400)
        #expect(try client.readResponse().status == 200)
        #expect(calls.value == 1)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func theAppSeesTheForwardedRequest(_ kind: ServerUnderTest) async throws {
        let calls = Counter()
        let server = try await FrontApp(kind, pathBase: "/app") { Self.reportingRoutes($0, calls: calls) }
        let client = try server.client()
        let front = "127.0.0.1:\(client.localPort)"
        try client.send(
            "GET /App/items?x=1 HTTP/1.1\r\nHost: inside:5000\r\nX-Hostctl-Token: \(Self.token)\r\n"
                + "X-Forwarded-For: 203.0.113.9:1111, [2001:db8::5]:4444\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: example.com:8443\r\n\r\n"
        )
        let forwarded = try client.readResponse()
        #expect(forwarded.status == 200)
        #expect(forwarded.text == "https|example.com:8443|/app|/items|[2001:db8::5]:4444|\(front)|http|inside:5000|token hidden|203.0.113.9:1111, [2001:db8::5]:4444")

        // The next request on the same connection, with nothing forwarded: the real peer again.
        try client.send("GET /elsewhere HTTP/1.1\r\nHost: inside:5000\r\nX-Hostctl-Token: \(Self.token)\r\n\r\n")
        #expect(try client.readResponse().text == "http|inside:5000||/elsewhere|\(front)|\(front)|http|inside:5000|token hidden|-")

        // Malformed values are ignored, and what the request had stays.
        try client.send(
            "GET /apple HTTP/1.1\r\nHost: inside:5000\r\nX-Hostctl-Token: \(Self.token)\r\n"
                + "X-Forwarded-For: 192.0.2.1:99999\r\nX-Forwarded-Proto: ht tp\r\nX-Forwarded-Host: a/b\r\n\r\n"
        )
        #expect(try client.readResponse().text == "http|inside:5000||/apple|\(front)|\(front)|http|inside:5000|token hidden|192.0.2.1:99999")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func theErrorPageNeverShowsTheToken(_ kind: ServerUnderTest) async throws {
        let server = try await FrontApp(kind, environmentName: "Development") { app in
            app.get("/throw") { _ in throw TestFailure("on purpose") }
        }
        let response = try server.get("/throw", headers: "X-Custom: kept\r\n")
        #expect(response.status == 500)
        #expect(response.text.contains("X-Custom: kept"), "the page lists the request's headers: \(response.text)")
        #expect(!response.text.contains(Self.token))
        #expect(!response.text.lowercased().contains("x-hostctl-token"))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func withoutTheVariablesNothingChanges(_ kind: ServerUnderTest) async throws {
        let calls = Counter()
        let server = try await TestServer(kind) { Self.reportingRoutes($0, calls: calls) }
        let client = try server.client()
        let peer = "127.0.0.1:\(client.localPort)"
        try client.send(
            "GET /app/x HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.9:1111\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: example.com\r\n\r\n"
        )
        let response = try client.readResponse()
        #expect(response.status == 200, "no token needed")
        #expect(response.text == "http|localhost||/app/x|\(peer)|-|-|-|token hidden|203.0.113.9:1111", "no forwarded value applied, no feature")
        await server.stop()
    }

    /// The token is checked before anything may answer, the io_uring server's response cache
    /// included: a cached page never reaches a request without the token, and reaches those
    /// with it without running the app again. Entries are kept apart by the forwarded scheme.
    @Test(arguments: ServerUnderTest.allCases) func theResponseCacheAnswersOnlyAfterTheTokenCheck(_ kind: ServerUnderTest) async throws {
        let calls = Counter()
        let server = try await FrontApp(kind, options: { $0.responseCache = ResponseCacheOptions() }) { app in
            app.get("/cacheable") { context in
                calls.add(1)
                context.response.headers["Cache-Control"] = "public, max-age=600"
                try await context.response.write("fresh \(context.request.scheme)")
            }
        }
        #expect(try server.get("/cacheable").text == "fresh http")
        #expect(try server.get("/cacheable").text == "fresh http")
        let tokenless = try server.get("/cacheable", token: nil)
        #expect(tokenless.status == 400 && tokenless.body.isEmpty)
        #expect(tokenless.headers["cache-control"] == "no-store")
        let secure = try server.get("/cacheable", headers: "X-Forwarded-Proto: https\r\n")
        #expect(secure.text == "fresh https", "a page made for http is not served to https")
        // The event-loop server has no response cache: every request runs the app.
        #expect(calls.value == (kind.isIOUring ? 2 : 3), "requests with the token ran the app once per scheme on io_uring")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aBadPortStopsTheStart(_ kind: ServerUnderTest) async throws {
        try kind.skipIfUnavailable()
        let builder = WebApplication.builder(
            arguments: ["test"],
            environment: ProcessEnvironment([("HOSTCTL_SERVER", kind.serverName), ("HOSTCTL_PORT", "70000"), ("HOSTCTL_TOKEN", "t")])
        )
        let app = builder.build()
        do {
            try await app.start()
            Issue.record("started on a bad port")
            await app.stop()
        } catch {
            #expect("\(error)" == "HOSTCTL_PORT must be a port number from 0 to 65535, but is '70000'.")
        }
    }

    @Test func aClosedReadyDescriptorIsIgnored() async throws {
        let ready = try Descriptor.pipe()
        Descriptor.close(ready.read)  // the reader is gone: the write fails with EPIPE, quietly
        let builder = WebApplication.builder(
            arguments: ["test"],
            environment: ProcessEnvironment([
                ("HOSTCTL_PORT", "0"), ("HOSTCTL_TOKEN", Self.token), ("HOSTCTL_READY_FD", "\(ready.write)"),
            ])
        )
        builder.serverOptions.eventLoopCount = 1
        let app = builder.build()
        app.get("/") { try await $0.response.write("still here") }
        try await app.start()
        let port = Int(app.urls.first?.split(separator: ":").last ?? "") ?? 0
        let client = try TestClient(port: port)
        try client.send("GET / HTTP/1.1\r\nHost: a\r\nx-hostctl-token: \(Self.token)\r\n\r\n")
        #expect(try client.readResponse().text == "still here")
        await app.stop()
    }
}
