import Hostctl
import HostctlTestSupport
import Testing

/// `useHttpsRedirection` and `useHsts` on a server with real http:// and https:// bindings.
@Suite struct HTTPSPolicyTests {
    static func start(
        _ kind: ServerUnderTest, files: CertificateFiles, urls: String = "http://127.0.0.1:0;https://127.0.0.1:0", variables: [(String, String)] = [],
        sink: MemoryLogSink = MemoryLogSink(), hsts: HstsOptions? = nil, redirection: HttpsRedirectionOptions? = HttpsRedirectionOptions()
    ) async throws -> TestServer {
        try await TestServer(kind, urls: urls, arguments: files.defaultCertificateArguments, variables: variables, prepare: {
            $0.logging.addSink(sink)
        }) { app in
            if let hsts { app.useHsts(hsts) }
            if let redirection { app.useHttpsRedirection(redirection) }
            app.get("/{*any}") { try await $0.response.write("served over \($0.request.scheme)") }
        }
    }

    static func ports(_ server: TestServer) throws -> (http: Int, https: Int) {
        func port(_ scheme: String) throws -> Int {
            let url = try #require(server.app.urls.first { $0.hasPrefix(scheme + "://") })
            return try #require(Int(url.split(separator: ":").last ?? ""))
        }
        return (try port("http"), try port("https"))
    }

    @Test(arguments: ServerUnderTest.allCases) func redirectsToTheSingleHTTPSBinding(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let server = try await Self.start(kind, files: files)
        let (http, https) = try Self.ports(server)
        let client = try TestClient(port: http)
        try client.send("GET /a%20b/c?x=1&y=%2F HTTP/1.1\r\nHost: localhost:\(http)\r\n\r\n")
        let redirected = try client.readResponse()
        #expect(redirected.status == 307)
        #expect(redirected.headers["location"] == "https://localhost:\(https)/a%20b/c?x=1&y=%2F")
        let secure = try TestClient(port: https)
        try secure.startTLS()
        try secure.send("GET /a HTTP/1.1\r\nHost: localhost:\(https)\r\n\r\n")
        #expect(try secure.readResponse().text == "served over https")
        await server.stop()
    }

    /// `HOSTCTL_HTTPS_PORT` (or `ASPNETCORE_HTTPS_PORT`) names the port: one a proxy in front
    /// listens on, say; 443 is left out of the URL.
    @Test(arguments: ServerUnderTest.allCases) func theConfiguredPortWins(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        func location(_ server: TestServer, host: String) throws -> String? {
            let client = try TestClient(port: try Self.ports(server).http)
            try client.send("GET /x HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return try client.readResponse().headers["location"]
        }
        let named = try await Self.start(kind, files: files, variables: [("HOSTCTL_HTTPS_PORT", "8443")])
        #expect(try location(named, host: "example.org:8080") == "https://example.org:8443/x")
        await named.stop()
        let standard = try await Self.start(kind, files: files, variables: [("ASPNETCORE_HTTPS_PORT", "443")])
        #expect(try location(standard, host: "[::1]:8080") == "https://[::1]/x")
        await standard.stop()
    }

    /// No https port anywhere: requests pass on, and the warning is logged once.
    @Test(arguments: ServerUnderTest.allCases) func withoutAnHTTPSPortRequestsPassOn(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        let sink = MemoryLogSink()
        let server = try await Self.start(kind, files: files, urls: "http://127.0.0.1:0", sink: sink)
        #expect(try server.get("/").text == "served over http")
        #expect(try server.get("/").text == "served over http")
        let warnings = sink.entries.filter { $0.category == ServerLogCategory.httpsRedirection }
        #expect(warnings.map(\.message) == ["Failed to determine the https port for redirect."])
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func hstsOnHTTPSOnlyAndNeverForLocalhost(_ kind: ServerUnderTest) async throws {
        let files = try CertificateFiles()
        var options = HstsOptions()
        options.includeSubDomains = true
        let server = try await Self.start(kind, files: files, hsts: options, redirection: nil)
        let (http, https) = try Self.ports(server)
        func get(_ port: Int, host: String, tls: Bool) throws -> TestResponse {
            let client = try TestClient(port: port)
            if tls { try client.startTLS() }
            try client.send("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return try client.readResponse()
        }
        #expect(try get(https, host: "example.org", tls: true).headers["strict-transport-security"] == "max-age=2592000; includeSubDomains")
        #expect(try get(https, host: "localhost:\(https)", tls: true).headers["strict-transport-security"] == nil)
        #expect(try get(https, host: "127.0.0.1", tls: true).headers["strict-transport-security"] == nil)
        #expect(try get(http, host: "example.org", tls: false).headers["strict-transport-security"] == nil, "never on plain HTTP")
        await server.stop()
    }
}
