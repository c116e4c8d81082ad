import Glibc
import HostctlTestSupport
import Hostctl
import Testing

/// The known HTTP/2 attacks, performed against the real servers over sockets: each ends the
/// way the codec decides (GOAWAY ENHANCE_YOUR_CALM, a connection error, backpressure, the
/// minimum data rate), costs a bounded amount, and other connections keep being served.
/// One at a time, so the memory each may cost is measured alone.
@Suite(.serialized) struct HTTP2ServerAttackTests {
    static let enhanceYourCalm: UInt32 = 0xB

    static func server(_ kind: ServerUnderTest, options: (inout ServerOptions) -> Void = { _ in }, finished: Counter = Counter()) async throws -> TestServer {
        try await TestServer(kind, options: options) { app in
            app.get("/plaintext") { try await $0.response.write("Hello, World!") }
            // Work that lasts until the request is aborted (its task is cancelled).
            app.get("/work") { _ in
                await parkUntilCancelled()
                finished.add(1)
            }
            app.post("/upload") { context in
                for try await _ in context.request.body {}
            }
            app.get("/big") { context in
                defer { finished.add(1) }
                let chunk = [UInt8](repeating: 0x78, count: 64 * 1024)
                for _ in 0..<64 { try await context.response.write(chunk) }
            }
        }
    }

    /// Another client, on a connection of its own, is answered.
    static func othersAreServed(_ server: TestServer) throws -> Bool {
        let client = try server.http2Client()
        return try client.get("/plaintext", stream: 1).text == "Hello, World!"
    }

