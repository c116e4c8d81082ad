import HostctlTestSupport
import Glibc
import Hostctl
import Testing

/// HTTP.sys's extras on the io_uring server, over real sockets: the request queue limit,
/// the request-timing feature, the response cache; and that the event-loop server, like
/// Kestrel, has none of them.
@Suite struct HTTPSysExtrasTests {
    /// An app whose `/hold` requests wait until `release` is set, counting those inside.
    static func holdingServer(_ kind: ServerUnderTest, options: @escaping (inout ServerOptions) -> Void, inside: Counter, release: Flag) async throws -> TestServer {
        try await TestServer(kind, options: options) { app in
            app.get("/hold") { context in
                inside.add(1)
                while !release.isSet { try await Task.sleep(for: .milliseconds(5)) }
                try await context.response.write("held")
            }
            app.get("/") { try await $0.response.write("ok") }
        }
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return condition()
    }

    @Test func aFullRequestQueueResetsTheConnection() async throws {
        let inside = Counter(), release = Flag()
        let server = try await Self.holdingServer(.ioUring, options: { $0.requestQueueLimit = 1 }, inside: inside, release: release)
        let holder = try server.client()
        try holder.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try await Self.eventually { inside.value == 1 })
        let turnedAway = try server.client()
        try turnedAway.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try turnedAway.wasReset(), "HTTP.sys's Basic answer: a reset, no response")
        release.set()
        #expect(try holder.readResponse().text == "held")
        #expect(try server.get("/").text == "ok", "the place is free again")
        await server.stop()
    }

    @Test func aFullRequestQueueCanAnswer503() async throws {
        let inside = Counter(), release = Flag()
        let server = try await Self.holdingServer(.ioUring, options: {
            $0.requestQueueLimit = 1
            $0.requestQueueFullResponse = .serviceUnavailable
        }, inside: inside, release: release)
        let holder = try server.client()
        try holder.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try await Self.eventually { inside.value == 1 })
        let response = try server.get("/")
        #expect(response.status == 503)
        #expect(response.headers["connection"] == "close")
        #expect(response.body.isEmpty)
        release.set()
        #expect(try holder.readResponse().text == "held")
        await server.stop()
    }

    @Test func theEventLoopServerHasNoRequestQueue() async throws {
        let inside = Counter(), release = Flag()
        let server = try await Self.holdingServer(.eventLoop, options: { $0.requestQueueLimit = 1 }, inside: inside, release: release)
        let holder = try server.client()
        try holder.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try await Self.eventually { inside.value == 1 })
        #expect(try server.get("/").text == "ok")
        release.set()
        _ = try holder.readResponse()
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func requestTimingIsReadableFromMiddleware(_ kind: ServerUnderTest) async throws {
        let completed = Flag()
        let server = try await TestServer(kind) { app in
            app.use { context, next in
                guard let timing = context.features[HTTPRequestTimingFeature.self] else {
                    try await context.response.write("no timing")
                    return
                }
                let stamps = HTTPRequestTimingPoint.allCases.dropLast().map { timing.timestamp($0) }
                let ordered = stamps.allSatisfy { $0 != nil } && zip(stamps, stamps.dropFirst()).allSatisfy { $0! <= $1! }
                timing.onResponseCompleted {
                    if let end = timing.timestamp(.responseCompleted), let handed = timing.timestamp(.handedToApplication), handed <= end {
                        completed.set()
                    }
                }
                try await next(context)
                try await context.response.write(ordered && timing.timestamp(.responseCompleted) == nil ? "ordered" : "unordered")
            }
            app.get("/") { _ in }
        }
        let text = try server.get("/").text
        if kind.isIOUring {
            #expect(text == "ordered")
            #expect(try await Self.eventually { completed.isSet }, "the completion callback ran with the last stamp")
        } else {
            #expect(text == "no timing", "Kestrel has no request-timing feature, and neither has its analogue")
        }
        await server.stop()
    }

    @Test func cacheableResponsesAreServedWithoutTheApp() async throws {
        let calls = Counter()
        let server = try await TestServer(.ioUring, options: { $0.responseCache = ResponseCacheOptions() }) { app in
            app.get("/cached") { context in
                calls.add(1)
                context.response.headers["Cache-Control"] = "public, max-age=60"
                try await context.response.write("expensive")
            }
            app.get("/private") { context in
                calls.add(1)
                context.response.headers["Cache-Control"] = "private, max-age=60"
                try await context.response.write("mine")
            }
        }
        let first = try server.get("/cached")
        let second = try server.get("/cached")
        #expect(first.text == "expensive" && second.text == "expensive")
        #expect(second.headers["age"] != nil, "a hit says how old it is")
        #expect(second.headers["date"] != nil)
        let client = try server.client()
        try client.send("HEAD /cached HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "9")
        #expect(calls.value == 1, "the app ran once")
        _ = try server.get("/private")
        _ = try server.get("/private")
        #expect(calls.value == 3, "private responses are not cached")
        await server.stop()
    }
}

