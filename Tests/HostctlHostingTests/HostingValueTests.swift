import HostctlCore
@testable import HostctlHosting
import HostctlSystem
import Testing

@Suite struct HostingValueTests {
    @Test func configurationPrecedence() {
        let environment = ProcessEnvironment([
            ("HOSTCTL_URLS", "http://a:1"), ("ASPNETCORE_URLS", "http://b:2"),
            ("ASPNETCORE_ENVIRONMENT", "Staging"), ("DOTNET_ENVIRONMENT", "Other"),
        ])
        let fromEnvironment = HostingConfiguration(arguments: [], environment: environment)
        #expect(fromEnvironment.urls == "http://a:1")
        #expect(fromEnvironment.environmentName == "Staging")
        #expect(fromEnvironment.serverName == "eventloop")
        let fromArguments = HostingConfiguration(arguments: ["--urls", "http://c:3", "--environment=Development", "--server", "IOURING"], environment: environment)
        #expect(fromArguments.urls == "http://c:3")
        #expect(fromArguments.environmentName == "Development")
        #expect(fromArguments.serverName == "iouring")
        let defaults = HostingConfiguration(arguments: [], environment: ProcessEnvironment())
        #expect(defaults.urls == "http://localhost:5000")
        #expect(defaults.environmentName == "Production")
        let aspnetOnly = HostingConfiguration(arguments: [], environment: ProcessEnvironment([("ASPNETCORE_URLS", "http://b:2"), ("HOSTCTL_URLS", "")]))
        #expect(aspnetOnly.urls == "http://b:2", "an empty variable counts as unset")
    }

    @Test func listenURLs() throws {
        let localhost = try ListenURL("http://localhost:5000")
        #expect(localhost.socketAddresses == [.ipv4(address: 0x7F00_0001, port: 5000), .ipv6(high: 0, low: 1, port: 5000, scopeID: 0)])
        #expect(localhost.display(boundPort: 5000) == "http://localhost:5000")
        #expect(try ListenURL("http://*:80").socketAddresses == [SocketAddress.ipv6Any.with(port: 80)])
        #expect(try ListenURL("http://+:80").host == .any)
        #expect(try ListenURL("http://example.com:80").host == .any, "a host name binds every address, as in Kestrel")
        #expect(try ListenURL("http://0.0.0.0:0").socketAddresses == [.ipv4(address: 0, port: 0)])
        #expect(try ListenURL("http://[::1]:8080/").display(boundPort: 8080) == "http://[::1]:8080")
        #expect(try ListenURL("http://127.0.0.1").port == 80)
        #expect(try ListenURL("http://unix:/run/app.sock").host == .unixSocket("/run/app.sock"))
        #expect(try ListenURL.parseList(" http://a:1 ; http://b:2;").map(\.original) == ["http://a:1", "http://b:2"])
        for (bad, message) in [
            ("ftp://x:1", "Unrecognized scheme in server address 'ftp://x:1'. Only 'http://' and 'https://' are supported."),
            ("localhost:5000", "Unrecognized scheme in server address 'localhost:5000'. Only 'http://' and 'https://' are supported."),
            ("http://localhost:0", "Dynamic port binding is not supported when binding to localhost. You must either bind to 127.0.0.1:0 or [::1]:0, or both."),
            ("http://x:99999", "Invalid port in server address 'http://x:99999'."),
            ("http://unix:relative.sock", "Unix socket path must be absolute: 'http://unix:relative.sock'."),
        ] {
            #expect(throws: ServerStartError.self) { try ListenURL(bad) }
            do { _ = try ListenURL(bad) } catch { #expect(error.message == message) }
        }
        #expect(throws: ServerStartError.self) { try ListenURL("http://x:1/base") }
    }

    @Test func queryParameters() {
        let query = QueryParameters("?a=1&b=x%20y+z&a=2&flag&=empty&c=%ZZ")
        #expect(query["a"] == "1")
        #expect(query.values(for: "a") == ["1", "2"])
        #expect(query["b"] == "x y z")
        #expect(query["flag"] == "")
        #expect(query[""] == "empty")
        #expect(query["c"] == "%ZZ", "a bad escape stays as written")
        #expect(QueryParameters("").pairs.isEmpty)
    }

    @Test func requestHeadersFromFields() {
        var headers = RequestHeaders(HTTPFields([("Host", "a"), ("Accept", "text/html, application/json;q=0.9"), ("X", "1"), ("x", "2")]))
        #expect(headers["host"] == "a")
        #expect(headers.values(for: "X") == ["1", "2"])
        #expect(headers.contains("Accept", token: "application/json"))
        #expect(!headers.contains("Accept", token: "text/plain"))
        headers["X"] = "3"
        #expect(headers.values(for: "x") == ["3"])
        headers.remove("Host")
        #expect(!headers.contains("Host"))
        #expect(headers.count == 2)
    }

    @Test func featuresAnswerFromTheContext() {
        let context = HTTPContext(connection: ConnectionInfo(id: "conn", local: nil, remote: .ipv4(address: 0x7F00_0001, port: 4000)))
        #expect(context.features[HTTPRequestFeature.self] === context.request)
        #expect(context.features[HTTPResponseFeature.self] === context.response)
        #expect(context.features[HTTPConnectionFeature.self]?.id == "conn")
        #expect(context.features[HTTPRequestLifetimeFeature.self] === context)
        context.maxRequestBodySize = 5
        #expect(context.features[HTTPMaxRequestBodySizeFeature.self]?.maxRequestBodySize == 5)
        #expect(context.connection.remoteAddress == "127.0.0.1")
        #expect(context.connection.remotePort == 4000)
        final class Custom { let value = 7 }
        context.setFeature(Custom.self, Custom())
        #expect(context.features[Custom.self]?.value == 7)
    }

    @Test func abortSignalFiresOnce() {
        let signal = AbortSignal()
        var count = 0
        signal.onAbort { count += 1 }
        signal.fire()
        signal.fire()
        signal.onAbort { count += 10 }
        #expect(count == 11)
        #expect(signal.isAborted)
    }

    @Test func traceIdentifiersAndConnectionIDs() {
        let context = HTTPContext(connection: ConnectionInfo(id: ConnectionID.format(0x1234), local: nil, remote: nil))
        context.prepare(requestNumber: 0x2A, maxRequestBodySize: nil)
        #expect(context.connection.id == "00000000004HK")
        #expect(context.traceIdentifier == "00000000004HK:0000002A")
    }
}
