import HostctlTestSupport
import Hostctl
import Testing

/// Requests and responses through each server on real sockets.
@Suite struct BasicServingTests {
    func server(_ kind: ServerUnderTest, environment: String = "Production", options: (inout ServerOptions) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer(kind, environment: environment, options: options) { app in
            app.get("/") { try await $0.response.write("root") }
            app.get("/plaintext") { context in
                context.response.contentType = "text/plain"
                try await context.response.write("Hello, World!")
            }
            app.get("/users/{id:int}") { context in
                try await context.response.write("user \(context.routeValues["id"]!)")
            }
            app.get("/users/me") { try await $0.response.write("me") }
            app.get("/files/{*path}") { try await $0.response.write("file \($0.routeValues["path"]!)") }
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
            app.post("/ignore") { try await $0.response.write("ignored") }
            app.get("/streamed") { context in
                try await context.response.write("part one, ")
                try await context.response.flush()
                try await context.response.write("part two")
            }
            app.get("/declared") { context in
                context.response.contentLength = 5
                try await context.response.write("12345")
            }
            app.get("/trailers") { context in
                try await context.response.write("body")
                context.response.trailers["X-Checksum"] = "abc"
            }
            app.get("/throw") { _ in throw TestFailure("boom") }
            app.get("/teapot") { _ in throw HTTPError(418, "short and stout") }
            app.get("/after-start") { context in
                try await context.response.write("partial")
                try await context.response.flush()
                throw TestFailure("late")
            }
            app.get("/nobody") { $0.response.status = 204 }
            app.get("/query") { context in
                try await context.response.write("\(context.request.path)|\(context.request.queryString)|\(context.request.query["a"] ?? "-")|\(context.request.rawTarget)")
            }
            app.get("/headers") { context in
                let values = context.request.headers.values(for: "X-Dup").joined(separator: ",")
                try await context.response.write("\(context.request.host)|\(values)|\(context.request.headers["x-missing"] ?? "nil")")
            }
            app.get("/big") { context in
                let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
                for _ in 0..<32 { try await context.response.write(chunk) }
            }
        }
    }

    @Test(arguments: ServerUnderTest.allCases) func plaintextWithTheStandardHeaders(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let response = try server.get("/plaintext")
        #expect(response.status == 200)
        #expect(response.text == "Hello, World!")
        #expect(response.headers["content-length"] == "13")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.headers["server"] == "hostctl")
        #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
        #expect(response.headers["date"]?.count == 29)
        #expect(response.headers["connection"] == nil)
        await server.stop()
    }

