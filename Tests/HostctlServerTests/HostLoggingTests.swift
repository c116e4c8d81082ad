import Glibc
import HostctlTestSupport
import Hostctl
import HostctlSystem
import Testing

/// What the host logs while serving, on both servers: the error an app throws (once, with
/// the request), the request log, configuration that sets the server, and a reload.
@Suite struct HostLoggingTests {
    struct Boom: Error, CustomStringConvertible { var description: String { "the handler broke" } }

    static func server(
        _ kind: ServerUnderTest, _ sink: any LogSink, environment: String = "Production", urls: String = "http://127.0.0.1:0",
        arguments: [String] = [], contentRoot: String? = nil
    ) async throws -> TestServer {
        try await TestServer(kind, environment: environment, urls: urls, arguments: arguments, contentRoot: contentRoot, prepare: { builder in
            builder.logging.clearSinks()
            builder.logging.addSink(sink)
            builder.logging.minimumLevel = .debug
        }) { app in
            app.useHttpLogging()
            app.get("/throw") { _ in throw Boom() }
            app.get("/late") { context in
                try await context.response.write("partial")
                try await context.response.flush()
                throw Boom()
            }
            app.get("/hello") { try await $0.response.write("Hello!") }
        }
    }

    static func errors(_ sink: MemoryLogSink) -> [LogEntry] { sink.entries.filter { $0.level >= .error } }

