import HostctlTestSupport
import Hostctl
import Testing

/// Every row of the bad-input table: the right status, Kestrel's minimal response, a
/// closed connection, and the app never called.
@Suite struct RejectionTests {
    static let cases: [(String, String, Int)] = [
        ("garbage request line", "GARBAGE\r\n\r\n", 400),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        ("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("request line too long", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),
        ("headers too long", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 33000) + "\r\n\r\n", 431),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("bad Host characters", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("absolute-form authority differs from Host", "GET http://other/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        ("authority-form with GET", "GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n", 400),
        ("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u{0}2\r\n\r\n", 400),
        ("control character in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u{1}2\r\n\r\n", 400),
        ("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("bad name character", "GET / HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n", 400),
        ("Content-Length with a sign", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400),
        ("two Content-Lengths", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
        ("Content-Length list", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", 400),
        ("Content-Length overflow", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("final coding not chunked", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("HTTP/1.0 POST without length", "POST /echo HTTP/1.0\r\n\r\n", 400),
        ("target with a space byte", "GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("target not origin-form", "GET ?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("TLS handshake on a plain port", "\u{16}\u{3}\u{1}\u{0}\u{5}hello", 400),
    ]

    @Test(arguments: ServerUnderTest.allCases, cases)
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
    @Test(arguments: ServerUnderTest.allCases, [
        ("chunk size not hex", "zz\r\nhello\r\n0\r\n\r\n"),
        ("chunk size overflow", "100000000\r\n"),
        ("lone LF in a chunk extension", "5;a\nb\r\nhello\r\n0\r\n\r\n"),
        ("lone CR in a chunk extension", "5;a\rb\r\nhello\r\n0\r\n\r\n"),
        ("bad chunk suffix", "5\r\nhelloXX0\r\n\r\n"),
    ] as [(String, String)])
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
    @Test(arguments: ServerUnderTest.allCases, [
        ("Connection: close", "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
        ("Content-Length then Transfer-Encoding", "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("Transfer-Encoding then Content-Length", "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
    ])
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

