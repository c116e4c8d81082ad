import Foundation
import HostctlTestSupport
import Hostctl
import Testing

/// HTTP/2 through each server on real sockets, h2c: the integration suite's key behaviours
/// (routing, bodies both ways, errors, limits, trailers, many streams at once, graceful stop)
/// with a raw client that checks the frames, and curl for a real client's view.
@Suite struct HTTP2ServingTests {
    static func server(
        _ kind: ServerUnderTest, urls: String = "http://127.0.0.1:0", arguments: [String] = [], variables: [(String, String)] = [],
        options: (inout ServerOptions) -> Void = { _ in }, extra: (WebApplication) -> Void = { _ in }
    ) async throws -> TestServer {
        try await TestServer(kind, urls: urls, arguments: arguments, variables: variables, options: options) { app in
            app.get("/plaintext") { context in
                context.response.contentType = "text/plain"
                try await context.response.write("Hello, World!")
            }
            app.get("/users/{id:int}") { try await $0.response.write("user \($0.routeValues["id"]!)") }
            app.post("/echo") { context in
                for try await chunk in context.request.body { try await context.response.write(chunk) }
            }
            app.post("/sum") { context in
                var count = 0
                for try await chunk in context.request.body { count += chunk.count }
                try await context.response.write("\(count) octets, checksum \(context.request.trailers["x-checksum"] ?? "none")")
                context.response.trailers["x-count"] = "\(count)"
            }
            app.get("/big") { context in
                let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
                for _ in 0..<32 { try await context.response.write(chunk) }
            }
            app.get("/throw") { _ in throw TestFailure("boom") }
            app.get("/teapot") { _ in throw HTTPError(418, "short and stout") }
            app.get("/after-start") { context in
                try await context.response.write("partial")
                try await context.response.flush()
                throw TestFailure("late")
            }
            app.get("/headers") { context in
                let request = context.request
                try await context.response.write("\(request.host)|\(request.protocol)|\(request.scheme)|\(request.headers["x-one"] ?? "-")|\(request.queryString)")
            }
            extra(app)
        }
    }

