import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import HostctlTestSupport
import Testing

/// The HTTP/2 driver without sockets: frames in, frames out, time moved by hand.
@Suite struct HTTP2ConnectionTests {
    @Test func aRequestIsAnsweredWithHeadersAndOneDataFrame() {
        let harness = HTTP2Harness { context in try await context.response.write("path=\(context.request.path) \(context.request.protocol)") }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/one"))
        let response = harness.session.responses[1]
        #expect(response?.status == 200)
        #expect(response?.text == "path=/one HTTP/2")
        #expect(response?.header("content-length") == "16")
        let streamFrames = harness.session.frames.filter { $0.streamID == 1 }
        #expect(streamFrames.map(\.type) == [HTTP2TestFrame.headers, HTTP2TestFrame.data], "the body leaves with END_STREAM in one frame")
        #expect(streamFrames.last?.endsStream == true)
    }

    @Test func workersAreReusedAcrossStreams() {
        let harness = HTTP2Harness { context in try await context.response.write("ok") }
        defer { harness.finish() }
        harness.start()
        for id in stride(from: UInt32(1), through: 9, by: 2) { harness.feed(harness.session.request(id, path: "/")) }
        #expect((1...9).filter { $0 % 2 == 1 }.allSatisfy { harness.session.responses[UInt32($0)]?.text == "ok" })
        #expect(harness.connection.workerCount == 1, "one parked worker took the streams one after another")
        #expect(harness.connection.spareStreams.count == 1, "and one stream object, with its exchange and context")
        harness.heartbeat(after: 1.5)
        #expect(harness.connection.workerCount == 0, "an idle connection holds no task")
        #expect(harness.connection.spareStreams.isEmpty)
        #expect(harness.connection.inbound == nil, "nor a receive buffer")
    }

    /// Many streams in one read: the responses of the first half of the streams a client may
    /// have in flight leave before the rest are made, so the client can work on them
    /// meanwhile; a smaller batch leaves in one send.
    @Test func aLargeBatchOfStreamsSendsItsFirstResponsesEarly() {
        let harness = HTTP2Harness { context in try await context.response.write("ok") }
        defer { harness.finish() }
        harness.start()
        let half = harness.connection.settings.http2EarlyFlushStreams
        #expect(half == 50, "half of Kestrel's MaxStreamsPerConnection, 100")
        let batchSize = half + 8
        func feedBatch(startingAt first: UInt32, count: Int) -> ArraySlice<Int> {
            let before = harness.transport.sendSizes.count
            let ids = (0..<UInt32(count)).map { first + 2 * $0 }
            harness.feed(ids.flatMap { harness.session.request($0, path: "/").bytes })
            #expect(ids.allSatisfy { harness.session.responses[$0]?.text == "ok" }, "every stream answered")
            return harness.transport.sendSizes[before...]
        }
        #expect(feedBatch(startingAt: 1, count: batchSize).count == 2, "\(half) responses, then the other 8")
        #expect(feedBatch(startingAt: 1 + 2 * UInt32(batchSize), count: half).count == 1, "a batch no larger: one send")
    }

    /// Streams that arrive together are queued behind one woken worker; when its app waits,
    /// the stream behind it gets a worker of its own: here it is what lets the first finish.
    @Test func aStreamQueuedBehindAWaitingAppGetsItsOwnWorker() {
        let opened = Gate()
        let harness = HTTP2Harness { context in
            if context.request.path == "/wait" {
                await opened.wait()
                try await context.response.write("waited")
            } else {
                opened.open()
                try await context.response.write("opened")
            }
        }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/wait"), harness.session.request(3, path: "/open"))
        #expect(harness.runUntil { harness.session.responses[1] != nil && harness.session.responses[3] != nil })
        #expect(harness.session.responses[1]?.text == "waited")
        #expect(harness.session.responses[3]?.text == "opened")
        #expect(harness.connection.workerCount == 2)
    }

    @Test func anAppAbortAfterTheResponseStartedResetsOnlyItsStream() {
        let harness = HTTP2Harness { context in
            if context.request.path == "/late" {
                try await context.response.write("partial")
                try await context.response.flush()
                throw TestFailure("late")
            }
            try await context.response.write("fine")
        }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/late"))
        #expect(harness.session.responses[1]?.text == "partial", "what was flushed went out")
        #expect(harness.session.responses[1]?.resetCode == 2, "then RST_STREAM INTERNAL_ERROR")
        harness.feed(harness.session.request(3, path: "/next"))
        #expect(harness.session.responses[3]?.text == "fine", "the connection goes on")
    }

