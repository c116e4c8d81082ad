import HostctlTestSupport
import Hostctl
import Testing

/// Every row of the bad-input table: the right status, Kestrel's minimal response, a
/// closed connection, and the app never called.
@Suite struct RejectionTests {
    @Test(arguments: ServerUnderTest.allCases, BadRequests.heads)
    func rejected(_ kind: ServerUnderTest, _ row: (name: String, request: String, status: Int)) async throws {
        let (name, request, status) = row
        let called = Flag()
        let server = try await TestServer(kind) { app in
            app.map("/{*any}", methods: nil) { context in
                called.set()
                for try await _ in context.request.body {}
                try await context.response.write("reached the app")
            }
        }
        let client = try server.client()
        try client.send(Array(request.utf8))
        let response = try client.readResponse()
        #expect(response.status == status, "\(name): \(response)")
        #expect(response.headers["content-length"] == "0", "\(name)")
        #expect(response.headers["connection"] == "close", "\(name)")
        #expect(response.headers["server"] == "hostctl")
        #expect(response.headers["date"] != nil)
        #expect(try client.isClosedByServer(), "\(name)")
        #expect(!called.isSet, "\(name) reached the app")
        await server.stop()
    }

    /// Bad chunked framing is found while the app reads: the read fails, the server answers
    /// 400 and closes.
    @Test(arguments: ServerUnderTest.allCases, BadRequests.chunkedBodies)
    func badChunkedBodies(_ kind: ServerUnderTest, _ row: (name: String, body: String)) async throws {
        let (name, body) = row
        let server = try await TestServer(kind) { app in
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
        }
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        let response = try client.readResponse()
        #expect(response.status == 400, "\(name): \(response)")
        #expect(try client.isClosedByServer(), "\(name)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func contentLengthWithTransferEncodingClosesAfterTheResponse(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind) { app in
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
        }
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.text == "hi", "Transfer-Encoding wins")
        #expect(response.headers["connection"] == "close")
        #expect(try client.isClosedByServer())
        await server.stop()
    }

    /// RFC 9112 §9.6 (Connection: close) and §6.1 (Content-Length with Transfer-Encoding):
    /// the connection ends after the response, so a request pipelined behind is never
    /// answered: answering it is how a request gets smuggled past a front that framed the
    /// bytes differently.
    @Test(arguments: ServerUnderTest.allCases, BadRequests.closingRequests)
    func nothingPipelinedBehindAClosingRequestIsAnswered(_ kind: ServerUnderTest, _ example: (name: String, request: String)) async throws {
        let server = try await TestServer(kind) { app in
            app.map("/{which}", methods: nil) { context in try await context.response.write(context.request.path) }
        }
        let client = try server.client()
        try client.send(example.request + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = try client.readResponse()
        #expect(first.text == "/a", "\(example.name)")
        #expect(first.headers["connection"] == "close", "\(example.name)")
        let rest = try client.readToEnd()
        #expect(rest.isEmpty, "\(example.name): answered after the connection should have ended: \(rest)")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func bareLineFeedsWhenAllowed(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, options: { $0.allowsBareLineFeed = true }) { app in
            app.get("/") { try await $0.response.write("ok") }
        }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\nHost: a\n\n")
        #expect(try client.readResponse().text == "ok")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func bodyOverTheLimitIs413(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind, options: { $0.maxRequestBodySize = 10 }) { app in
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
            app.post("/raised") { context in
                context.maxRequestBodySize = 100
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
        }
        let declared = try server.client()
        try declared.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(try declared.readResponse().status == 413)
        #expect(try declared.isClosedByServer())
        let streamed = try server.client()
        try streamed.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n6\r\nworld!\r\n0\r\n\r\n")
        #expect(try streamed.readResponse().status == 413)
        let raised = try server.client()
        try raised.send("POST /raised HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(try raised.readResponse().text == "hello world", "the per-request limit can be raised before reading")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aClientThatStopsMidBodyGets400(_ kind: ServerUnderTest) async throws {
        let server = try await TestServer(kind) { app in
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
        }
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly some")
        client.shutdownWrite()
        let text = try client.readToEnd()
        #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 400"), "\(text)")
        await server.stop()
    }
}