    @Test(arguments: ServerUnderTest.allCases) func curlSpeaksH2cWithPriorKnowledgeBesideHTTP1(_ kind: ServerUnderTest) async throws {
        let curl = try ClientTool.require("curl", installedBy: "curl")
        let server = try await Self.server(kind)
        let base = "http://127.0.0.1:\(server.port)"
        let plain = try await curl.run(["-s", "-i", "--max-time", "10", "--http2-prior-knowledge", base + "/plaintext"])
        #expect(plain.output.hasPrefix("HTTP/2 200"), "\(plain.output)")
        #expect(plain.output.contains("content-length: 13"))
        #expect(plain.output.contains("server: hostctl"))
        #expect(plain.output.hasSuffix("Hello, World!"))
        let routed = try await curl.run(["-s", "--max-time", "10", "--http2-prior-knowledge", base + "/users/42"])
        #expect(routed.output == "user 42")
        let missing = try await curl.run(["-s", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "--max-time", "10", "--http2-prior-knowledge", base + "/nowhere"])
        #expect(missing.output == "2 404")
        // The same port still speaks HTTP/1.1 to a client that does not open with the preface.
        #expect(try server.get("/plaintext").text == "Hello, World!")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func theRequestAsTheAppSeesIt(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        let response = try client.get("/headers?a=1", stream: 1, headers: [("x-one", "1")])
        #expect(response.status == 200)
        #expect(response.text == "localhost|HTTP/2|http|1|?a=1", "Host comes from :authority")
        #expect(response.header("date")?.count == 29)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func bodiesBothWaysWithinTheWindows(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        // A window of 1000 octets: the server sends that much of the download, then waits.
        let client = try server.http2Client(settings: [(0x4, 1000)])
        client.creditsData = false
        try client.send(client.session.request(1, path: "/big"))
        try client.readUntil { ($0.responses[1]?.body.count ?? 0) >= 1000 }
        #expect(client.session.responses[1]?.body.count == 1000, "no more than the stream's window")
        client.creditsData = true
        try client.send(HTTP2TestFrame.windowUpdate(1, 2 << 20), HTTP2TestFrame.windowUpdate(0, 2 << 20))
        let download = try client.response(1)
        #expect(download.body.count == 2 << 20)
        #expect(download.body.allSatisfy { $0 == UInt8(ascii: "x") })

        // An upload larger than the initial windows: the server credits them as the app reads.
        let upload = (0..<(900 * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try client.send(client.session.request(3, method: "POST", path: "/echo", endStream: false))
        var sent = 0
        while sent < upload.count {
            let granted = 65_535 + (client.session.windowIncrements[0] ?? 0) - sent
            let streamGranted = 786_432 + (client.session.windowIncrements[3] ?? 0) - sent
            let count = min(16_384, upload.count - sent, granted, streamGranted)
            if count <= 0 {
                try client.readUntil { 65_535 + ($0.windowIncrements[0] ?? 0) > sent && 786_432 + ($0.windowIncrements[3] ?? 0) > sent }
                continue
            }
            try client.send(HTTP2TestFrame.data(3, Array(upload[sent..<(sent + count)]), endStream: sent + count == upload.count))
            sent += count
        }
        let echoed = try client.response(3)
        #expect(echoed.status == 200)
        #expect(echoed.body == upload)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func errorsBecomeStatusesAndLateOnesResetTheStream(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        #expect(try client.get("/throw", stream: 1).status == 500)
        #expect(try client.get("/teapot", stream: 3).status == 418)
        let late = try client.get("/after-start", stream: 5)
        #expect(late.status == 200 && late.text == "partial")
        #expect(late.resetCode == 2, "INTERNAL_ERROR once the response had started")
        #expect(try client.get("/plaintext", stream: 7).text == "Hello, World!", "the connection goes on")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func requestLimitsApplyToHTTP2(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind, options: {
            $0.maxRequestBodySize = 1000
            $0.maxRequestLineSize = 200
            $0.maxRequestHeaderCount = 5
        })
        let client = try server.http2Client()
        try client.send(client.session.request(1, method: "POST", path: "/echo", headers: [("content-length", "5000")], endStream: false))
        let tooLarge = try client.response(1)
        #expect(tooLarge.status == 413)
        let longPath = "/" + String(repeating: "a", count: 300)
        try client.send(client.session.request(3, path: longPath))
        #expect(try client.response(3).resetCode == 1, "a request line over the limit is a stream error (PROTOCOL_ERROR)")
        #expect(try client.get("/plaintext", stream: 5).status == 200)
        let fields = (0..<10).map { ("x-field-\($0)", "v") }
        try client.send(client.session.request(7, path: "/plaintext", headers: fields))
        try client.readUntil { $0.goAway != nil }
        #expect(client.session.goAway?.code == 1, "too many headers ends the connection, as in Kestrel")
        #expect(client.waitForClose())
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func trailersBothWays(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        let session = client.session
        try client.send(session.request(1, method: "POST", path: "/sum", endStream: false))
        try client.send(HTTP2TestFrame.data(1, Array("hello".utf8)), session.trailers(1, [("x-checksum", "abc")]))
        let response = try client.response(1)
        #expect(response.text == "5 octets, checksum abc")
        #expect(response.trailers.map { "\($0.name)=\($0.value)" } == ["x-count=5"])
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func manyStreamsAreInFlightAtOnce(_ kind: ServerUnderTest) async throws {
        let arrived = Counter()
        let streamCount = 40
        let server = try await Self.server(kind, extra: { app in
            app.get("/gather") { context in
                arrived.add(1)
                // Bounded: a server that ran them one at a time fails the test after 10 s.
                for _ in 0..<5000 where arrived.value < streamCount { try await Task.sleep(for: .milliseconds(2)) }
                try await context.response.write("together \(context.traceIdentifier) \(arrived.value)")
            }
        })
        let client = try server.http2Client()
        let ids = (0..<streamCount).map { UInt32(2 * $0 + 1) }
        try client.send(ids.flatMap { client.session.request($0, path: "/gather").bytes })
        // Each handler waits until all have arrived: they can only finish if all ran at once.
        try client.readUntil { session in ids.allSatisfy { session.responses[$0]?.ended == true } }
        let texts = ids.compactMap { client.session.responses[$0]?.text }
        #expect(Set(texts).count == streamCount, "each stream is a request of its own")
        #expect(texts.allSatisfy { $0.hasSuffix(" \(streamCount)") }, "each saw all the others arrive")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func gracefulStopSendsTwoGoAwaysAndFinishesStreamsInFlight(_ kind: ServerUnderTest) async throws {
        let entered = Flag()
        let release = Gate()
        let server = try await Self.server(kind, extra: { app in
            app.get("/slow") { context in
                entered.set()
                await release.wait()
                try await context.response.write("finished")
            }
        })
        let client = try server.http2Client()
        // Generous: the task that starts the stop can wait long for one of Swift's cooperative
        // threads, which other tests' blocking reads hold; these reads hold none.
        client.timeout = 120
        try client.send(client.session.request(1, path: "/slow"))
        #expect(await entered.wait())
        let stopping = Task { await server.stop() }
        // GOAWAY naming the largest id, then (the PING answered) GOAWAY naming stream 1.
        // (Both may arrive in one read: the frames are checked in the order they came.)
        _ = try await offThePool { try client.readUntil { $0.goAway?.lastStreamID == 1 } }
        let goAways = client.session.frames.filter { $0.type == HTTP2TestFrame.goAway }.compactMap(\.errorCode)
        #expect(goAways.map(\.lastStreamID) == [0x7FFF_FFFF, 1], "\(goAways)")
        #expect(goAways.allSatisfy { $0.code == 0 })
        release.open()
        let response = try await offThePool { try client.response(1) }
        #expect(response.text == "finished", "the stream in flight completes")
        #expect(try await offThePool { client.waitForClose() }, "then the connection closes")
        _ = await stopping.result
    }

    @Test(arguments: ServerUnderTest.allCases) func anIdleConnectionClosesAfterTheKeepAliveTimeout(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind, options: { $0.keepAliveTimeout = .seconds(1) })
        let client = try server.http2Client()
        #expect(try client.get("/plaintext", stream: 1).status == 200)
        try client.readUntil(seconds: 10) { $0.goAway != nil }
        #expect(client.session.goAway?.code == 0, "GOAWAY NO_ERROR")
        #expect(client.waitForClose())
        await server.stop()
    }
}
