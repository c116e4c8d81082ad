import HostctlTestSupport
import Hostctl
import Testing

/// HTTP.sys's extras on the io_uring server apply to each HTTP/2 stream as to each HTTP/1.1
/// request: the request queue limit (a stream turned away, the connection kept), request
/// timing, and the response cache (shared by both versions).
@Suite struct HTTP2HTTPSysExtrasTests {
    @Test func aFullRequestQueueRefusesTheStreamAndKeepsTheConnection() async throws {
        let inside = Counter(), release = Flag()
        let server = try await HTTPSysExtrasTests.holdingServer(.ioUring, options: { $0.requestQueueLimit = 1 }, inside: inside, release: release)
        let client = try server.http2Client()
        try client.send(client.session.request(1, path: "/hold"))
        #expect(try await HTTPSysExtrasTests.eventually { inside.value == 1 })
        let refused = try client.get("/", stream: 3)
        #expect(refused.resetCode == 7, "REFUSED_STREAM: nothing was processed, the client may retry")
        release.set()
        #expect(try client.response(1).text == "held")
        #expect(try client.get("/", stream: 5).text == "ok", "the place is free again, on the same connection")
        await server.stop()
    }

    @Test func aFullRequestQueueCanAnswer503() async throws {
        let inside = Counter(), release = Flag()
        let server = try await HTTPSysExtrasTests.holdingServer(.ioUring, options: {
            $0.requestQueueLimit = 1
            $0.requestQueueFullResponse = .serviceUnavailable
        }, inside: inside, release: release)
        let client = try server.http2Client()
        try client.send(client.session.request(1, path: "/hold"))
        #expect(try await HTTPSysExtrasTests.eventually { inside.value == 1 })
        #expect(try client.get("/", stream: 3).status == 503)
        release.set()
        #expect(try client.response(1).text == "held")
        await server.stop()
    }

    @Test func requestTimingIsPerStream() async throws {
        let server = try await TestServer(.ioUring) { app in
            app.get("/") { context in
                guard let timing = context.features[HTTPRequestTimingFeature.self],
                      let parsed = timing.timestamp(.headersParsed), let handed = timing.timestamp(.handedToApplication)
                else {
                    try await context.response.write("no timing")
                    return
                }
                try await context.response.write(parsed <= handed ? "ordered" : "unordered")
            }
        }
        let client = try server.http2Client()
        try client.send(client.session.request(1, path: "/"), client.session.request(3, path: "/"))
        #expect(try client.response(1).text == "ordered")
        #expect(try client.response(3).text == "ordered")
        await server.stop()
    }

    @Test func theResponseCacheAnswersBothVersions() async throws {
        let calls = Counter()
        let server = try await TestServer(.ioUring, options: { $0.responseCache = ResponseCacheOptions() }) { app in
            app.get("/cached") { context in
                calls.add(1)
                context.response.headers["Cache-Control"] = "public, max-age=60"
                try await context.response.write("expensive")
            }
        }
        let client = try server.http2Client()
        let first = try client.get("/cached", stream: 1)
        let second = try client.get("/cached", stream: 3)
        #expect(first.text == "expensive" && second.text == "expensive")
        #expect(second.header("age") != nil, "a hit says how old it is")
        #expect(second.header("content-length") == "9")
        let overHTTP1 = try server.get("/cached")
        #expect(overHTTP1.text == "expensive" && overHTTP1.headers["age"] != nil, "what HTTP/2 stored, HTTP/1.1 finds")
        #expect(calls.value == 1, "the app ran once")
        await server.stop()
    }
}
