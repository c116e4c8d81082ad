import HostctlCore
import HostctlHPACK
@testable import HostctlHTTP2
import HostctlTestSupport
import Testing

/// The connection's life: preface, SETTINGS both ways, requests and responses, stream
/// identifiers and states, PING, GOAWAY (RFC 9113 §3–§6).
@Suite struct HTTP2ConnectionTests {
    @Test func serverPrefaceAnnouncesKestrelsLimits() {
        let harness = Harness()
        let frames = harness.frames()
        #expect(frames.count == 2)
        #expect(frames[0].type == 0x4 && frames[0].flags == 0)
        var settings: [UInt16: UInt32] = [:]
        for offset in stride(from: 0, to: frames[0].payload.count, by: 6) {
            let p = frames[0].payload
            settings[UInt16(p[offset]) << 8 | UInt16(p[offset + 1])] = UInt32(p[offset + 2]) << 24 | UInt32(p[offset + 3]) << 16 | UInt32(p[offset + 4]) << 8 | UInt32(p[offset + 5])
        }
        #expect(settings == [0x3: 100, 0x4: 768 * 1024, 0x6: 32768, 0x9: 1])
        #expect(frames[1].type == 0x8 && frames[1].stream == 0 && frames[1].u32 == UInt32(1024 * 1024 - 65535))
    }

