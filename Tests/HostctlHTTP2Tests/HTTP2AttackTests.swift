import HostctlCore
@testable import HostctlHPACK
@testable import HostctlHTTP2
import Testing

/// Each known attack on HTTP/2 servers, performed against the state machine: it must end with
/// the connection told to calm down (or the client held back), and cost no more than a bounded
/// amount of memory and work along the way.
@Suite struct HTTP2AttackTests {
    /// Feeds what `step` makes of stream ids 1, 3, 5… until the connection closes (at most
    /// `limit` steps), checking `invariant` after each; returns how many steps were fed.
    @discardableResult
    private func flood(_ harness: Harness, limit: Int = 10_000, invariant: () -> Void = {}, _ step: (UInt32) -> [UInt8]) -> Int {
        var steps = 0
        while !harness.machine.isClosed && steps < limit {
            harness.feed(step(UInt32(2 * steps + 1)))
            invariant()
            _ = harness.frames()
            steps += 1
        }
        return steps
    }

    /// Rapid Reset (CVE-2023-44487): HEADERS then RST_STREAM at once, over and over, against an
    /// app that keeps working on reset streams. Reset streams no longer count as open, so
    /// MAX_CONCURRENT_STREAMS never bites; what bounds the work is the tracked streams, then the
    /// refusals.
    @Test func rapidResetAgainstASlowApp() {
        let harness = Harness()
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        var maxTracked = 0
        let streams = flood(harness, invariant: { maxTracked = max(maxTracked, harness.machine.trackedStreamCount) }) { id in
            Client.headers(id, encoder.request()) + Client.rst(id)
        }
        #expect(harness.machine.isClosed)
        #expect(maxTracked == 200, "max(2 × MaxStreamsPerConnection, 100) streams kept for the app")
        #expect(harness.seen.last == .connectionError(.tooManyRefusedStreams))
        let requests = harness.seen.filter { if case .request = $0 { true } else { false } }.count
        #expect(requests == 200, "the app saw 200 requests, no more")
        #expect(streams < 400, "ended after \(streams) streams")
        let goAway = parseFrames(harness.written).last
        #expect(goAway?.isGoAway == true && goAway?.errorCode == .enhanceYourCalm)
    }