    @Test func aStreamResetByTheClientAbortsItsApp() {
        let aborted = Flag()
        let harness = HTTP2Harness { context in
            context.requestAborted.onAbort { aborted.set() }
            await parkUntilCancelled()
        }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/wait"))
        #expect(harness.connection.streams.count == 1)
        harness.feed(HTTP2TestFrame.rstStream(1))
        #expect(aborted.isSet)
        #expect(harness.connection.streams.isEmpty, "its task was cancelled and the stream finished")
        #expect(harness.session.frames.allSatisfy { $0.streamID != 1 }, "nothing is sent for it")
    }

    @Test func aClosedConnectionLetsGoOfItsStreams() {
        weak var connection: HTTP2Connection?
        weak var spare: HTTP2Stream?
        do {
            let harness = HTTP2Harness { context in try await context.response.write("ok") }
            harness.start()
            harness.feed(harness.session.request(1, path: "/"))
            connection = harness.connection
            spare = harness.connection.spareStreams.first
            #expect(spare != nil, "a finished stream is kept for the next")
            harness.transport.close()
            harness.finish()
        }
        #expect(connection == nil)
        #expect(spare == nil, "the kept stream and its context, which point at each other, are freed")
    }

    @Test func requestBodyWindowsReopenAsTheAppReads() {
        let proceed = Gate()
        let harness = HTTP2Harness(options: { $0.http2.initialStreamWindowSize = 65_535 }) { context in
            await proceed.wait()
            var total = 0
            for try await chunk in context.request.body { total += chunk.count }
            try await context.response.write("\(total)")
        }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, method: "POST", path: "/upload", endStream: false))
        let chunk = [UInt8](repeating: 1, count: 16_384)
        for _ in 0..<3 { harness.feed(HTTP2TestFrame.data(1, chunk)) }
        #expect(harness.session.windowIncrements[1] == nil, "nothing read, nothing credited")
        proceed.open()
        #expect(harness.runUntil { harness.session.windowIncrements[1] != nil })
        #expect((harness.session.windowIncrements[1] ?? 0) >= 32_768, "credited once half the window was read")
        harness.feed(HTTP2TestFrame.data(1, chunk, endStream: true))
        #expect(harness.runUntil { harness.session.responses[1]?.ended == true })
        #expect(harness.session.responses[1]?.text == "65536")
    }

    @Test func aWindowNeverOpenedHoldsBoundedOutputUntilTheMinimumRateEndsIt() {
        let harness = HTTP2Harness(options: {
            $0.minResponseDataRate = MinDataRate(bytesPerSecond: 240, gracePeriod: .seconds(5))
        }) { context in
            let chunk = [UInt8](repeating: 0x78, count: 32 * 1024)
            for _ in 0..<1000 { try await context.response.write(chunk) }
        }
        defer { harness.finish() }
        harness.start(settings: [(0x4, 0)])
        harness.feed(harness.session.request(1, path: "/big"))
        #expect(harness.session.responses[1]?.status == 200)
        #expect(harness.session.responses[1]?.body.isEmpty == true)
        let stream = harness.connection.streams.first
        #expect(stream.map { $0.unsentResponseBytes <= 64 * 1024 + 32 * 1024 } == true, "the app waits: what it wrote stays bounded")
        harness.heartbeat(after: 1)
        harness.heartbeat(after: 3)
        #expect(!harness.transport.closed, "within the grace period")
        harness.heartbeat(after: 3)
        #expect(harness.transport.closed)
        #expect(harness.session.goAway?.code == 2)
    }

    @Test func drainingSendsTwoGoAwaysAndLetsStreamsFinish() {
        let release = Gate()
        let harness = HTTP2Harness { context in
            await release.wait()
            try await context.response.write("done")
        }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/"))
        harness.handler.beginDraining()
        harness.loop.runUntilIdle()
        harness.collect()
        #expect(harness.session.goAway?.lastStreamID == 0x7FFF_FFFF)
        let ping = harness.session.frames.last { $0.type == HTTP2TestFrame.ping }
        #expect(ping != nil)
        harness.feed(HTTP2TestFrame(type: HTTP2TestFrame.ping, flags: HTTP2TestFrame.ack, payload: ping?.payload ?? []))
        #expect(harness.session.goAway?.lastStreamID == 1, "the final GOAWAY names the last stream taken")
        #expect(!harness.transport.closed)
        release.open()
        #expect(harness.runUntil { harness.session.responses[1]?.ended == true })
        #expect(harness.session.responses[1]?.text == "done")
        harness.loop.runUntilIdle()
        #expect(harness.transport.closed)
    }

    @Test func aDrainedIdleConnectionClosesASecondLaterWhenThePingGoesUnanswered() {
        let harness = HTTP2Harness { context in try await context.response.write("ok") }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/"))
        harness.handler.beginDraining()
        harness.loop.runUntilIdle()
        harness.collect()
        #expect(harness.session.goAway?.lastStreamID == 0x7FFF_FFFF)
        #expect(!harness.transport.closed)
        harness.heartbeat(after: 1.1)
        #expect(harness.session.goAway?.lastStreamID == 1)
        #expect(harness.transport.closed)
    }

    @Test func anIdleConnectionEndsAfterTheKeepAliveTimeout() {
        let harness = HTTP2Harness(options: { $0.keepAliveTimeout = .seconds(10) }) { context in try await context.response.write("ok") }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/"))
        harness.heartbeat(after: 6)
        #expect(!harness.transport.closed)
        harness.heartbeat(after: 6)
        #expect(harness.session.goAway?.code == 0)
        #expect(harness.transport.closed)
    }

    @Test func keepAlivePingsAndTheirTimeout() {
        let harness = HTTP2Harness(options: {
            $0.http2.keepAlivePingDelay = .seconds(10)
            $0.http2.keepAlivePingTimeout = .seconds(5)
            $0.keepAliveTimeout = .seconds(1000)
        }) { _ in }
        defer { harness.finish() }
        harness.start()
        func pings() -> [HTTP2TestFrame] { harness.session.frames.filter { $0.type == HTTP2TestFrame.ping && $0.flags == 0 } }
        // Time passes a second at a time, as the server's heartbeat sees it.
        func secondsUntil(_ limit: Int, _ condition: () -> Bool) -> Int? {
            for second in 1...limit {
                harness.heartbeat(after: 1)
                if condition() { return second }
            }
            return nil
        }
        let first = secondsUntil(20) { !pings().isEmpty }
        #expect(first.map { (10...12).contains($0) } == true, "a PING after 10 s without a frame")
        harness.feed(HTTP2TestFrame(type: HTTP2TestFrame.ping, flags: HTTP2TestFrame.ack, payload: pings().last?.payload ?? []))
        let second = secondsUntil(20) { pings().count == 2 }
        #expect(second != nil, "answered, and silent again: another PING")
        #expect(!harness.transport.closed, "an answered PING keeps the connection")
        let closed = secondsUntil(10) { harness.transport.closed }
        #expect(closed.map { (5...7).contains($0) } == true, "unanswered: closed after the 5 s timeout")
        #expect(harness.session.goAway != nil)
    }

    @Test func aPrefaceThatNeverCompletesTimesOut() {
        let harness = HTTP2Harness(options: { $0.requestHeadersTimeout = .seconds(30) }) { _ in }
        defer { harness.finish() }
        harness.feed(Array(HTTP2TestFrame.preface.prefix(10)))
        harness.heartbeat(after: 20)
        #expect(!harness.transport.closed)
        harness.heartbeat(after: 11)
        #expect(harness.transport.closed, "the request headers timeout covers the preface, as Kestrel's covers the connection")
    }

    @Test func theClientPrefaceHandsAnHTTP1ConnectionOver() {
        let harness = HTTP2Harness(protocols: [.http1, .http2]) { context in try await context.response.write("over \(context.request.protocol)") }
        defer { harness.finish() }
        #expect(harness.transport.handler is HTTP1Connection)
        harness.start()
        #expect(harness.transport.handler is HTTP2Connection, "the transport calls the HTTP/2 driver directly")
        harness.feed(harness.session.request(1, path: "/"))
        #expect(harness.session.responses[1]?.text == "over HTTP/2")
        #expect(harness.core.activeConnections == 1, "still one connection to the core")
    }

    // MARK: TLS facts (a TLS layer would report them)

    static func tls(_ version: TLSConnectionInfo.ProtocolVersion, _ cipher: String, alpn: String?) -> TLSConnectionInfo {
        TLSConnectionInfo(protocolVersion: version, cipherSuite: cipher, applicationProtocol: alpn, serverName: nil, clientCertificate: nil, isResumed: false)
    }

    @Test func h2OverTLSWithAProhibitedCipherIsInadequateSecurity() {
        let harness = HTTP2Harness(protocols: [.http1, .http2], tls: Self.tls(.tls12, "TLS_RSA_WITH_AES_128_CBC_SHA", alpn: "h2")) { _ in }
        defer { harness.finish() }
        #expect(harness.session.goAway?.code == 0xC, "INADEQUATE_SECURITY")
        #expect(harness.transport.closed)
    }

    @Test func h2OverTLSWithAnAllowedCipherIsServed() {
        let harness = HTTP2Harness(tls: Self.tls(.tls12, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", alpn: "h2")) { context in
            try await context.response.write("\(context.request.scheme) \(context.connection.isSecure)")
        }
        defer { harness.finish() }
        harness.start()
        harness.feed(harness.session.request(1, path: "/", scheme: "https"))
        #expect(harness.session.responses[1]?.text == "https true")
    }

    @Test func anHTTP2OnlyTLSEndpointClosesAConnectionThatDidNotNegotiateH2() {
        let harness = HTTP2Harness(protocols: .http2, tls: Self.tls(.tls13, "TLS_AES_128_GCM_SHA256", alpn: "http/1.1")) { _ in }
        defer { harness.finish() }
        #expect(harness.transport.closed)
        #expect(harness.session.frames.isEmpty, "nothing sent")
        #expect(harness.core.activeConnections == 0)
    }
}

