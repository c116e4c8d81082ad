import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import Testing

/// HTTP.sys's response cache: what is kept, what is answered from it, and for how long.
@Suite struct ResponseCacheTests {
    /// An app whose routes answer with the headers under test; it counts its calls.
    final class App: @unchecked Sendable {
        var calls = 0

        nonisolated(nonsending) func handle(_ context: HTTPContext) async throws {
            calls += 1
            let response = context.response
            let cacheable = "public, max-age=60"
            switch context.request.path {
            case "/public": response.headers["Cache-Control"] = cacheable
            case "/shared": response.headers["Cache-Control"] = "public, max-age=0, s-maxage=30"
            case "/quoted": response.headers["Cache-Control"] = "Public, Max-Age=\"60\""
            case "/two-fields":
                response.headers.append(name: "Cache-Control", value: "public")
                response.headers.append(name: "Cache-Control", value: "max-age=60")
            case "/not-public": response.headers["Cache-Control"] = "max-age=60"
            case "/zero": response.headers["Cache-Control"] = "public, max-age=0"
            case "/shared-zero": response.headers["Cache-Control"] = "public, max-age=60, s-maxage=0"
            case "/private": response.headers["Cache-Control"] = "public, private, max-age=60"
            case "/no-store": response.headers["Cache-Control"] = "public, no-store, max-age=60"
            case "/no-cache": response.headers["Cache-Control"] = "public, no-cache=\"Set-Cookie\", max-age=60"
            case "/no-cache-control": break
            case "/cookie":
                response.headers["Cache-Control"] = cacheable
                response.headers["Set-Cookie"] = "id=1"
            case "/vary":
                response.headers["Cache-Control"] = cacheable
                response.headers["Vary"] = "Accept-Encoding"
            case "/pragma":
                response.headers["Cache-Control"] = cacheable
                response.headers["Pragma"] = "no-cache"
            case "/created":
                response.headers["Cache-Control"] = cacheable
                response.status = 201
            case "/flushed":
                response.headers["Cache-Control"] = cacheable
                try await response.write("partly")
                try await response.flush()
            case "/too-big":
                response.headers["Cache-Control"] = cacheable
                try await response.write([UInt8](repeating: 0x62, count: 5_000))
                return
            case "/streamed":
                // Past the size at which the head is committed: the body streams, with its length declared.
                response.headers["Cache-Control"] = cacheable
                response.contentLength = 40_000
                for _ in 0..<4 { try await response.write([UInt8](repeating: 0x73, count: 10_000)) }
                return
            case "/dated":
                response.headers["Cache-Control"] = cacheable
                response.headers["Date"] = "Mon, 01 Jan 2001 00:00:00 GMT"
                response.headers["Age"] = "999"
            case let path where path.hasPrefix("/large/"):
                response.headers["Cache-Control"] = cacheable
                try await response.write([UInt8](repeating: 0x6C, count: 10_000))
                return
            default:
                response.status = 404
                return
            }
            try await response.write("body of \(context.request.path) #\(calls)")
        }
    }

    static func harness(_ cache: ResponseCacheOptions = ResponseCacheOptions(maxBytes: 64 * 1024, maxEntryBytes: 4096), extras: Bool = true) -> (Harness, App) {
        let app = App()
        let harness = Harness(options: { $0.responseCache = cache }, httpSysExtras: extras) { context in try await app.handle(context) }
        return (harness, app)
    }

    static func get(_ target: String, host: String = "a", method: String = "GET", extra: String = "") -> String {
        "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n\(extra)\r\n"
    }

    /// Sends `request` and returns the response.
    static func exchange(_ harness: Harness, _ request: String) -> String {
        harness.feed(request)
        return harness.transport.takeSent()
    }

    @Test(arguments: ["/public", "/shared", "/quoted", "/two-fields", "/streamed"])
    func aCacheableResponseIsAnsweredWithoutTheApp(path: String) {
        let (harness, app) = Self.harness(ResponseCacheOptions(maxBytes: 1 << 20, maxEntryBytes: 64 * 1024))
        defer { harness.finish() }
        let first = Self.exchange(harness, Self.get(path))
        let second = Self.exchange(harness, Self.get(path))
        #expect(app.calls == 1, "the hit did not call the app")
        #expect(second.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(second.responseBody == first.responseBody)
        #expect(second.headerValues("Content-Length") == first.headerValues("Content-Length"))
        #expect(second.headerValues("Cache-Control") == first.headerValues("Cache-Control"))
        #expect(second.headerValues("Age") == ["0"])
        #expect(first.headerValues("Age").isEmpty)
        #expect(!harness.transport.closed, "kept alive")
        let statistics = harness.core.extras!.responseCache!.statistics
        // The first request met an empty cache, which is not searched: no miss is counted.
        #expect(statistics.hits == 1 && statistics.misses == 0 && statistics.entries == 1)
    }

