import Hostctl
import HostctlCore
import HostctlHosting
import HostctlServerCore
import Testing

/// `ApplicationBuilder.respond(to:)` (what scaffolds' tests use) and the JSON helpers.
@Suite struct InMemoryExchangeTests {
    struct Greeting: Codable, Equatable {
        let name: String
        let times: Int
    }

    func app() -> ApplicationBuilder {
        let app = ApplicationBuilder()
        app.use { context, next in
            context.response.headers["X-Seen"] = "yes"
            try await next(context)
        }
        app.get("/hello/{name}") { context in
            try await context.response.write("Hello, \(context.routeValues["name"] ?? "")\(context.request.queryString)")
        }
        app.post("/greetings") { context in
            let greeting = try await context.request.decodeJSON(Greeting.self, limit: 64)
            try await context.response.writeJSON(greeting, status: 201)
        }
        app.post("/check") { context in
            do {
                _ = try await context.request.decodeJSON(Greeting.self)
            } catch let error as HTTPError {
                try await context.response.write(error.message ?? "")
            }
        }
        app.get("/teapot") { _ in throw HTTPError(418, "short and stout") }
        app.get("/crash") { _ in throw Unexpected() }
        return app
    }

    struct Unexpected: Error {}

    @Test func routesMiddlewareAndQuery() async throws {
        let response = try await app().respond(to: .get, "/hello/Ada?x=1")
        #expect(response.status == 200)
        #expect(response.text == "Hello, Ada?x=1")
        #expect(response.headers["X-Seen"] == "yes")
        #expect(try await app().respond(to: .get, "/nowhere").status == 404)
    }

    @Test func jsonInAndOut() async throws {
        let response = try await app().respond(to: .post, "/greetings", body: Array(#"{"name":"Ada","times":2}"#.utf8))
        #expect(response.status == 201)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.text == #"{"name":"Ada","times":2}"#)
    }

    @Test func jsonOfTheWrongShapeIs400NamingThePlace() async throws {
        let app = app()
        let wrongType = try await app.respond(to: .post, "/greetings", body: Array(#"{"name":"Ada","times":"two"}"#.utf8))
        #expect(wrongType.status == 400)
        let message = try await app.respond(to: .post, "/check", body: Array(#"{"name":"Ada","times":"two"}"#.utf8)).text
        #expect(message.contains("times"), "\(message)")
        let notJSON = try await app.respond(to: .post, "/greetings", body: Array("name=Ada".utf8))
        #expect(notJSON.status == 400)
        let tooLarge = try await app.respond(to: .post, "/greetings", body: Array(repeating: UInt8(ascii: " "), count: 65))
        #expect(tooLarge.status == 413)
    }

    @Test func errorsBeforeTheResponseStartsBecomeTheirStatus() async throws {
        let teapot = try await app().respond(to: .get, "/teapot")
        #expect(teapot.status == 418)
        #expect(teapot.body.isEmpty)
        #expect(try await app().respond(to: .get, "/crash").status == 500)
    }

    // MARK: The servers' rules, in memory too

    @Test func headGetsTheHeadersOfGetAndNoBody() async throws {
        let app = ApplicationBuilder()
        app.map("/", methods: [.get, .head]) { try await $0.response.write("hello") }
        let head = try await app.respond(to: .head, "/")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Length"] == "5", "the length GET would have")
    }

    @Test func writingToA204Fails() async throws {
        let app = ApplicationBuilder()
        app.get("/") { context in
            context.response.status = 204
            try await context.response.write("not allowed")
        }
        let response = try await app.respond(to: .get, "/")
        #expect(response.status == 500, "the write threw, as on a server")
        #expect(response.body.isEmpty)
    }

    @Test func aShortContentLengthAbortsAsTheServerWould() async throws {
        let app = ApplicationBuilder()
        app.get("/") { context in
            context.response.contentLength = 10
            try await context.response.write("short")
        }
        await #expect(throws: ConnectionAbortedError.self) { _ = try await app.respond(to: .get, "/") }
    }

    /// `contentLength` is a number of its own (as Kestrel's ContentLength): setting it
    /// removes a Content-Length field, a field set after it wins, and both reach the head.
    @Test func contentLengthAndTheFieldLastSetWins() async throws {
        let app = ApplicationBuilder()
        app.get("/number-last") { context in
            context.response.headers["Content-Length"] = "99"
            context.response.contentLength = 5
            #expect(context.response.contentLength == 5)
            #expect(context.response.headers["Content-Length"] == nil, "setting the number removes the field")
            try await context.response.write("exact")
        }
        app.get("/field-last") { context in
            context.response.contentLength = 99
            context.response.headers["Content-Length"] = "5"
            #expect(context.response.contentLength == 5, "the field, set later, wins")
            try await context.response.write("exact")
        }
        app.get("/cleared") { context in
            context.response.contentLength = 99
            context.response.contentLength = nil
            try await context.response.write("any length")
        }
        for path in ["/number-last", "/field-last"] {
            let response = try await app.respond(to: .get, path)
            #expect(response.status == 200)
            #expect(response.headers.values(for: "Content-Length") == ["5"], "\(path)")
            #expect(response.text == "exact")
        }
        let cleared = try await app.respond(to: .get, "/cleared")
        #expect(cleared.headers.values(for: "Content-Length") == ["10"])
    }

    @Test func aBodyOverTheServersLimitIs413() async throws {
        let app = ApplicationBuilder()
        app.post("/") { context in _ = try await context.request.body.collect(upTo: 1 << 20) }
        var options = ServerOptions()
        options.maxRequestBodySize = 8
        let response = try await InMemoryExchange.respond(
            to: .post, "/", headers: [], body: Array(repeating: 0x61, count: 9),
            application: HTTPApplication(environmentName: "Production", handle: app.build()), options: options
        )
        #expect(response.status == 413)
    }

    @Test func anErrorAfterTheResponseStartedAborts() async throws {
        let app = ApplicationBuilder()
        app.get("/") { context in
            try await context.response.write("partial")
            try await context.response.flush()
            throw Unexpected()
        }
        await #expect(throws: ConnectionAbortedError.self) { _ = try await app.respond(to: .get, "/") }
    }
}
