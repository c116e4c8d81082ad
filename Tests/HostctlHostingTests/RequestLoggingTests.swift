import HostctlCore
@testable import HostctlHosting
import HostctlLogging
import Testing

/// The request log line and the unhandled-error line, in memory.
@Suite struct RequestLoggingTests {
    static func app(_ sink: MemoryLogSink, rules: [LogFilterRule] = []) -> ApplicationBuilder {
        let app = ApplicationBuilder()
        app.loggerFactory = LoggerFactory(sinks: [sink], rules: rules)
        app.useHttpLogging()
        app.get("/hello") { try await $0.response.write("Hello!") }
        app.get("/teapot") { _ in throw HTTPError(418) }
        app.get("/boom") { _ in throw Boom() }
        app.map("/api") { api in api.get("/items") { $0.response.status = 204 } }
        return app
    }

    @Test func oneLinePerRequest() async throws {
        let sink = MemoryLogSink()
        let app = Self.app(sink)
        _ = try await app.respond(to: .get, "/hello?name=Ada")
        _ = try await app.respond(to: .head, "/missing")
        _ = try await app.respond(to: .get, "/teapot")
        _ = try await app.respond(to: .get, "/boom")
        _ = try await app.respond(to: .get, "/api/items")
        let lines = sink.entries
        #expect(lines.allSatisfy { $0.category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" && $0.level == .information && $0.eventID.id == 1 })
        let shapes = lines.map { $0.message.replacing(#/ \d+\.\d{3}ms$/#, with: " Tms") }
        #expect(shapes == [
            "GET /hello?name=Ada HTTP/1.1 200 6 Tms", "HEAD /missing HTTP/1.1 404 0 Tms", "GET /teapot HTTP/1.1 418 0 Tms",
            "GET /boom HTTP/1.1 500 0 Tms", "GET /api/items HTTP/1.1 204 0 Tms",
        ])
    }

    /// Called in a `map` branch, the log is a layer of that branch: requests outside it are
    /// not logged, and its lines carry the whole path and the status an error became.
    @Test func inABranchItLogsTheBranchsRequests() async throws {
        let sink = MemoryLogSink()
        let app = ApplicationBuilder()
        app.loggerFactory = LoggerFactory(sinks: [sink])
        app.get("/outside") { try await $0.response.write("no line") }
        app.map("/admin") { admin in
            admin.useHttpLogging()
            admin.get("/users") { try await $0.response.write("[]") }
            admin.get("/fail") { _ in throw HTTPError(503) }
        }
        #expect(app.requestLog == nil)
        _ = try await app.respond(to: .get, "/outside")
        _ = try await app.respond(to: .get, "/admin/users")
        _ = try await app.respond(to: .get, "/admin/fail")
        #expect(sink.entries.map { $0.message.replacing(#/ \d+\.\d{3}ms$/#, with: " Tms") } == [
            "GET /admin/users HTTP/1.1 200 2 Tms", "GET /admin/fail HTTP/1.1 503 0 Tms",
        ])
    }

    @Test func offItCostsNoLine() async throws {
        let sink = MemoryLogSink()
        let app = Self.app(sink, rules: [LogFilterRule(category: "Microsoft.AspNetCore", level: .warning)])
        #expect(try await app.respond(to: .get, "/hello").text == "Hello!")
        #expect(sink.entries.isEmpty)
    }

    @Test func theDurationHasThreeDecimals() {
        let context = HTTPContext(request: HTTPRequest(method: .post, path: "/x"), connection: ConnectionInfo(id: "c", local: nil, remote: nil))
        let sink = MemoryLogSink()
        let logger = LoggerFactory(sinks: [sink]).logger(category: ServerLogCategory.httpLogging)
        HTTPLogLine.log(to: logger, context, ("", "/x"), status: 201, nanoseconds: 1_234_567)
        HTTPLogLine.log(to: logger, context, ("", "/x"), status: 201, nanoseconds: 5_000)
        #expect(sink.entries.map(\.message) == ["POST /x HTTP/1.1 201 0 1.234ms", "POST /x HTTP/1.1 201 0 0.005ms"])
    }

    struct Boom: Error, CustomStringConvertible { var description: String { "it broke" } }

    @Test func anErrorTheAppThrowsIsLoggedOnceAtErrorWithTheRequest() async throws {
        let sink = MemoryLogSink()
        let logger = LoggerFactory(sinks: [sink], minimumLevel: .debug).logger(category: ServerLogCategory.kestrel)
        let errors: [String: any Error] = [
            "/boom": Boom(), "/gone": HTTPError(410), "/broken": HTTPError(503, "down"),
            "/big": BadRequestError(status: 413, message: "Request body too large."),
        ]
        for path in ["/boom", "/gone", "/broken", "/big"] {
            let context = HTTPContext(request: HTTPRequest(method: .get, path: path), connection: ConnectionInfo(id: "0HN1GKT5U3P6Q", local: nil, remote: nil))
            context.prepare(requestNumber: 1, maxRequestBodySize: nil)
            UnhandledErrorLog.report(errors[path]!, context: context, logger: logger)
        }
        let entries = sink.entries
        #expect(entries.map(\.level) == [.error, .debug, .error], "an HTTPError below 500 is an answer; a rejected body is the server's")
        #expect(entries[0].eventID == EventID(13, name: "ApplicationError"))
        #expect(entries[0].message == #"Connection id "0HN1GKT5U3P6Q", Request id "0HN1GKT5U3P6Q:00000001": An unhandled error was thrown by the application (GET /boom)."#)
        #expect(entries[0].error == "HostctlHostingTests.RequestLoggingTests.Boom: it broke")
        #expect(entries[1].message.hasSuffix(": The application answered with an error (GET /gone)."))
        #expect(entries[2].error == "HostctlHosting.HTTPError: 503: down")
    }
}