    /// The cases "through a layer" really put the pass-through layer under every connection.
    @Test(arguments: ServerUnderTest.allCases.filter(\.throughLayer)) func theLayerCarriesEveryConnection(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let before = PassThroughLayerFactory.layersMade
        for _ in 0..<3 { #expect(try server.get("/plaintext").text == "Hello, World!") }
        #expect(PassThroughLayerFactory.layersMade - before >= 3)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.withTwoLoops) func keepAliveAndPipelining(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET /users/7 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "root")
        #expect(try client.readResponse().text == "Hello, World!")
        #expect(try client.readResponse().text == "user 7")
        try client.send("GET /users/me HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "me")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func routing(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        #expect(try server.get("/users/42").text == "user 42")
        #expect(try server.get("/USERS/ME").text == "me")
        #expect(try server.get("/users/abc").status == 404, "the int constraint rejects")
        #expect(try server.get("/files/a/b/c.txt").text == "file a/b/c.txt")
        #expect(try server.get("/nowhere").status == 404)
        let client = try server.client()
        try client.send("DELETE /users/1 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.headers["allow"] == "GET, HEAD")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func headHasTheHeadersOfGetAndNoBody(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let client = try server.client()
        try client.send("HEAD /plaintext HTTP/1.1\r\nHost: a\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "13")
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "root", "no stray body bytes came after the HEAD response")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func framingIsChosenForTheApp(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let streamed = try server.get("/streamed")
        #expect(streamed.headers["transfer-encoding"] == "chunked")
        #expect(streamed.text == "part one, part two")
        let declared = try server.get("/declared")
        #expect(declared.headers["content-length"] == "5")
        #expect(declared.text == "12345")
        let trailers = try server.get("/trailers")
        #expect(trailers.headers["transfer-encoding"] == "chunked")
        #expect(trailers.text == "body")
        #expect(trailers.trailers["x-checksum"] == "abc")
        let noContent = try server.get("/nobody")
        #expect(noContent.status == 204)
        #expect(noContent.headers["content-length"] == nil)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func requestBodiesAreStreamed(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(try client.readResponse().text == "hello world")
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6; ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n")
        #expect(try client.readResponse().text == "hello world")
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "root")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func anUnreadBodyIsDrainedAndTheConnectionKept(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let client = try server.client()
        try client.send("POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "ignored")
        #expect(try client.readResponse().text == "root")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func expectContinueIsAnsweredWhenTheAppReads(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("ping")
        #expect(try client.readResponse().text == "ping")
        // Not read: no 100, and the connection closes after the response.
        let other = try server.client()
        try other.send("POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let final = try other.readResponse()
        #expect(final.status == 200)
        #expect(final.headers["connection"] == "close")
        #expect(try other.isClosedByServer())
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func errorsBecomeStatuses(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let thrown = try server.get("/throw")
        #expect(thrown.status == 500)
        #expect(thrown.body.isEmpty, "no details outside Development")
        #expect(try server.get("/teapot").status == 418)
        let client = try server.client()
        try client.send("GET /after-start HTTP/1.1\r\nHost: a\r\n\r\n")
        let text = try client.readToEnd()
        #expect(text.contains("partial"))
        #expect(!text.hasSuffix("0\r\n\r\n"), "a response that failed after it started is cut off, not completed")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func developerExceptionPage(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind, environment: "Development")
        let plain = try server.get("/throw")
        #expect(plain.status == 500)
        #expect(plain.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(plain.text.contains("boom"))
        #expect(plain.text.contains("GET /throw HTTP/1.1"))
        let html = try server.get("/throw", headers: "Accept: text/html,application/xhtml+xml\r\n")
        #expect(html.headers["content-type"] == "text/html; charset=utf-8")
        #expect(html.text.contains("<pre>"))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func targetQueryAndHeaders(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        #expect(try server.get("/query?a=x%20y&b").text == "/query|?a=x%20y&b|x y|/query?a=x%20y&b")
        #expect(try server.get("/qu%65ry?a=1").text == "/query|?a=1|1|/qu%65ry?a=1")
        #expect(try server.get("http://localhost/query?a=2").text == "/query|?a=2|2|http://localhost/query?a=2")
        let headers = try server.get("/headers", headers: "X-Dup: 1\r\nx-dup: 2\r\n")
        #expect(headers.text == "localhost|1,2|nil")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aLargeResponseArrivesWhole(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let response = try server.get("/big")
        #expect(response.body.count == 32 * 64 * 1024)
        #expect(response.body.allSatisfy { $0 == UInt8(ascii: "x") })
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func http10ClosesByDefaultAndKeepsAliveWhenAsked(_ kind: ServerUnderTest) async throws {
        let server = try await server(kind)
        let closing = try server.client()
        try closing.send("GET / HTTP/1.0\r\n\r\n")
        let first = try closing.readResponse()
        #expect(first.statusLine == "HTTP/1.1 200 OK")
        #expect(first.headers["connection"] == "close")
        #expect(try closing.isClosedByServer())
        let keeping = try server.client()
        try keeping.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let kept = try keeping.readResponse()
        #expect(kept.headers["connection"] == "keep-alive")
        try keeping.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try keeping.readResponse().text == "Hello, World!")
        let streamed = try server.client()
        try streamed.send("GET /streamed HTTP/1.0\r\n\r\n")
        #expect(try streamed.readToEnd().hasSuffix("part one, part two"), "no chunked coding for HTTP/1.0: the close ends the body")
        await server.stop()
    }
}