    /// The same against an app that stops as soon as a stream is reset: nothing piles up, so
    /// the reset rate is what ends it.
    @Test func rapidResetAgainstAFastApp() {
        let harness = Harness()
        harness.respondsAutomatically = true
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        let streams = flood(harness, invariant: { #expect(harness.machine.isClosed || harness.machine.trackedStreamCount == 0) }) { id in
            Client.headers(id, encoder.request("/", method: "POST"), endStream: false) + Client.rst(id)
        }
        #expect(harness.seen.last == .connectionError(.tooManyResets))
        #expect(streams == 1001, "the burst of 1000 resets, then GOAWAY ENHANCE_YOUR_CALM")
    }

    /// A client that resets now and then, as browsers and gRPC do, is never cut off.
    @Test func occasionalResetsAreFine() {
        let harness = Harness()
        harness.respondsAutomatically = true
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        var id: UInt32 = 1
        for second in 1...300 {
            for _ in 0..<30 {
                harness.feed(Client.headers(id, encoder.request("/", method: "POST"), endStream: false) + Client.rst(id))
                id += 2
            }
            _ = harness.machine.heartbeat(now: Int64(second) * 1_000_000_000, output: harness.output)
            _ = harness.frames()
        }
        #expect(!harness.machine.isClosed, "9000 resets over 5 minutes")
    }

    /// MadeYouReset (CVE-2025-8671): the client makes the server reset streams (here with a
    /// WINDOW_UPDATE of 0), so the streams stop counting as open while the app works on. The
    /// resets we send count like the ones we receive, and reset streams stay tracked.
    @Test func madeYouResetAgainstASlowApp() {
        let harness = Harness()
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        var maxTracked = 0
        flood(harness, invariant: { maxTracked = max(maxTracked, harness.machine.trackedStreamCount) }) { id in
            Client.headers(id, encoder.request("/", method: "POST"), endStream: false) + Client.windowUpdate(id, 0)
        }
        #expect(maxTracked == 200)
        #expect(harness.seen.last == .connectionError(.tooManyRefusedStreams))
    }

    @Test func madeYouResetAgainstAFastApp() {
        let harness = Harness()
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        // DATA after END_STREAM while the app still has the stream: a stream error STREAM_CLOSED
        // (once the app is done it would be a connection error); the app then finishes at once.
        var previous: UInt32?
        let streams = flood(harness) { id in
            if let previous { harness.machine.streamFinished(HTTP2StreamID(previous), output: harness.output) }
            previous = id
            return Client.headers(id, encoder.request()) + Client.data(id, "x")
        }
        #expect(harness.seen.last == .connectionError(.tooManyResets))
        #expect(streams == 1001)
    }

    /// CONTINUATION flood: a header block that never ends. Bounded by the CONTINUATION count…
    @Test func continuationFloodByCount() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, [0x82], endHeaders: false))
        var frames = 0
        while !harness.machine.isClosed && frames < 100_000 {
            harness.feed(Client.continuation(1, [0x82], endHeaders: false))
            frames += 1
        }
        #expect(frames == 33)
        #expect(harness.seen.last == .connectionError(.tooManyContinuationFrames(limit: 32)))
        #expect(parseFrames(harness.output.readableArray).last?.errorCode == .enhanceYourCalm)
    }

    /// …and by the block's size, before any of it is decoded.
    @Test func continuationFloodBySize() {
        let harness = Harness()
        let chunk = [UInt8](repeating: 0x82, count: 16384)
        harness.feed(Client.start + Client.headers(1, chunk, endHeaders: false))
        var frames = 0
        while !harness.machine.isClosed && frames < 1000 {
            harness.feed(Client.continuation(1, chunk, endHeaders: false))
            frames += 1
        }
        #expect(frames == 4, "64 KiB: the fifth 16 KiB fragment is refused")
        #expect(harness.seen.last == .connectionError(.headerBlockTooLarge(limit: 65536)))
        #expect(harness.machine.headerBlockBuffer.capacity <= 65536)
        #expect(harness.machine.decoder.dynamicTableCount == 0, "nothing was decoded")
    }

    /// Empty CONTINUATION frames are empty frames too.
    @Test func emptyContinuationsCount() {
        let small = limits { $0.maxContinuationFrames = 1_000_000; $0.emptyFrameRate = HTTP2RateLimit(burst: 50, perSecond: 10) }
        let harness = Harness(limits: small)
        harness.feed(Client.start + Client.headers(1, [0x82], endHeaders: false))
        for _ in 0..<60 where !harness.machine.isClosed { harness.feed(Client.continuation(1, [], endHeaders: false)) }
        #expect(harness.seen.last == .connectionError(.tooManyEmptyFrames))
    }

    /// HPACK bomb: one 4 KiB entry indexed once, then referenced thousands of times in a small
    /// block: the decoder stops at the header list limit, before copying more than it.
    @Test func hpackBomb() {
        let harness = Harness()
        let big = [UInt8](repeating: 0x61, count: 4000)
        var block: [UInt8] = [0x82, 0x87, 0x84, 0x40, 0x01, 0x78, 0x7F, 0xA1, 0x1E] + big  // x: aaa… (4000), indexed
        block += [UInt8](repeating: 0xBE, count: 3000)  // 3000 references: 12 MB decoded, were it allowed
        harness.feed(Client.start + Client.headers(1, block, endStream: true, endHeaders: false) + Client.continuation(1, []))
        #expect(harness.seen.last == .connectionError(.compression(.headerListTooLarge(maximum: 32768))))
        #expect(harness.machine.spareHeads.allSatisfy { $0.fields.storage.capacity <= 65536 })
        #expect(parseFrames(harness.output.readableArray).last?.errorCode == .protocolError)
    }

    /// Replies nobody reads (a PING flood from a client that never reads): once `output` holds
    /// `maxPendingOutputForInput`, frames stay unread, so the driver stops reading the socket;
    /// when the output drains, reading resumes where it stopped.
    @Test func pingFloodFromAClientThatDoesNotRead() {
        let harness = Harness()
        harness.feed(Client.start)
        let ping = Client.ping()
        let flood = (0..<50_000).flatMap { _ in ping }  // 850 KB of PINGs
        harness.input.append(flood)
        harness.pump()
        #expect(harness.machine.isWaitingForOutput)
        let limit = HTTP2Limits().maxPendingOutputForInput
        #expect(harness.output.readableCount >= limit && harness.output.readableCount < limit + 17)
        #expect(harness.input.readableCount > 0, "the rest waits, unread")
        let answered = harness.output.readableCount / 17
        // The transport sends the output: reading goes on.
        harness.output.clear()
        harness.pump()
        #expect(harness.output.readableCount / 17 + answered >= min(50_000, 2 * answered))
        #expect(!harness.machine.isClosed)
    }

    @Test func settingsFloodFromAClientThatDoesNotRead() {
        let harness = Harness()
        harness.feed(Client.start)
        _ = harness.frames()
        let flood = (0..<40_000).flatMap { _ in Client.settings([(0x3, 100)]) }
        harness.input.append(flood)
        harness.pump()
        #expect(harness.machine.isWaitingForOutput)
        #expect(harness.output.readableCount < HTTP2Limits().maxPendingOutputForInput + 9)
    }

    /// A SETTINGS frame repeating INITIAL_WINDOW_SIZE 2730 times over 100 open streams costs one
    /// pass over the streams, and the last value wins.
    @Test func settingsFrameRepeatingAParameter() {
        let harness = Harness()
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        for id in stride(from: UInt32(1), through: 199, by: 2) { harness.feed(Client.headers(id, encoder.request())) }
        let parameters = (0..<2730).map { (UInt16(0x4), UInt32($0 % 2 == 0 ? 1 : 70000)) }
        harness.feed(Client.settings(parameters))
        #expect(harness.machine.peerSettings.initialWindowSize == 70000)
        #expect(harness.machine.streams.records.allSatisfy { $0.sendWindow == 70000 })
    }

    @Test func windowUpdateFloodCostsNoOutput() {
        let harness = Harness()
        harness.feed(Client.start)
        _ = harness.frames()
        var flood: [UInt8] = []
        for _ in 0..<10_000 { flood += Client.windowUpdate(0, 1) }
        harness.feed(flood)
        #expect(harness.output.readableCount == 0)
        #expect(harness.machine.connectionSendWindow == 65535 + 10_000)
    }

    /// Empty DATA frames (CVE-2019-9518) and empty frames of unknown types use up a budget.
    @Test func emptyFramesFlood() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request("/", method: "POST"), endStream: false))
        var sent = 0
        while !harness.machine.isClosed && sent < 100_000 {
            harness.feed(sent % 2 == 0 ? Client.data(1, []) : Client.frame(0xEE))
            sent += 1
        }
        #expect(sent == 1001)
        #expect(harness.seen.last == .connectionError(.tooManyEmptyFrames))
        // The budget refills with time: 100 a second is fine forever.
        let steady = Harness()
        steady.feed(Client.start + Client.headers(1, RequestEncoder().request("/", method: "POST"), endStream: false))
        for second in 1...30 {
            for _ in 0..<100 { steady.feed(Client.data(1, [])) }
            _ = steady.machine.heartbeat(now: Int64(second) * 1_000_000_000, output: steady.output)
        }
        #expect(!steady.machine.isClosed)
    }

    /// A client that never opens its window: the state machine takes what the window allows and
    /// no more; the rest stays with the driver (whose minimum data rate ends such a connection).
    @Test func aClientThatNeverOpensItsWindow() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = try? harness.machine.writeHeaders(1, status: 200, fields: HTTPFields(), endStream: false, output: harness.output)
        let body = [UInt8](repeating: 0x62, count: 1 << 20)
        var total = 0
        for _ in 0..<100 {
            total += body.withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: true, output: harness.output) }
        }
        #expect(total == 65535)
        #expect(harness.output.readableCount < 65535 + 1024)
        #expect(harness.machine.sendWindow(for: 1) == 0)
        // The driver gives up on it.
        harness.machine.abort(.enhanceYourCalm, message: "The connection was aborted because the response was not read by the client at the specified minimum data rate.", output: harness.output)
        #expect(parseFrames(harness.output.readableArray).last?.errorCode == .enhanceYourCalm)
    }

    @Test func streamsBeyondTheConcurrencyLimitAreRefused() {
        let harness = Harness()
        harness.feed(Client.start)
        let encoder = RequestEncoder()
        for id in stride(from: UInt32(1), through: 201, by: 2) {
            harness.feed(Client.headers(id, encoder.request("/", method: "POST"), endStream: false))
        }
        #expect(harness.machine.openStreamCount == 100)
        let resets = harness.frames().filter(\.isReset)
        #expect(resets.map(\.description) == ["RST_STREAM(201, REFUSED_STREAM)"])
        // Finishing one makes room for the next.
        harness.machine.resetStream(1, code: .cancel, output: harness.output)
        harness.machine.streamFinished(1, output: harness.output)
        harness.feed(Client.headers(203, encoder.request()))
        #expect(harness.machine.openStreamCount == 100)
        #expect(harness.seen.last == .request(203, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /"], endStream: true))
    }
}