@Suite struct ProtocolChoiceTests {
    static func tls(_ version: TLSConnectionInfo.ProtocolVersion = .tls13, _ cipher: String = "TLS_AES_128_GCM_SHA256", alpn: String?) -> TLSConnectionInfo {
        HTTP2ConnectionTests.tls(version, cipher, alpn: alpn)
    }

    @Test func cleartext() {
        #expect(ProtocolChoice.choose([.http1, .http2], tls: nil) == .http1OrHTTP2Preface)
        #expect(ProtocolChoice.choose(.http1, tls: nil) == .http1)
        #expect(ProtocolChoice.choose(.http2, tls: nil) == .http2)
        #expect(ProtocolChoice.choose([], tls: nil) == .refused("An endpoint must be configured to serve at least one protocol."))
    }

    @Test func byALPN() {
        #expect(ProtocolChoice.choose([.http1, .http2], tls: Self.tls(alpn: "h2")) == .http2)
        #expect(ProtocolChoice.choose([.http1, .http2], tls: Self.tls(alpn: "http/1.1")) == .http1)
        #expect(ProtocolChoice.choose([.http1, .http2], tls: Self.tls(alpn: nil)) == .http1, "no ALPN: HTTP/1.1, as Kestrel")
        #expect(ProtocolChoice.choose(.http2, tls: Self.tls(alpn: nil)) == .refused("HTTP/2 over TLS was not negotiated on an HTTP/2-only endpoint."))
        #expect(ProtocolChoice.choose(.http1, tls: Self.tls(alpn: "h2")) == .refused("HTTP/2 was negotiated on an endpoint that does not serve HTTP/2."))
    }

    @Test func prohibitedCipherSuites() {
        #expect(HTTP2TLSRequirements.isProhibited("TLS_RSA_WITH_AES_128_GCM_SHA256"), "no ephemeral key exchange")
        #expect(HTTP2TLSRequirements.isProhibited("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"), "not AEAD")
        #expect(HTTP2TLSRequirements.isProhibited("TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"))
        #expect(!HTTP2TLSRequirements.isProhibited("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"))
        #expect(!HTTP2TLSRequirements.isProhibited("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"))
        #expect(!HTTP2TLSRequirements.isProhibited("TLS_ECDHE_ECDSA_WITH_AES_128_CCM"))
        #expect(HTTP2TLSRequirements.problem(with: Self.tls(.tls13, "TLS_AES_128_GCM_SHA256", alpn: "h2")) == nil)
        #expect(HTTP2TLSRequirements.problem(with: Self.tls(.tls12, "TLS_RSA_WITH_AES_256_CBC_SHA", alpn: "h2")) != nil)
    }
}
