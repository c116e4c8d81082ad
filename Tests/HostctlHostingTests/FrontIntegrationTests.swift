import Hostctl
import HostctlCore
@testable import HostctlHosting
import HostctlSystem
import Testing

/// The app side of proxied hosting, without a server: reading the front's variables, the
/// forwarded-header parsing, path base matching, and the middleware over in-memory requests.
@Suite struct FrontIntegrationTests {
    // MARK: X-Forwarded-For

    @Test func forwardedForTakesTheRightmostEntry() {
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "203.0.113.7:5123") == .ipv4(address: 0xCB00_7107, port: 5123))
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "[::1]:5000") == .ipv6(high: 0, low: 1, port: 5000, scopeID: 0))
        #expect(
            ForwardedHeaders.remoteEndpoint(forwardedFor: "[2001:db8::7]:443")
                == .ipv6(high: 0x2001_0DB8_0000_0000, low: 7, port: 443, scopeID: 0)
        )
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "10.0.0.1:1, 192.0.2.1:2") == .ipv4(address: 0xC000_0201, port: 2))
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "  10.0.0.1:1 ,\t 192.0.2.1:2 \t") == .ipv4(address: 0xC000_0201, port: 2))
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "garbage, [::1]:80") == .ipv6(high: 0, low: 1, port: 80, scopeID: 0),
                "what clients put to the left is not read at all")
    }

    @Test func forwardedForWithoutAPortMeansPortZero() {
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "192.0.2.1") == .ipv4(address: 0xC000_0201, port: 0))
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "::1") == .ipv6(high: 0, low: 1, port: 0, scopeID: 0))
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "[::1]") == .ipv6(high: 0, low: 1, port: 0, scopeID: 0))
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: "192.0.2.1:0") == .ipv4(address: 0xC000_0201, port: 0))
    }

    @Test(arguments: [
        "", " ", ",", "192.0.2.1, ", "unknown", "_hidden", "example.com:80", "192.0.2.1:", "192.0.2.1:99999", "192.0.2.1:123456",
        "192.0.2.1:12a", "192.0.2.1:-1", "300.1.1.1:80", "1.2.3:80", "192.0.2.1:80:90", "[::1", "[::1]5000", "[::1]:", "[::1]:x",
        "[192.0.2.1]:80", "fe80::1%eth0", "[fe80::1%eth0]:80", "::1:80:zz", String(repeating: "1", count: 200),
        "192.0.2.1\u{0}:80", "\u{FF}\u{FE}",
    ])
    func malformedForwardedForIsIgnored(_ value: String) {
        #expect(ForwardedHeaders.remoteEndpoint(forwardedFor: value) == nil)
    }

    // MARK: X-Forwarded-Proto and X-Forwarded-Host

    @Test func forwardedProto() {
        #expect(ForwardedHeaders.scheme(forwardedProto: "https") == "https")
        #expect(ForwardedHeaders.scheme(forwardedProto: "http, https") == "https")
        #expect(ForwardedHeaders.scheme(forwardedProto: "https,http") == "http")
        #expect(ForwardedHeaders.scheme(forwardedProto: " HTTPS ") == "HTTPS")
        #expect(ForwardedHeaders.scheme(forwardedProto: "coap+tcp") == "coap+tcp")
        for bad in ["", "https, ", "ht tp", "1http", "https:", "http/1.1", "-x", "\u{e9}"] {
            #expect(ForwardedHeaders.scheme(forwardedProto: bad) == nil, "\(bad)")
        }
    }

    @Test func forwardedHost() {
        #expect(ForwardedHeaders.host(forwardedHost: "example.com") == "example.com")
        #expect(ForwardedHeaders.host(forwardedHost: "example.com:8443") == "example.com:8443")
        #expect(ForwardedHeaders.host(forwardedHost: "[::1]:8080") == "[::1]:8080")
        #expect(ForwardedHeaders.host(forwardedHost: "[2001:db8::1]") == "[2001:db8::1]")
        #expect(ForwardedHeaders.host(forwardedHost: "a.example, b.example") == "b.example")
        #expect(ForwardedHeaders.host(forwardedHost: "192.0.2.1:80") == "192.0.2.1:80")
        for bad in ["", "a.example, ", "bad host", "evil.example/path", "user@evil.example", "[zz]", "[]", "[::1", ":80", "host:80x",
                    "[::1]x", "host:80:90", "h\u{e9}te", "a\"b"] {
            #expect(ForwardedHeaders.host(forwardedHost: bad) == nil, "\(bad)")
        }
    }

    // MARK: Path base

    @Test func pathBaseMatchesWholeSegmentsInAnyCase() {
        #expect(PathBaseMatching.remainder(of: "/app", under: "/app") == "")
        #expect(PathBaseMatching.remainder(of: "/app/", under: "/app") == "/")
        #expect(PathBaseMatching.remainder(of: "/app/items/1", under: "/app") == "/items/1")
        #expect(PathBaseMatching.remainder(of: "/APP/Items", under: "/app") == "/Items")
        #expect(PathBaseMatching.remainder(of: "/a/b/c", under: "/a/b") == "/c")
        #expect(PathBaseMatching.remainder(of: "/apple", under: "/app") == nil)
        #expect(PathBaseMatching.remainder(of: "/ap", under: "/app") == nil)
        #expect(PathBaseMatching.remainder(of: "/", under: "/app") == nil)
        #expect(PathBaseMatching.remainder(of: "/other/app", under: "/app") == nil)
        #expect(PathBaseMatching.remainder(of: "/app/caf\u{e9}", under: "/app") == "/caf\u{e9}")
    }

    // MARK: Configuration

    static func environment(_ pairs: [(String, String)]) -> ProcessEnvironment { ProcessEnvironment(pairs) }

    @Test func inactiveUnlessBothPortAndTokenAreSet() throws {
        for pairs in [
            [], [("HOSTCTL_PORT", "5000")], [("HOSTCTL_TOKEN", "t")], [("HOSTCTL_PORT", ""), ("HOSTCTL_TOKEN", "t")],
            [("HOSTCTL_PORT", "5000"), ("HOSTCTL_TOKEN", "")], [("HOSTCTL_PATHBASE", "/app"), ("HOSTCTL_READY_FD", "3")],
            [("HOSTCTL_PORT", "banana")],
        ] {
            #expect(try FrontIntegrationConfiguration.read(from: Self.environment(pairs)) == nil, "\(pairs)")
        }
        let bare = HostingConfiguration(arguments: [], environment: Self.environment([("HOSTCTL_URLS", "http://127.0.0.1:0")]))
        #expect(try bare.frontIntegration.get() == nil)
    }

    @Test func readsTheFrontsVariables() throws {
        let front = try #require(try FrontIntegrationConfiguration.read(from: Self.environment([
            ("HOSTCTL_PORT", "0"), ("HOSTCTL_TOKEN", "s3cret"), ("HOSTCTL_PATHBASE", "/app/"), ("HOSTCTL_READY_FD", "7"),
            ("HOSTCTL_LIFELINE_FD", "8"),
        ])))
        #expect(front == FrontIntegrationConfiguration(port: 0, token: "s3cret", pathBase: "/app", readyDescriptor: 7, lifelineDescriptor: 8))
        #expect(front.listenURL == "http://127.0.0.1:0")
        let plain = try #require(try FrontIntegrationConfiguration.read(from: Self.environment([("HOSTCTL_PORT", "65535"), ("HOSTCTL_TOKEN", "t")])))
        #expect(plain.port == 65535 && plain.pathBase == "" && plain.readyDescriptor == nil && plain.lifelineDescriptor == nil)
        // The standard streams are never the front's descriptors.
        for fd in ["", "x", "-1", "0", "2", "3.0", "99999999999"] {
            let front = try FrontIntegrationConfiguration.read(from: Self.environment([
                ("HOSTCTL_PORT", "1"), ("HOSTCTL_TOKEN", "t"), ("HOSTCTL_READY_FD", fd), ("HOSTCTL_LIFELINE_FD", fd),
            ]))
            #expect(front?.readyDescriptor == nil && front?.lifelineDescriptor == nil, "a descriptor that is no descriptor is ignored: '\(fd)'")
        }
    }

    @Test func pathBaseIsNormalized() {
        for (given, expected) in [("", ""), ("/", ""), ("//", ""), ("/app", "/app"), ("/app/", "/app"), ("app", "/app"), ("/a//b/", "/a/b")] {
            #expect(FrontIntegrationConfiguration(port: 1, token: "t", pathBase: given).pathBase == expected, "\(given)")
        }
    }

    @Test(arguments: ["banana", "-1", "65536", "99999999999999999999", " 80", "80 ", "+80", "0x50", "8o"])
    func aBadPortIsAStartupErrorNamingTheVariable(_ port: String) {
        let environment = Self.environment([("HOSTCTL_PORT", port), ("HOSTCTL_TOKEN", "s3cret")])
        #expect(throws: FrontIntegrationError.invalidPort(port)) { try FrontIntegrationConfiguration.read(from: environment) }
        let configuration = HostingConfiguration(arguments: [], environment: environment)
        #expect(throws: FrontIntegrationError.self) { try configuration.frontIntegration.get() }
        #expect(FrontIntegrationError.invalidPort(port).description == "HOSTCTL_PORT must be a port number from 0 to 65535, but is '\(port)'.")
    }

    @Test func describingTheConfigurationNeverShowsTheToken() {
        let front = FrontIntegrationConfiguration(port: 5, token: "s3cret-token", pathBase: "/app", readyDescriptor: 3)
        #expect(!"\(front)".contains("s3cret"))
        #expect(!String(reflecting: front).contains("s3cret"))
        var dumped = ""
        dump(front, to: &dumped)
        #expect(!dumped.contains("s3cret"))
        #expect("\(front)".contains("port: 5"))
    }

    // MARK: The middleware, in memory

    /// An app behind the middleware whose one route reports what it saw.
    static func app(pathBase: String = "", calls: Calls = Calls()) -> ApplicationBuilder {
        let app = ApplicationBuilder()
        app.use(FrontIntegrationMiddleware(FrontIntegrationConfiguration(port: 0, token: "s3cret", pathBase: pathBase)).handle)
        let handler: RequestHandler = { context in
            calls.count += 1
            let request = context.request
            let originals = context.features[ForwardedHeadersFeature.self]
            try await context.response.write([
                request.scheme, request.host, request.pathBase, request.path,
                context.connection.remoteEndpoint?.description ?? "-",
                originals?.originalScheme ?? "-", originals?.originalHost ?? "-",
                request.headers[FrontContract.tokenHeader] ?? "hidden", "\(request.headers.count)",
            ].joined(separator: "|"))
        }
        app.get("/{*rest}", handler)
        app.get("/", handler)
        return app
    }

    final class Calls: @unchecked Sendable { var count = 0 }

    @Test func requestsWithoutTheTokenGet400AndReachNothing() async throws {
        let calls = Calls()
        let app = Self.app(calls: calls)
        for headers in [
            [], [("X-Hostctl-Token", "wrong!")], [("x-hostctl-token", "s3cre")], [("x-hostctl-token", "s3cret ")],
            [("x-hostctl-token", "S3CRET")], [("x-hostctl-token", "")],
            [("x-hostctl-token", "s3cret"), ("x-hostctl-token", "s3cret")], [("x-hostctl-token", "wrong!"), ("x-hostctl-token", "s3cret")],
        ] {
            let response = try await app.respond(to: .get, "/anything", headers: headers)
            #expect(response.status == 400, "\(headers)")
            #expect(response.body.isEmpty)
            #expect(response.headers["Cache-Control"] == "no-store")
        }
        #expect(calls.count == 0)
    }

    @Test func theRightTokenPassesAndIsHiddenFromTheApp() async throws {
        let response = try await Self.app().respond(to: .get, "/x", headers: [("X-Hostctl-Token", "s3cret"), ("Accept", "*/*")])
        #expect(response.status == 200)
        #expect(response.text == "http|localhost||/x|-|http|localhost|hidden|2", "Host and Accept are left")
    }

    @Test func forwardedValuesAndPathBaseAreApplied() async throws {
        let response = try await Self.app(pathBase: "/app").respond(to: .get, "/APP/items", headers: [
            ("x-hostctl-token", "s3cret"), ("Host", "inside:5000"),
            ("X-Forwarded-For", "203.0.113.7:1, [2001:db8::5]:4444"), ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "example.com:8443"),
        ])
        #expect(response.text == "https|example.com:8443|/app|/items|[2001:db8::5]:4444|http|inside:5000|hidden|4")
    }

    @Test func malformedForwardedValuesLeaveTheRequestAsItWas() async throws {
        let response = try await Self.app(pathBase: "/app").respond(to: .get, "/apple", headers: [
            ("x-hostctl-token", "s3cret"), ("X-Forwarded-For", "192.0.2.1:99999"), ("X-Forwarded-Proto", "ht tp"),
            ("X-Forwarded-Host", "a b"),
        ])
        #expect(response.text == "http|localhost||/apple|-|http|localhost|hidden|4")
    }

    @Test func theLastForwardedForFieldWins() async throws {
        let response = try await Self.app().respond(to: .get, "/", headers: [
            ("x-hostctl-token", "s3cret"), ("X-Forwarded-For", "192.0.2.1:1"), ("X-Forwarded-For", "192.0.2.2:2, 192.0.2.3:3"),
        ])
        #expect(response.text.split(separator: "|", omittingEmptySubsequences: false)[4] == "192.0.2.3:3")
    }

    /// A head in a buffer, as the server core hands it over.
    final class BufferedHead: RequestHeadSource {
        let fields: [(String, String)]
        init(_ fields: [(String, String)]) { self.fields = fields }
        func withRawTarget<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        func withRawPath<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        func withRawQuery<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R { body(nil) }
        var headerCount: Int { fields.count }
        func withHeader<R>(at index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
            var name = fields[index].0, value = fields[index].1
            return name.withUTF8 { name in value.withUTF8 { value in body(UnsafeRawBufferPointer(name), UnsafeRawBufferPointer(value)) } }
        }
        func decodePath(_ raw: UnsafeRawBufferPointer) -> String { "/" }
    }

    @Test func aHiddenFieldIsGoneFromEveryView() {
        var headers = RequestHeaders(source: BufferedHead([("Host", "a"), ("X-Hostctl-Token", "s3cret"), ("Accept", "*/*"), ("x-hostctl-token", "2")]))
        headers.hideField(at: 1)
        #expect(headers.count == 3)
        #expect(headers["x-hostctl-token"] == "2", "only that field, not every field of its name")
        #expect(headers.values(for: "X-Hostctl-Token") == ["2"])
        #expect(headers.materialized.fields.map(\.value) == ["a", "*/*", "2"])
        #expect(!headers.contains { $0.value == "s3cret" })
        headers["Accept"] = "text/plain"
        #expect(headers.materialized.fields.map(\.value) == ["a", "text/plain", "2"], "still hidden once the app edits the headers")
        #expect(headers.count == 3)
    }

    @Test func constantTimeComparison() {
        func equal(_ a: String, _ b: String) -> Bool {
            Array(a.utf8).withUnsafeBytes { a in Array(b.utf8).withUnsafeBytes { b in FrontTokenCheck.constantTimeEquals(a, b) } }
        }
        #expect(equal("abc", "abc"))
        #expect(equal("", ""))
        #expect(!equal("abc", "abd"))
        #expect(!equal("abc", "ab"))
        #expect(!equal("xbc", "abc"))
    }
}