    @Test(arguments: [
        "/not-public", "/zero", "/shared-zero", "/private", "/no-store", "/no-cache", "/no-cache-control",
        "/cookie", "/vary", "/pragma", "/created", "/flushed", "/too-big",
    ])
    func aResponseHTTPSysWouldNotKeepIsNotCached(path: String) {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        let first = Self.exchange(harness, Self.get(path))
        let second = Self.exchange(harness, Self.get(path))
        #expect(app.calls == 2)
        #expect(first.responseBody != second.responseBody || path == "/too-big" || path == "/flushed")
        #expect(harness.core.extras!.responseCache!.statistics.entries == 0)
    }

    @Test func aRequestWithAuthorizationNeitherReadsNorFillsTheCache() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public", extra: "Authorization: Bearer x\r\n"))
        _ = Self.exchange(harness, Self.get("/public"))
        _ = Self.exchange(harness, Self.get("/public", extra: "authorization: Bearer x\r\n"))
        #expect(app.calls == 3)
        _ = Self.exchange(harness, Self.get("/public"))
        #expect(app.calls == 3, "the entry stored by the plain request")
    }

    @Test func otherMethodsAreNeverCached() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        for _ in 0..<2 { _ = Self.exchange(harness, "POST /public HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") }
        #expect(app.calls == 2)
        #expect(harness.core.extras!.responseCache!.statistics.entries == 0)
    }

    @Test func headIsAnsweredFromAGetEntryButDoesNotFillOne() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public", method: "HEAD"))
        #expect(harness.core.extras!.responseCache!.statistics.entries == 0)
        let get = Self.exchange(harness, Self.get("/public"))
        let head = Self.exchange(harness, Self.get("/public", method: "HEAD"))
        #expect(app.calls == 2)
        #expect(head.hasSuffix("\r\n\r\n"), "no body: \(head)")
        #expect(head.headerValues("Content-Length") == get.headerValues("Content-Length"))
        #expect(!harness.transport.closed)
    }

    @Test func theKeyIsTheHostInAnyCaseAndTheRawTarget() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public", host: "Example.COM"))
        _ = Self.exchange(harness, Self.get("/public", host: "example.com"))
        #expect(app.calls == 1)
        _ = Self.exchange(harness, Self.get("/public", host: "other.example"))
        _ = Self.exchange(harness, Self.get("/public?x=1", host: "example.com"))
        _ = Self.exchange(harness, Self.get("/%70ublic", host: "example.com"))
        #expect(app.calls == 4, "another host, another query and another spelling of the path are other keys")
    }

    @Test func anEntryIsServedUntilItExpiresWithItsAge() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public"))
        harness.loop.advance(seconds: 30.5)
        let hit = Self.exchange(harness, Self.get("/public"))
        #expect(app.calls == 1)
        #expect(hit.headerValues("Age") == ["30"])
        harness.loop.advance(seconds: 30)
        let fresh = Self.exchange(harness, Self.get("/public"))
        #expect(app.calls == 2, "expired after max-age")
        #expect(fresh.headerValues("Age").isEmpty)
        #expect(fresh.responseBody == "body of /public #2")
    }

    @Test func sMaxAgeDecidesTheLifetime() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/shared"))
        harness.loop.advance(seconds: 29)
        _ = Self.exchange(harness, Self.get("/shared"))
        #expect(app.calls == 1)
        harness.loop.advance(seconds: 2)
        _ = Self.exchange(harness, Self.get("/shared"))
        #expect(app.calls == 2)
    }

    @Test func aHitHasOneFreshDateAndAge() {
        let (harness, _) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/dated"))
        let hit = Self.exchange(harness, Self.get("/dated"))
        #expect(hit.headerValues("Date") == [String(decoding: harness.connection.state.dates.bytes, as: UTF8.self)])
        #expect(hit.headerValues("Age") == ["0"])
        #expect(hit.headerValues("Server") == ["hostctl"])
    }

    @Test func keepAliveIsHonouredOnAHit() {
        let (harness, app) = Self.harness()
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public"))
        let pipelined = Self.exchange(harness, Self.get("/public") + Self.get("/public") + Self.get("/other"))
        #expect(pipelined.count(of: "HTTP/1.1 200 OK") == 2 && pipelined.contains("HTTP/1.1 404 Not Found"), "\(pipelined)")
        #expect(app.calls == 2)
        let oldClient = Self.exchange(harness, "GET /public HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")
        #expect(oldClient.headerValues("Connection") == ["keep-alive"])
        #expect(!harness.transport.closed)
        let closing = Self.exchange(harness, Self.get("/public", extra: "Connection: close\r\n"))
        #expect(closing.headerValues("Connection") == ["close"])
        #expect(closing.responseBody == "body of /public #1")
        #expect(harness.transport.closed)
        #expect(app.calls == 2)
    }

    @Test func theLeastRecentlyUsedEntryGoesWhenTheBytesRunOut() {
        // Room for two of the 10 KB entries, not three.
        let (harness, app) = Self.harness(ResponseCacheOptions(maxBytes: 25_000, maxEntryBytes: 12_000))
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/large/a"))
        _ = Self.exchange(harness, Self.get("/large/b"))
        _ = Self.exchange(harness, Self.get("/large/a"))
        #expect(app.calls == 2, "/a is now the most recently used")
        _ = Self.exchange(harness, Self.get("/large/c"))
        let statistics = harness.core.extras!.responseCache!.statistics
        #expect(statistics.entries == 2 && statistics.bytes <= 25_000)
        _ = Self.exchange(harness, Self.get("/large/a"))
        _ = Self.exchange(harness, Self.get("/large/c"))
        #expect(app.calls == 3, "/a and /c stayed")
        _ = Self.exchange(harness, Self.get("/large/b"))
        #expect(app.calls == 4, "/b went")
    }

    @Test func withoutTheExtrasNothingIsCached() {
        let (harness, app) = Self.harness(extras: false)
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public"))
        _ = Self.exchange(harness, Self.get("/public"))
        #expect(app.calls == 2)
    }

    @Test func loopsSharingTheCacheKeepItConsistent() async {
        let cache = ResponseCache(ResponseCacheOptions(maxBytes: 8_000, maxEntryBytes: 2_000))
        let lookupsPerLoop = 2_000
        await withTaskGroup(of: Void.self) { group in
            for loop in 0..<4 {
                group.addTask {
                    for step in 0..<lookupsPerLoop {
                        let target = Array("/item/\((step * 7 + loop) % 16)".utf8)
                        target.withUnsafeBytes { target in
                            "a".utf8CString.withUnsafeBytes { host in
                                let key = ResponseCacheKey(scheme: UnsafeRawBufferPointer(start: nil, count: 0), host: UnsafeRawBufferPointer(rebasing: host.dropLast()), target: target)
                                if let entry = cache.lookup(key, now: 0) {
                                    precondition(entry.body.count == 900 && key.matches(entry.key))
                                } else {
                                    let capture = ResponseCapture(reason: nil, fields: HTTPFields(), bodyLength: 900, server: nil, lifetime: 1_000_000_000, maxBytes: 2_000)!
                                    [UInt8](repeating: 0x63, count: 900).withUnsafeBytes { capture.append($0) }
                                    cache.store(CachedResponse(key: key, capture: capture, storedAt: 0))
                                }
                            }
                        }
                    }
                }
            }
        }
        let statistics = cache.statistics
        #expect(statistics.hits + statistics.misses == 4 * lookupsPerLoop)
        #expect(statistics.bytes <= 8_000 && statistics.entries <= 8 && statistics.entries > 0)
    }

    @Test func aHitDoesNotTakeAPlaceInTheRequestQueue() {
        let app = App()
        let harness = Harness(options: {
            $0.responseCache = ResponseCacheOptions()
            $0.requestQueueLimit = 1
        }, httpSysExtras: true) { context in
            if context.request.path == "/held" { _ = try await context.request.body.drain() }
            try await app.handle(context)
        }
        defer { harness.finish() }
        _ = Self.exchange(harness, Self.get("/public"))
        let other = harness.connect()
        harness.feed("POST /held HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\na", into: other.connection)
        #expect(harness.core.extras!.requestQueue.current == 1)
        let hit = Self.exchange(harness, Self.get("/public"))
        #expect(hit.hasPrefix("HTTP/1.1 200 OK") && !harness.transport.wasReset)
    }
}
