import HostctlCore
import HostctlHPACK
@testable import HostctlHTTP2
import Testing

/// RFC 9113 §8: what makes a request malformed (a stream error PROTOCOL_ERROR: the stream is
/// reset, the connection goes on), and the request limits that apply to HTTP/2 too.
@Suite struct HTTP2RequestValidationTests {
    /// Sends one request block and returns what happened to stream 1: its fields, or the reason
    /// and code of the reset.
    private func outcome(_ fields: [(String, String)], endStream: Bool = true, limits: HTTP2Limits = HTTP2Limits(), scheme: StaticString? = nil) -> String {
        let harness = Harness(limits: limits, transportScheme: scheme)
        let seen = harness.feed(Client.start + Client.headerBlock(1, RequestEncoder().block(fields), endStream: endStream))
        let frames = harness.frames().filter { $0.type == 0x3 || $0.type == 0x7 }
        if case .connectionError(let reason)? = seen.last { return "connection \(reason) " + frames.map(\.description).joined(separator: ", ") }
        if let reset = frames.first { return "\(reset)" }
        if case .request? = seen.last { return "ok" }
        return "\(seen)"
    }

    private let get = [(":method", "GET"), (":scheme", "https"), (":authority", "a.example"), (":path", "/")]

    @Test func wellFormed() {
        #expect(outcome(get) == "ok")
        #expect(outcome(get + [("te", "trailers"), ("x", ""), ("cookie", "a=b")]) == "ok")
        #expect(outcome([(":method", "OPTIONS"), (":scheme", "http"), (":path", "*"), (":authority", "a")]) == "ok")
        #expect(outcome([(":method", "CONNECT"), (":authority", "a.example:443")]) == "ok")
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":path", "/")] + [("host", "a.example")]) == "ok", "Host instead of :authority")
    }

    @Test func malformedRequestsResetTheStream() {
        let reset = "RST_STREAM(1, PROTOCOL_ERROR)"
        #expect(outcome(get + [("X-Upper", "1")]) == reset)
        #expect(outcome(get + [("bad name", "1")]) == reset)
        #expect(outcome(get + [("x", "a\u{0}b")]) == reset)
        #expect(outcome(get + [("x", " leading")]) == reset)
        #expect(outcome(get + [("x", "trailing\t")]) == reset)
        #expect(outcome([(":method", "GET"), ("x", "1"), (":path", "/"), (":scheme", "https")]) == reset, "pseudo after regular")
        #expect(outcome(get + [(":protocol", "websocket")]) == reset, "unknown pseudo-header")
        #expect(outcome(get + [(":status", "200")]) == reset, "response pseudo-header")
        #expect(outcome(get + [(":path", "/again")]) == reset, "duplicate")
        #expect(outcome([(":method", "GET"), (":scheme", "https")]) == reset, "no :path")
        #expect(outcome([(":scheme", "https"), (":path", "/")]) == reset, "no :method")
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":path", "")]) == reset, "empty :path")
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":path", "a")]) == reset, ":path not starting with /")
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":path", "*")]) == reset, "* for GET")
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":path", "/a b")]) == reset)
        #expect(outcome([(":method", "G(T"), (":scheme", "https"), (":path", "/")]) == reset)
        #expect(outcome([(":method", "GET"), (":scheme", "ht tp"), (":path", "/")]) == reset)
        #expect(outcome(get + [("connection", "keep-alive")]) == reset)
        #expect(outcome(get + [("transfer-encoding", "chunked")]) == reset)
        #expect(outcome(get + [("upgrade", "h2c")]) == reset)
        #expect(outcome(get + [("keep-alive", "1")]) == reset)
        #expect(outcome(get + [("proxy-connection", "x")]) == reset)
        #expect(outcome(get + [("te", "gzip")]) == reset)
        #expect(outcome([(":method", "CONNECT"), (":authority", "a:1"), (":path", "/")]) == reset)
        #expect(outcome([(":method", "CONNECT")]) == reset)
        #expect(outcome(get + [("content-length", "x")]) == reset)
        #expect(outcome(get + [("content-length", "1"), ("content-length", "1")]) == reset)
        #expect(outcome(get + [("host", "b.example")]) == reset, "Host differs from :authority")
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":authority", "u@a"), (":path", "/")]) == reset, "userinfo")
        #expect(outcome(get + [("content-length", "3")]) == reset, "END_STREAM with content-length 3")
    }

    // MARK: Extended CONNECT (RFC 8441)

    private let extendedConnect = limits { $0.enableExtendedConnect = true }
    private let websocket = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"), (":authority", "a.example"), (":path", "/chat")]

    /// The server's SETTINGS, as identifier → value.
    private func announcedSettings(_ limits: HTTP2Limits) -> [UInt16: UInt32] {
        let frames = Harness(limits: limits).frames()
        var settings: [UInt16: UInt32] = [:]
        guard let first = frames.first, first.type == 0x4 else { return settings }
        let p = first.payload
        for offset in stride(from: 0, to: p.count, by: 6) {
            settings[UInt16(p[offset]) << 8 | UInt16(p[offset + 1])] = UInt32(p[offset + 2]) << 24 | UInt32(p[offset + 3]) << 16 | UInt32(p[offset + 4]) << 8 | UInt32(p[offset + 5])
        }
        return settings
    }

    @Test func enableConnectProtocolIsAnnouncedOnlyWhenConfigured() {
        #expect(announcedSettings(HTTP2Limits())[0x8] == nil, "off by default")
        #expect(announcedSettings(extendedConnect)[0x8] == 1)
    }

    @Test func anExtendedConnectIsARequestWithItsProtocol() {
        let harness = Harness(limits: extendedConnect)
        harness.feed(Client.start + Client.headerBlock(1, RequestEncoder().block(websocket + [("sec-websocket-version", "13")]), endStream: false))
        #expect(harness.frames().filter { $0.type == 0x3 }.isEmpty, "not reset")
        #expect(harness.seen.last == .request(1, [":method: CONNECT", ":protocol: websocket", ":scheme: https", ":authority: a.example", ":path: /chat", "sec-websocket-version: 13"], endStream: false))
    }

    @Test func anExtendedConnectNeedsSchemePathAndAuthority() {
        let reset = "RST_STREAM(1, PROTOCOL_ERROR)"
        #expect(outcome(websocket, endStream: false, limits: extendedConnect) == "ok")
        #expect(outcome(websocket.filter { $0.0 != ":scheme" }, endStream: false, limits: extendedConnect) == reset, "no :scheme")
        #expect(outcome(websocket.filter { $0.0 != ":path" }, endStream: false, limits: extendedConnect) == reset, "no :path")
        #expect(outcome(websocket.filter { $0.0 != ":authority" }, endStream: false, limits: extendedConnect) == reset, "no :authority")
        #expect(
            outcome(websocket.filter { $0.0 != ":authority" } + [("host", "a.example")], endStream: false, limits: extendedConnect) == reset,
            "Host does not stand in for :authority"
        )
        #expect(outcome(websocket + [(":protocol", "websocket")], endStream: false, limits: extendedConnect) == reset, "duplicate :protocol")
        #expect(outcome(websocket.map { $0.0 == ":protocol" ? ($0.0, "web socket") : $0 }, endStream: false, limits: extendedConnect) == reset, "not a token")
        #expect(outcome(websocket.map { $0.0 == ":path" ? ($0.0, "chat") : $0 }, endStream: false, limits: extendedConnect) == reset, ":path not starting with /")
    }

    @Test func protocolWithoutConnectIsMalformed() {
        let reset = "RST_STREAM(1, PROTOCOL_ERROR)"
        #expect(outcome(get + [(":protocol", "websocket")], limits: extendedConnect) == reset)
        let post = [(":method", "POST"), (":protocol", "websocket"), (":scheme", "https"), (":authority", "a"), (":path", "/")]
        #expect(outcome(post, endStream: false, limits: extendedConnect) == reset)
    }

    @Test func protocolIsUnknownUnlessAnnounced() {
        #expect(outcome(websocket, endStream: false) == "RST_STREAM(1, PROTOCOL_ERROR)")
    }

    @Test func plainConnectRulesStandWithExtendedConnectOn() {
        let reset = "RST_STREAM(1, PROTOCOL_ERROR)"
        #expect(outcome([(":method", "CONNECT"), (":authority", "a.example:443")], limits: extendedConnect) == "ok")
        #expect(outcome([(":method", "CONNECT"), (":authority", "a:1"), (":path", "/")], limits: extendedConnect) == reset)
        #expect(outcome([(":method", "CONNECT"), (":authority", "a:1"), (":scheme", "https")], limits: extendedConnect) == reset)
        #expect(outcome([(":method", "CONNECT")], limits: extendedConnect) == reset)
    }

    @Test func schemeMustMatchTheTransportWhenAsked() {
        #expect(outcome(get, scheme: "https") == "ok")
        #expect(outcome([(":method", "GET"), (":scheme", "http"), (":path", "/")], scheme: "https") == "RST_STREAM(1, PROTOCOL_ERROR)")
        #expect(outcome([(":method", "GET"), (":scheme", "http"), (":path", "/")], scheme: nil) == "ok")
    }

    /// After a malformed request the connection goes on, and the table stayed in step.
    @Test func theConnectionSurvivesAMalformedRequest() {
        let harness = Harness()
        let encoder = RequestEncoder()
        harness.feed(Client.start + Client.headers(1, encoder.request("/", [("X-Bad", "1")])))
        harness.feed(Client.headers(3, encoder.request("/", [("x-good", "1")])))
        #expect(harness.seen.last == .request(3, [":method: GET", ":scheme: https", ":authority: example.com", ":path: /", "x-good: 1"], endStream: true))
        // Frames still in flight for the reset stream are ignored.
        #expect(harness.feed(Client.data(1, "x")).isEmpty)
    }

    @Test func requestLimits() {
        // :method + :scheme + :authority + :path over MaxRequestLineSize: a stream error.
        let longPath = "/" + String(repeating: "a", count: 8192)
        #expect(outcome([(":method", "GET"), (":scheme", "https"), (":authority", "a"), (":path", longPath)]) == "RST_STREAM(1, PROTOCOL_ERROR)")
        // More header fields than MaxRequestHeaderCount: the connection ends, as in Kestrel.
        let many = (0..<101).map { ("x-\($0)", "v") }
        #expect(outcome(get + many) == "connection tooManyHeaders GOAWAY(last 1, PROTOCOL_ERROR)")
        #expect(outcome(get + Array(many.prefix(100))) == "ok")
        // Headers over MaxRequestHeadersTotalSize.
        let big = (0..<5).map { ("x-\($0)", String(repeating: "v", count: 7000)) }
        #expect(outcome(get + big) == "connection compression(HostctlHPACK.HPACKError.Reason.headerListTooLarge(maximum: 32768)) GOAWAY(last 1, PROTOCOL_ERROR)")
        // One field over MaxRequestHeaderFieldSize.
        let small = limits { $0.maxRequestHeaderFieldSize = 100 }
        #expect(outcome(get + [("x", String(repeating: "v", count: 101))], limits: small).hasPrefix("connection compression(HostctlHPACK.HPACKError.Reason.fieldTooLarge"))
    }

    @Test func trailersRules() {
        func trailers(_ fields: [(String, String)], endStream: Bool = true, body: String = "", contentLength: String? = nil) -> [String] {
            let harness = Harness()
            let encoder = RequestEncoder()
            let extra = contentLength.map { [("content-length", $0)] } ?? []
            harness.feed(Client.start + Client.headers(1, encoder.request("/", method: "POST", extra), endStream: false) + (body.isEmpty ? [] : Client.data(1, body)))
            _ = harness.frames()
            harness.feed(Client.headers(1, encoder.block(fields), endStream: endStream))
            return harness.seen.suffix(1).map(\.description) + harness.frames().map(\.description)
        }
        #expect(trailers([("x-sum", "1")]) == ["trailers(1, [\"x-sum: 1\"])"])
        #expect(trailers([(":path", "/")]) == ["reset(1, trailersContainPseudoHeader)", "RST_STREAM(1, PROTOCOL_ERROR)"])
        #expect(trailers([("x-sum", "1")], endStream: false) == ["reset(1, trailersWithoutEndStream)", "RST_STREAM(1, PROTOCOL_ERROR)"])
        #expect(trailers([("X", "1")]) == ["reset(1, headerNameUppercase)", "RST_STREAM(1, PROTOCOL_ERROR)"])
        #expect(trailers([("x", "1")], body: "abc", contentLength: "3") == ["trailers(1, [\"x: 1\"])"])
        #expect(trailers([("x", "1")], body: "ab", contentLength: "3") == ["reset(1, lessDataThanContentLength)", "RST_STREAM(1, PROTOCOL_ERROR)"])
    }

    @Test func contentLengthAgainstData() {
        func body(_ frames: [UInt8], contentLength: String) -> [Seen] {
            let harness = Harness()
            let encoder = RequestEncoder()
            harness.feed(Client.start + Client.headers(1, encoder.request("/", method: "POST", [("content-length", contentLength)]), endStream: false))
            return harness.feed(frames)
        }
        #expect(body(Client.data(1, "abc", endStream: true), contentLength: "3") == [.data(1, "abc", endStream: true)])
        #expect(body(Client.data(1, "ab") + Client.data(1, "c", endStream: true), contentLength: "3") == [.data(1, "ab", endStream: false), .data(1, "c", endStream: true)])
        #expect(body(Client.data(1, "abcd"), contentLength: "3") == [.reset(1, .moreDataThanContentLength)])
        #expect(body(Client.data(1, "ab", endStream: true), contentLength: "3") == [.reset(1, .lessDataThanContentLength)])
        #expect(body(Client.data(1, "", endStream: true), contentLength: "0") == [.data(1, "", endStream: true)])
    }
}