    @Test(arguments: ServerUnderTest.allCases, ["Production", "Development"])
    func anErrorTheAppThrowsIsLoggedOnceWithItsRequest(_ kind: ServerUnderTest, environment: String) async throws {
        let sink = MemoryLogSink()
        let server = try await Self.server(kind, sink, environment: environment)
        let response = try server.get("/throw")
        #expect(response.status == 500)
        #expect(response.text.contains("the handler broke") == (environment == "Development"), "the developer page, in Development only")
        let entry = try #require(sink.waitForEntry { $0.level == .error })
        #expect(entry.category == (kind.isIOUring ? "Microsoft.AspNetCore.Server.HttpSys" : "Microsoft.AspNetCore.Server.Kestrel"))
        #expect(entry.eventID.id == 13)
        #expect(entry.message.hasPrefix("Connection id \""))
        #expect(entry.message.hasSuffix(":00000001\": An unhandled error was thrown by the application (GET /throw)."), "\(entry.message)")
        #expect(entry.error == "HostctlServerTests.HostLoggingTests.Boom: the handler broke")

        let client = try server.client()
        try client.send("GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try? client.readToEnd()
        #expect(sink.waitForEntry { $0.level == .error && $0.message.contains("(GET /late)") } != nil, "after the response started, too")
        await server.stop()
        #expect(Self.errors(sink).count == 2, "each error once: \(Self.errors(sink).map(\.message))")
    }

    /// The server core's own events, in Kestrel's categories and ids, at Debug: a connection
    /// accepted, a response kept alive, a bad request (with Kestrel's message), the connection
    /// disconnecting and stopped.
    @Test(arguments: ServerUnderTest.allCases) func theServerLogsKestrelsConnectionEvents(_ kind: ServerUnderTest) async throws {
        let sink = MemoryLogSink()
        let server = try await Self.server(kind, sink)
        let client = try server.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n")
        #expect(try client.readResponse().status == 400)
        #expect(try client.isClosedByServer())
        let connections = "Microsoft.AspNetCore.Server.Kestrel.Connections"
        let accepted = try #require(sink.waitForEntry { $0.category == connections && $0.eventID.id == 39 })
        #expect(accepted.level == .debug && accepted.message.hasPrefix("Connection id \"") && accepted.message.hasSuffix("\" accepted."))
        let id = accepted.message.split(separator: "\"")[1]
        #expect(sink.waitForEntry { $0.category == connections && $0.eventID.id == 9 && $0.message.contains(id) } != nil, "kept alive")
        let bad = try #require(sink.waitForEntry { $0.category == "Microsoft.AspNetCore.Server.Kestrel.BadRequests" && $0.eventID.id == 17 })
        #expect(bad.message == "Connection id \"\(id)\" bad request data: \"Invalid request header.\"", "\(bad.message)")
        #expect(sink.waitForEntry { $0.category == connections && $0.eventID.id == 10 && $0.message.contains(id) } != nil, "disconnecting")
        #expect(sink.waitForEntry { $0.category == connections && $0.eventID.id == 2 && $0.message.contains(id) } != nil, "stopped")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func oneRequestLogLinePerRequest(_ kind: ServerUnderTest) async throws {
        let sink = MemoryLogSink()
        let server = try await Self.server(kind, sink)
        let client = try server.client()
        try client.send("GET /hello?x=1 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "Hello!")
        #expect(try client.readResponse(head: true).status == 404)
        let lines = [
            sink.waitForEntry { $0.message.hasPrefix("GET /hello?x=1 HTTP/1.1 200 6 ") },
            sink.waitForEntry { $0.message.hasPrefix("HEAD /nowhere HTTP/1.1 404 0 ") },
        ]
        #expect(lines.allSatisfy { $0?.category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" })
        await server.stop()
    }

    /// The line is written once the server has answered: a thrown error is logged with the
    /// 500 it became. With a sink that shows scopes, the line carries the request's scopes.
    @Test(arguments: ServerUnderTest.allCases, [false, true])
    func theRequestLogHasTheStatusSentAndTheRequestsScopes(_ kind: ServerUnderTest, scopes: Bool) async throws {
        let sink = MemoryLogSink(includesScopes: scopes)
        let server = try await Self.server(kind, sink)
        #expect(try server.get("/throw").status == 500)
        let line = try #require(sink.waitForEntry { $0.message.hasPrefix("GET /throw HTTP/1.1 500 0 ") })
        #expect(line.scopes.contains { $0.hasPrefix("RequestPath:/throw RequestId:") } == scopes, "\(line.scopes)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func kestrelEndpointsReplaceTheURLsWithAWarning(_ kind: ServerUnderTest) async throws {
        let sink = MemoryLogSink()
        // The `urls` setting's port 9 is never tried: the endpoint's URL replaces it.
        let server = try await Self.server(kind, sink, urls: "http://127.0.0.1:9", arguments: ["--Kestrel:Endpoints:Local:Url=http://127.0.0.1:0"])
        #expect(server.port != 9 && server.port != 0)
        #expect(try server.get("/hello").text == "Hello!")
        let warning = sink.entries.first { $0.level == .warning }
        #expect(warning?.message == "Overriding address(es) 'http://127.0.0.1:9'. Binding to endpoints defined via IConfiguration and/or UseKestrel() instead.")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func kestrelLimitsFromConfigurationApply(_ kind: ServerUnderTest) async throws {
        let sink = MemoryLogSink()
        let server = try await Self.server(kind, sink, arguments: ["--Kestrel:Limits:MaxRequestLineSize=64"])
        #expect(try server.get("/hello").status == 200)
        #expect(try server.get("/hello?" + String(repeating: "a", count: 100)).status == 414)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func anHTTPSEndpointIsRefusedUntilTLSArrives(_ kind: ServerUnderTest) async throws {
        let sink = MemoryLogSink()
        await #expect(throws: ServerStartError.self) {
            _ = try await Self.server(kind, sink, arguments: ["--Kestrel:Endpoints:Secure:Url=https://127.0.0.1:0"])
        }
    }

    /// A settings file changed while the app runs: the new log levels apply at once.
    @Test(arguments: ServerUnderTest.allCases) func reloadedLogLevelsApplyToTheRunningApp(_ kind: ServerUnderTest) async throws {
        let folder = try TemporaryFolder("reload-server")
        let quiet = #"{"Logging": {"LogLevel": {"Microsoft.AspNetCore": "Warning"}}}"#
        try folder.write("appsettings.json", quiet)
        let sink = MemoryLogSink()
        let server = try await Self.server(kind, sink, contentRoot: folder.path)
        let reloaded = TestSignal()
        server.app.configuration.onChange { _ in reloaded.fire() }
        #expect(try server.get("/hello").status == 200)
        #expect(!sink.entries.contains { $0.category.hasPrefix("Microsoft.AspNetCore.HttpLogging") })

        try folder.write("appsettings.json", #"{"Logging": {"LogLevel": {"Microsoft.AspNetCore": "Information"}}}"#)
        #expect(reloaded.wait(forCount: 1))
        #expect(try server.get("/hello?after").status == 200)
        #expect(sink.waitForEntry { $0.message.hasPrefix("GET /hello?after ") } != nil)
        await server.stop()
    }
}