    /// The process's resident memory (the server runs in it).
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0, resident = 0
        _ = withUnsafeMutablePointer(to: &size) { sizePointer in
            withUnsafeMutablePointer(to: &resident) { withVaList([sizePointer, $0]) { vfscanf(file, "%ld %ld", $0) } }
        }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test(arguments: ServerUnderTest.allCases) func rapidReset(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let before = Self.residentBytes()
        let client = try server.http2Client()
        // HEADERS then RST_STREAM, as fast as the socket takes them (CVE-2023-44487).
        var burst: [UInt8] = []
        for index in 0..<3000 {
            let id = UInt32(2 * index + 1)
            burst += client.session.request(id, path: "/work").bytes + HTTP2TestFrame.rstStream(id).bytes
        }
        _ = client.sendWithoutBlocking(burst)
        try client.readUntil { $0.goAway != nil }
        #expect(client.session.goAway?.code == Self.enhanceYourCalm)
        #expect(client.waitForClose())
        #expect(try Self.othersAreServed(server))
        #expect(Self.residentBytes() - before < 96 << 20, "bounded memory")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func resetsTheServerIsMadeToSend(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        // MadeYouReset (CVE-2025-8671): each stream provokes a stream error (a WINDOW_UPDATE of 0).
        var burst: [UInt8] = []
        for index in 0..<1500 {
            let id = UInt32(2 * index + 1)
            burst += client.session.request(id, method: "POST", path: "/upload", endStream: false).bytes + HTTP2TestFrame.windowUpdate(id, 0).bytes
        }
        _ = client.sendWithoutBlocking(burst)
        try client.readUntil { $0.goAway != nil }
        #expect(client.session.goAway?.code == Self.enhanceYourCalm)
        #expect(try Self.othersAreServed(server))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func continuationFlood(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        let block = client.session.encodeHeaders([(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/plaintext")])
        var flood = HTTP2TestFrame(type: HTTP2TestFrame.headers, streamID: 1, payload: block).bytes
        let filler = [UInt8](repeating: 0x40, count: 1000)
        for _ in 0..<1000 { flood += HTTP2TestFrame(type: HTTP2TestFrame.continuation, streamID: 1, payload: filler).bytes }
        _ = client.sendWithoutBlocking(flood)
        try client.readUntil { $0.goAway != nil }
        #expect(client.session.goAway?.code == Self.enhanceYourCalm, "the CONTINUATION count and block size are bounded")
        #expect(client.waitForClose())
        #expect(try Self.othersAreServed(server))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func hpackBomb(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        // One 4000-octet field put in the table, then referenced 2000 times: 8 MB decoded from 6 KB.
        var block = client.session.encodeHeaders([(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/plaintext")])
        block += [0x40, 0x05] + Array("x-big".utf8) + [0x7F, 0xA1, 0x1E] + [UInt8](repeating: 0x61, count: 4000)
        block += [UInt8](repeating: 0xBE, count: 2000)
        try client.send(HTTP2TestFrame(type: HTTP2TestFrame.headers, flags: HTTP2TestFrame.endHeaders | HTTP2TestFrame.endStream, streamID: 1, payload: block))
        try client.readUntil { $0.goAway != nil }
        #expect(client.session.goAway.map { $0.code != 0 } == true, "decoding stops at the header list limit: a connection error")
        #expect(client.session.responses[1]?.status == nil)
        #expect(try Self.othersAreServed(server))
        await server.stop()
    }

    /// Writes `frame` over and over without reading, until the socket takes no more for a
    /// moment (the server stopped reading) or `limit` copies went; returns the octets taken.
    static func flood(_ client: HTTP2TestClient, with frame: HTTP2TestFrame, limit: Int) async throws -> Int {
        let batch = Array([[UInt8]](repeating: frame.bytes, count: 1000).joined())
        var taken = 0
        var refusals = 0
        for _ in 0..<(limit / 1000) where refusals < 100 {
            let count = client.sendWithoutBlocking(batch)
            taken += count
            if count < batch.count {
                refusals += 1
                try await Task.sleep(for: .milliseconds(2))
            } else {
                refusals = 0
            }
        }
        return taken
    }

    @Test(arguments: ServerUnderTest.allCases) func pingAndSettingsFloods(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let before = Self.residentBytes()
        for frame in [HTTP2TestFrame.ping(42), HTTP2TestFrame.settings([(0x4, 65535)])] {
            let client = try server.http2Client(smallBuffers: true)
            try client.readUntil { !$0.serverSettings.isEmpty }
            // 5 million frames the server must answer: it stops reading while its answers wait.
            let limit = 5_000_000
            let taken = try await Self.flood(client, with: frame, limit: limit)
            #expect(taken < limit * frame.bytes.count / 2, "the server stopped reading (\(taken) octets taken)")
            #expect(try Self.othersAreServed(server))
            // Reading the answers lets it go on.
            try client.readUntil { $0.pingAcks > 0 || $0.frames.contains { $0.type == HTTP2TestFrame.settings && $0.flags == HTTP2TestFrame.ack } }
        }
        #expect(Self.residentBytes() - before < 96 << 20, "bounded memory")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func emptyFrameFlood(_ kind: ServerUnderTest) async throws {
        let server = try await Self.server(kind)
        let client = try server.http2Client()
        var flood = client.session.request(1, method: "POST", path: "/upload", endStream: false).bytes
        for _ in 0..<3000 { flood += HTTP2TestFrame.data(1, []).bytes }
        _ = client.sendWithoutBlocking(flood)
        try client.readUntil { $0.goAway != nil }
        #expect(client.session.goAway?.code == Self.enhanceYourCalm, "CVE-2019-9518")
        #expect(try Self.othersAreServed(server))
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func aWindowNeverOpened(_ kind: ServerUnderTest) async throws {
        let finished = Counter()
        let server = try await Self.server(kind, options: {
            $0.minResponseDataRate = MinDataRate(bytesPerSecond: 240, gracePeriod: .seconds(2))
        }, finished: finished)
        // A window of 0 for every stream, never opened: the response cannot move.
        let client = try server.http2Client(settings: [(0x4, 0)])
        client.creditsData = false
        try client.send(client.session.request(1, path: "/big"))
        try client.readUntil { $0.responses[1]?.status != nil }
        #expect(try Self.othersAreServed(server), "the stuck stream holds nothing others need")
        // The minimum response rate ends it once the grace period has passed.
        #expect(client.waitForClose(seconds: 20))
        #expect(client.session.responses[1]?.body.isEmpty == true)
        #expect(client.session.goAway != nil)
        #expect(waitUntil { finished.value == 1 }, "the app's write failed and its handler ended")
        await server.stop()
    }
}