    @Test func aGetRequestAtEverySplit() {
        let encoder = RequestEncoder()
        let input = Client.start + Client.headers(1, encoder.request("/plaintext?x=1", [("accept", "*/*"), ("user-agent", "test")]))
        let (seen, output) = expectSameAtEverySplit(input)
        #expect(seen == [
            .settingsChanged,
            .request(1, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /plaintext?x=1", "accept: */*", "user-agent: test"], endStream: true),
        ])
        let frames = parseFrames(output)
        #expect(frames.map(\.type) == [0x4, 0x8, 0x4], "our SETTINGS, the connection window, the ACK of theirs")
        #expect(frames[2].flags == 0x1)
    }

    @Test func requestHeadRanges() throws {
        let harness = Harness()
        let encoder = RequestEncoder()
        harness.feed(Client.start + Client.headers(1, encoder.request("/a/b?q=1&r", method: "POST", [("content-length", "5"), ("x-Y", "z")].map { ($0.0.lowercased(), $0.1) }), endStream: false))
        let head = try #require(harness.heads[1])
        #expect(head.method == .post)
        #expect(head.string(head.scheme) == "https")
        #expect(head.string(head.authority) == "example.com")
        #expect(head.string(head.target) == "/a/b?q=1&r")
        #expect(head.string(head.path) == "/a/b")
        #expect(head.string(head.query) == "q=1&r")
        #expect(head.contentLength == 5)
        #expect(head.headerCount == 2)
        #expect(head.withHeader(at: 1) { String(decoding: $0, as: UTF8.self) + "=" + String(decoding: $1, as: UTF8.self) } == "x-y=z")
    }

    @Test func bodyTrailersAndResponse() {
        let encoder = RequestEncoder()
        let input = Client.start
            + Client.headers(1, encoder.request("/upload", method: "POST"), endStream: false)
            + Client.data(1, "hello ")
            + Client.data(1, "world", padding: 3)
            + Client.headers(1, encoder.block([("x-checksum", "abc")]), endStream: true)
        let (seen, _) = expectSameAtEverySplit(input)
        let expected: [Seen] = [.data(1, "hello ", endStream: false), .data(1, "world", endStream: false), .trailers(1, ["x-checksum: abc"])]
        #expect(Array(seen.dropFirst(2)) == expected)
    }

    @Test func responseHeadBodyAndTrailersAsFrames() throws {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = harness.frames()
        let date = Array("Mon, 21 Oct 2013 20:13:21 GMT".utf8)
        let wrote = try date.withUnsafeBytes { date in
            try harness.machine.writeHeaders(1, status: 200, fields: HTTPFields([("Content-Type", "text/plain"), ("Connection", "close"), ("X-Trace", " a b ")]),
                                             contentLength: nil, date: date, server: "Kestrel", endStream: false, output: harness.output)
        }
        #expect(wrote)
        let body = [UInt8](repeating: 0x61, count: 40000)
        #expect(body.withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: false, output: harness.output) } == 40000)
        #expect(try harness.machine.writeTrailers(1, fields: HTTPFields([("grpc-status", "0")]), output: harness.output))
        let frames = harness.frames()
        #expect(frames.map(\.type) == [0x1, 0x0, 0x0, 0x0, 0x1])
        #expect(frames[0].flags == 0x4, "END_HEADERS, not END_STREAM")
        #expect(harness.decodeResponse(frames[0].payload) == [":status: 200", "content-type: text/plain", "x-trace: a b", "date: Mon, 21 Oct 2013 20:13:21 GMT", "server: Kestrel"])
        #expect(frames[1...3].map(\.payload.count) == [16384, 16384, 7232], "DATA cut at the client's frame size")
        #expect(frames[4].flags == 0x5 && harness.decodeResponse(frames[4].payload) == ["grpc-status: 0"])
        harness.machine.streamFinished(1, output: harness.output)
        #expect(harness.frames().isEmpty, "the client had ended its side: nothing to reset")
        #expect(harness.machine.trackedStreamCount == 0)
    }

    /// The server's date is the same on every response within a second: indexed, the second
    /// response carries it as one octet, and the client still reads the same date from it.
    @Test func theDateIsIndexedOnceAndThenOneOctet() throws {
        let harness = Harness()
        let encoder = RequestEncoder()
        harness.feed(Client.start + Client.headers(1, encoder.request()) + Client.headers(3, encoder.request()))
        _ = harness.frames()
        let date = Array("Mon, 21 Oct 2013 20:13:21 GMT".utf8)
        for stream in [1, 3] as [HTTP2StreamID] {
            let wrote = try date.withUnsafeBytes { date in
                try harness.machine.writeHeaders(stream, status: 200, fields: HTTPFields(), contentLength: 13, date: date, server: "hostctl",
                                                 endStream: true, output: harness.output)
            }
            #expect(wrote)
        }
        let frames = harness.frames()
        try #require(frames.count == 2)
        let expected = [":status: 200", "content-length: 13", "date: Mon, 21 Oct 2013 20:13:21 GMT", "server: hostctl"]
        #expect(harness.decodeResponse(frames[0].payload) == expected)
        #expect(harness.decodeResponse(frames[1].payload) == expected)
        // :status 200 (1), content-length as a literal (2 + 1 + 2), date and server indexed (1 + 1).
        #expect(frames[1].payload.count == 8, "\(frames[1].payload)")
        #expect(frames[0].payload.count > 20, "the first response carries the date as a literal")
    }

    /// A head larger than the client's frame size becomes HEADERS + CONTINUATION frames.
    @Test func largeResponseHeadsAreSplit() throws {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = harness.frames()
        var fields = HTTPFields()
        var generator = SplitMix64(seed: 9)
        for index in 0..<12 {
            // Random letters resist Huffman coding enough to need ~40 KiB.
            fields.append(name: "x-large-\(index)", value: String((0..<4000).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement(using: &generator)! }))
        }
        #expect(try harness.machine.writeHeaders(1, status: 404, fields: fields, endStream: true, output: harness.output))
        let frames = harness.frames()
        #expect(frames.map(\.type) == [0x1, 0x9, 0x9])
        #expect(frames.map(\.flags) == [0x1, 0x0, 0x4], "END_STREAM on HEADERS, END_HEADERS on the last CONTINUATION")
        #expect(frames.dropLast().allSatisfy { $0.payload.count == 16384 })
        let decoded = harness.decodeResponse(frames.flatMap(\.payload))
        #expect(decoded.count == 13 && decoded[0] == ":status: 404")
        #expect(decoded[12] == "x-large-11: " + fields.fields[11].value)
    }

    @Test func invalidResponseFieldsWriteNothing() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = harness.frames()
        #expect(throws: HTTP2SerializationError(.invalidFieldValue(name: "x"))) {
            try harness.machine.writeHeaders(1, status: 200, fields: HTTPFields([("ok", "1"), ("x", "a\r\nb")]), endStream: true, output: harness.output)
        }
        #expect(throws: HTTP2SerializationError(.invalidFieldName(":status"))) {
            try harness.machine.writeHeaders(1, status: 200, fields: HTTPFields([(":status", "1")]), endStream: true, output: harness.output)
        }
        // Longer than a String keeps inline, the NUL past the first eight bytes checked at once.
        #expect(throws: HTTP2SerializationError(.invalidFieldValue(name: "x-long"))) {
            try harness.machine.writeHeaders(
                1, status: 200, fields: HTTPFields([("x-long", "0123456789abcdef\u{0}tail")]), endStream: true, output: harness.output
            )
        }
        #expect(throws: HTTP2SerializationError(.invalidStatus(101))) {
            try harness.machine.writeHeaders(1, status: 101, fields: HTTPFields(), endStream: false, output: harness.output)
        }
        #expect(harness.frames().isEmpty)
        #expect(harness.machine.encoder.dynamicTableCount == 0, "nothing reached the HPACK table")
    }

    @Test func informationalHeadsPrecedeTheFinalOne() throws {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request(method: "POST", [("expect", "100-continue")]), endStream: false))
        _ = harness.frames()
        #expect(try harness.machine.writeHeaders(1, status: 100, fields: HTTPFields(), endStream: false, output: harness.output))
        #expect(try harness.machine.writeHeaders(1, status: 204, fields: HTTPFields(), endStream: true, output: harness.output))
        let frames = harness.frames()
        #expect(frames.map(\.flags) == [0x4, 0x5])
        #expect(harness.decodeResponse(frames[0].payload) == [":status: 100"])
        // The request body is still arriving: finishing the stream tells the client to stop.
        harness.machine.streamFinished(1, output: harness.output)
        #expect(harness.frames().map(\.description) == ["RST_STREAM(1, NO_ERROR)"])
        // What was in flight is ignored, and its window given back.
        #expect(harness.feed(Client.data(1, "late")).isEmpty)
        #expect(!harness.machine.isClosed)
    }

    // MARK: Preface and SETTINGS

    @Test func invalidPrefaceIsAConnectionError() {
        let harness = Harness()
        _ = harness.frames()
        #expect(harness.feed(Array("GET / HTTP/1.1\r\n".utf8)) == [.connectionError(.invalidPreface)])
        #expect(harness.frames().map(\.description) == ["GOAWAY(last 0, PROTOCOL_ERROR)"])
        #expect(harness.machine.isClosed && harness.machine.canClose)
    }

    @Test func firstFrameMustBeSettings() {
        #expect(Harness().feed(preface + Client.ping()) == [.connectionError(.settingsExpectedFirst(.ping))])
        #expect(Harness().feed(preface + Client.settingsAck) == [.connectionError(.settingsExpectedFirst(.settings))])
    }

    @Test func settingsAreValidated() {
        func error(_ frame: [UInt8]) -> [Seen] { Harness().feed(preface + frame) }
        #expect(error(Client.settings([(0x2, 2)])) == [.connectionError(.settingsParameterOutOfRange(0x2))])
        #expect(error(Client.settings([(0x4, 0x8000_0000)])) == [.connectionError(.initialWindowSizeInvalid)])
        #expect(error(Client.settings([(0x5, 16383)])) == [.connectionError(.settingsParameterOutOfRange(0x5))])
        #expect(error(Client.settings([(0x5, 1 << 24)])) == [.connectionError(.settingsParameterOutOfRange(0x5))])
        #expect(error(Client.frame(0x4, [0, 1, 0])) == [.connectionError(.settingsLengthNotMultipleOfSix)])
        #expect(error(Client.frame(0x4, stream: 1)) == [.connectionError(.streamIDNotZero(.settings))])
        #expect(error(Client.settings() + Client.frame(0x4, flags: 1, [0, 0, 0, 0, 0, 0])) == [.settingsChanged, .connectionError(.settingsAckLengthNotZero)])
        #expect(error(Client.settings([(0x99, 7), (0x5, 1 << 20), (0x8, 1)])) == [.settingsChanged], "unknown ids ignored")
    }

    @Test func settingsAreAppliedBeforeTheirAck() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        harness.feed(Client.settings([(0x5, 20000), (0x1, 0)]))
        _ = harness.frames()
        #expect(harness.machine.peerSettings.maxFrameSize == 20000)
        // The next response head begins with the table size update the new setting requires.
        _ = try? harness.machine.writeHeaders(1, status: 200, fields: HTTPFields([("content-type", "a")]), endStream: true, output: harness.output)
        let frames = harness.frames()
        #expect(frames[0].payload.first == 0x20)
    }

    /// Our SETTINGS_HEADER_TABLE_SIZE binds the client's encoder only once it acknowledges it
    /// (RFC 7541 §4.2): before, its table is the default 4096; after, its next block shrinks it.
    @Test func headerTableSizeTakesEffectOnAcknowledgement() {
        for updates in [false, true] {
            let harness = Harness(limits: limits { $0.headerTableSize = 0 })
            let client = RequestEncoder()
            harness.feed(Client.start + Client.headers(1, client.request("/first")))
            #expect(harness.seen.last == .request(1, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /first"], endStream: true))
            if updates { client.encoder.setPeerMaxTableSize(0) }
            harness.feed(Client.settingsAck + Client.headers(3, client.request("/second")))
            if updates {
                #expect(harness.seen.last == .request(3, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /second"], endStream: true))
            } else {
                #expect(harness.seen.last == .connectionError(.compression(.tableSizeUpdateMissing)))
                #expect(harness.frames().last?.errorCode == .compressionError)
            }
        }
    }

    @Test func limitsAreValidated() throws {
        try HTTP2Limits().validate()
        #expect(throws: HTTP2LimitsError(message: "MaxFrameSize: A value between 16384 and 16777215 is required.")) {
            try limits { $0.maxFrameSize = 1000 }.validate()
        }
        #expect(throws: HTTP2LimitsError(message: "InitialStreamWindowSize: A value between 65535 and 2147483647 is required.")) {
            try limits { $0.initialStreamWindowSize = 1000 }.validate()
        }
        #expect(throws: HTTP2LimitsError(message: "KeepAlivePingDelay: Value must be greater than or equal to 1 second.")) {
            try limits { $0.keepAlivePingDelay = .milliseconds(10) }.validate()
        }
        #expect(throws: HTTP2LimitsError(message: "MaxStreamsPerConnection: Value must be a positive number.")) {
            try limits { $0.maxStreamsPerConnection = 0 }.validate()
        }
        #expect(throws: HTTP2LimitsError(message: "HeaderTableSize: Value must be at most 2147483647.")) {
            try limits { $0.headerTableSize = Int(Int32.max) + 1 }.validate()
        }
        try limits { $0.headerTableSize = Int(Int32.max) }.validate()
        #expect(HTTP2Limits().maxTrackedStreams == 200 && limits { $0.maxStreamsPerConnection = 10 }.maxTrackedStreams == 100)
    }

    // MARK: Streams

    @Test func streamIdentifierRules() {
        let encoder = RequestEncoder()
        #expect(Harness().feed(Client.start + Client.headers(2, encoder.request())).last == .connectionError(.evenStreamID(.headers)))
        let lower = Client.start + Client.headers(5, RequestEncoder().request()) + Client.headers(3, RequestEncoder().request())
        #expect(Harness().feed(lower).last == .connectionError(.streamIDBelowPrevious(.headers)))
        #expect(Harness().feed(Client.start + Client.data(1, "x")).last == .connectionError(.streamIdle(.data)))
        #expect(Harness().feed(Client.start + Client.rst(1)).last == .connectionError(.streamIdle(.rstStream)))
        #expect(Harness().feed(Client.start + Client.windowUpdate(1, 5)).last == .connectionError(.streamIdle(.windowUpdate)))
        #expect(Harness().feed(Client.start + Client.frame(0x0, stream: 0, [1])).last == .connectionError(.streamIDZero(.data)))
        #expect(Harness().feed(Client.start + Client.frame(0x5, stream: 1, [0, 0, 0, 2])).last == .connectionError(.pushPromiseReceived))
    }

    @Test func framesOnHalfClosedAndClosedStreams() {
        let encoder = RequestEncoder()
        // Half-closed (remote): the client ended its side; DATA is a stream error STREAM_CLOSED.
        var harness = Harness()
        harness.feed(Client.start + Client.headers(1, encoder.request()))
        _ = harness.frames()
        #expect(harness.feed(Client.data(1, "x")) == [.reset(1, .streamHalfClosedRemote(.data))])
        #expect(harness.frames().map(\.description) == ["RST_STREAM(1, STREAM_CLOSED)"])

        // Closed after both ends: a connection error STREAM_CLOSED.
        harness = Harness()
        harness.respondsAutomatically = true
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        #expect(harness.machine.trackedStreamCount == 0)
        #expect(harness.feed(Client.data(1, "x")) == [.connectionError(.streamClosed(.data))])

        // Reset by the client: what follows is STREAM_CLOSED too; WINDOW_UPDATE and PRIORITY are fine.
        harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request(method: "POST"), endStream: false))
        #expect(harness.feed(Client.rst(1)) == [.reset(1, .resetByClient(code: .cancel))])
        #expect(harness.feed(Client.windowUpdate(1, 10) + Client.priority(1, dependsOn: 0)).isEmpty)
        harness.machine.streamFinished(1, output: harness.output)
        _ = harness.frames()
        #expect(harness.feed(Client.data(1, "x")) == [.connectionError(.streamClosed(.data))])
    }

    @Test func continuationMustFollowItsHeaders() {
        let block = RequestEncoder().request()
        let split = block.count / 2
        let start = Client.start + Client.headers(1, Array(block[..<split]), endHeaders: false)
        // Right: the block's rest on the same stream.
        let (seen, _) = expectSameAtEverySplit(start + Client.continuation(1, Array(block[split...])))
        #expect(seen.last == .request(1, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /"], endStream: true))
        // Any other frame in between, even a PING, even a CONTINUATION for another stream.
        #expect(Harness().feed(start + Client.ping()).last == .connectionError(.headersInterleaved(.ping, headersStreamID: 1)))
        #expect(Harness().feed(start + Client.continuation(3, [])).last == .connectionError(.headersInterleaved(.continuation, headersStreamID: 1)))
        #expect(Harness().feed(Client.start + Client.continuation(1, block)).last == .connectionError(.continuationWithoutHeaders))
    }

    /// A header block cut into HEADERS and CONTINUATION frames at every offset decodes the same.
    @Test func headerBlockSplitAtEveryOffset() {
        let block = RequestEncoder().request("/index.html", [("cookie", "a=b; c=d"), ("accept-language", "en")])
        for cut in 0...block.count {
            let input = Client.start + Client.headers(1, Array(block[..<cut]), endHeaders: false) + Client.continuation(1, Array(block[cut...]))
            let seen = Harness().feed(input)
            #expect(seen.last == .request(1, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /index.html", "cookie: a=b; c=d", "accept-language: en"], endStream: true), "cut at \(cut)")
        }
    }

    @Test func paddingAndPriorityAreReadAndIgnored() {
        let input = Client.start + Client.headers(1, RequestEncoder().request(), padding: 10, priority: (0, 200)) + Client.priority(3, dependsOn: 1)
        let (seen, _) = expectSameAtEverySplit(input)
        #expect(seen.count == 2)
        #expect(Harness().feed(Client.start + Client.frame(0x1, flags: 0xC, stream: 1, [4, 0x82, 0, 0])) == [.settingsChanged, .connectionError(.paddingTooLong(.headers))])
        #expect(Harness().feed(Client.start + Client.frame(0x0, flags: 0x8, stream: 1, [4, 1, 2, 3])).last == .connectionError(.paddingTooLong(.data)))
        // Depending on itself: a stream error (the block is still decoded).
        let selfDependent = Harness()
        #expect(selfDependent.feed(Client.start + Client.headers(1, RequestEncoder().request(), priority: (1, 0))) == [.settingsChanged])
        #expect(selfDependent.frames().last?.description == "RST_STREAM(1, PROTOCOL_ERROR)")
        // PRIORITY of the wrong length on an open stream: a stream error FRAME_SIZE_ERROR.
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        #expect(harness.feed(Client.frame(0x2, stream: 1, [0, 0, 0, 3])) == [.reset(1, .unexpectedFrameLength(.priority, expected: 5))])
    }

    @Test func unknownFramesAreIgnored() {
        let (seen, _) = expectSameAtEverySplit(Client.start + Client.frame(0xFA, flags: 0xFF, stream: 77, [1, 2, 3]) + Client.headers(1, RequestEncoder().request()))
        #expect(seen.count == 2)
    }

    @Test func framesLargerThanOurLimitAreRefusedFromTheirHeader() {
        let harness = Harness()
        // Only the header of a 16385-octet frame has arrived.
        #expect(harness.feed(Client.start + [0x00, 0x40, 0x01, 0x0, 0x0, 0, 0, 0, 1]).last == .connectionError(.frameTooLarge(size: 16385, limit: 16384)))
    }

    @Test func pingIsAcknowledgedWithItsPayload() {
        let (_, output) = expectSameAtEverySplit(Client.start + Client.ping([9, 8, 7, 6, 5, 4, 3, 2]) + Client.ping(ack: true))
        let pings = parseFrames(output).filter { $0.type == 0x6 }
        #expect(pings == [ServerFrame(type: 0x6, flags: 0x1, stream: 0, payload: [9, 8, 7, 6, 5, 4, 3, 2])])
        #expect(Harness().feed(Client.start + Client.frame(0x6, [1, 2, 3])).last == .connectionError(.unexpectedFrameLength(.ping, expected: 8)))
    }

    // MARK: GOAWAY

    @Test func gracefulShutdownInTwoSteps() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request(method: "POST"), endStream: false))
        _ = harness.frames()
        harness.machine.beginGracefulShutdown(output: harness.output)
        var frames = harness.frames()
        #expect(frames.map(\.description).first == "GOAWAY(last 2147483647, NO_ERROR)")
        #expect(frames.count == 2 && frames[1].type == 0x6 && frames[1].flags == 0)
        // A stream the client opened before it saw the GOAWAY still counts.
        harness.feed(Client.headers(3, RequestEncoder().request()))
        #expect(harness.seen.last == .request(3, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /"], endStream: true))
        // The PING's ACK brings the final GOAWAY with the last stream opened.
        harness.feed(Client.ping(frames[1].payload, ack: true))
        frames = harness.frames()
        #expect(frames.map(\.description) == ["GOAWAY(last 3, NO_ERROR)"])
        // Later streams are ignored (their headers still decoded).
        let before = harness.seen.count
        harness.feed(Client.headers(5, RequestEncoder().request()))
        #expect(harness.seen.count == before)
        #expect(!harness.machine.canClose, "streams 1 and 3 are in flight")
        harness.respond(3)
        harness.machine.resetStream(1, code: .cancel, output: harness.output)
        harness.machine.streamFinished(1, output: harness.output)
        #expect(harness.machine.canClose)
    }

    @Test func finalGoAwayWithoutAPingAckAfterASecond() {
        let harness = Harness()
        harness.feed(Client.start)
        _ = harness.frames()
        harness.machine.beginGracefulShutdown(output: harness.output)
        _ = harness.frames()
        #expect(harness.machine.heartbeat(now: 500_000_000, output: harness.output) == nil)
        #expect(harness.frames().isEmpty)
        _ = harness.machine.heartbeat(now: 1_000_000_000, output: harness.output)
        #expect(harness.frames().map(\.description) == ["GOAWAY(last 0, NO_ERROR)"])
        #expect(harness.machine.canClose)
    }

    @Test func clientGoAway() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        #expect(harness.feed(Client.goAway(last: 0)) == [.goAway(0, .noError)])
        #expect(!harness.machine.canClose)
        harness.respond(1)
        #expect(harness.machine.canClose)
    }

    // MARK: Time

    @Test func keepAlivePing() {
        let harness = Harness(limits: limits { $0.keepAlivePingDelay = .seconds(10); $0.keepAlivePingTimeout = .seconds(5) })
        harness.feed(Client.start)
        _ = harness.frames()
        let second: Int64 = 1_000_000_000
        _ = harness.machine.heartbeat(now: 1 * second, output: harness.output)
        _ = harness.machine.heartbeat(now: 9 * second, output: harness.output)
        #expect(harness.frames().isEmpty)
        _ = harness.machine.heartbeat(now: 11 * second, output: harness.output)
        let ping = harness.frames()
        #expect(ping.count == 1 && ping[0].type == 0x6 && ping[0].flags == 0)
        // Answered: no timeout, and a new PING only after another 10 s of silence.
        harness.feed(Client.ping(ping[0].payload, ack: true))
        #expect(harness.machine.heartbeat(now: 17 * second, output: harness.output) == nil)
        #expect(harness.frames().isEmpty)
        _ = harness.machine.heartbeat(now: 28 * second, output: harness.output)
        #expect(harness.frames().count == 1)
        // Not answered: after the timeout the connection ends.
        #expect(harness.machine.heartbeat(now: 32 * second, output: harness.output) == nil)
        guard case .connectionError(let error) = harness.machine.heartbeat(now: 34 * second, output: harness.output) else {
            Issue.record("no timeout")
            return
        }
        #expect(error.reason == .keepAliveTimeout)
        #expect(harness.frames().map(\.description) == ["GOAWAY(last 0, INTERNAL_ERROR)"])
    }

    @Test func headerTimeoutHoldsForTheWholeBlock() {
        let harness = Harness(limits: limits { $0.requestHeadersTimeout = .seconds(5) })
        let block = RequestEncoder().request()
        harness.feed(Client.start + Client.headers(1, Array(block.prefix(3)), endHeaders: false))
        let second: Int64 = 1_000_000_000
        for tick in 1...5 { #expect(harness.machine.heartbeat(now: Int64(tick) * second, output: harness.output) == nil) }
        guard case .connectionError(let error) = harness.machine.heartbeat(now: 6 * second, output: harness.output) else {
            Issue.record("no timeout")
            return
        }
        #expect(error.reason == .requestHeadersTimeout)
        // And for a preface that never comes.
        let silent = Harness(limits: limits { $0.requestHeadersTimeout = .seconds(5) })
        _ = silent.machine.heartbeat(now: 5 * second, output: silent.output)
        #expect(silent.machine.heartbeat(now: 6 * second, output: silent.output) != nil)
    }

    @Test func abortWritesGoAway() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = harness.frames()
        harness.machine.abort(.internalError, message: "The connection was aborted because the server is shutting down.", output: harness.output)
        #expect(harness.frames().map(\.description) == ["GOAWAY(last 1, INTERNAL_ERROR)"])
        #expect(harness.machine.isClosed && harness.machine.nextEvent(from: harness.input, output: harness.output) == nil)
    }
}
