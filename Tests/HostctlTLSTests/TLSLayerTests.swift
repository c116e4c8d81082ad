import CHostctlOpenSSL
import HostctlCore
@testable import HostctlTLS
import Testing

/// The TLS layer between an in-memory transport and an in-memory protocol, against an
/// OpenSSL client: what the protocol is given and when, what goes out, and how each kind of
/// ending ends.
@Suite struct TLSLayerTests {
    @Test func theProtocolIsMadeAfterTheHandshakeWithItsFacts() throws {
        let rig = TLSLayerRig(TLSFixtures.context(.init(applicationProtocols: TLSFixtures.protocols("h2", "http/1.1"))),
                              client: .init(applicationProtocols: ["http/1.1"]))
        rig.client.handshake()
        rig.clientToServer()
        #expect(rig.above == nil, "no protocol before the handshake completes")
        rig.handshake()
        let above = try #require(rig.above)
        let tls = try #require(above.transport.tls)
        #expect(tls.applicationProtocol == "http/1.1")
        #expect(tls.serverName == "localhost")
        #expect(tls.protocolVersion == .tls13)
        #expect(above.transport.remoteAddress == rig.below.remoteAddress)
        #expect(!above.transport.carriesBytesUnchanged, "files go through the copy path over TLS")
    }

    @Test func requestsReachTheProtocolAndResponsesTheClient() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        #expect(rig.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        let above = try #require(rig.above)
        let response = ByteBuffer()
        response.append("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        let returned = above.transport.send(response)
        #expect(returned === response && response.isEmpty, "a send the transport takes at once comes back at once")
        rig.serverToClient()
        #expect(rig.client.read() == Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".utf8))
    }

    /// The client's request right behind its Finished, in one segment: delivered with the handshake.
    @Test func aRequestInTheFinishedFlightIsDelivered() throws {
        let rig = TLSLayerRig()
        rig.client.handshake()
        rig.clientToServer()
        rig.serverToClient()
        #expect(rig.client.handshake())
        rig.client.write(Array("GET /first HTTP/1.1\r\n\r\n".utf8))
        rig.clientToServer()
        #expect(try #require(rig.above).takeReceived() == Array("GET /first HTTP/1.1\r\n\r\n".utf8))
    }

    /// The handshake and then a request, the ciphertext split at every size of piece.
    @Test func ciphertextInPiecesOfEverySize() {
        for piece in [1, 2, 3, 5, 7, 64, 517, 1000] {
            let rig = TLSLayerRig()
            rig.handshake(piece: piece)
            #expect(rig.clientSends("GET /pieces HTTP/1.1\r\n\r\n", piece: piece) == Array("GET /pieces HTTP/1.1\r\n\r\n".utf8), "piece \(piece)")
        }
    }

    /// A protocol with little room gets a large record in parts, all of it.
    @Test func aSmallReceiveSpaceTakesARecordInParts() {
        let rig = TLSLayerRig(aboveSpace: 7)
        rig.handshake()
        let text = String(repeating: "abcdefghij", count: 300)
        #expect(rig.clientSends(text) == Array(text.utf8))
    }

    /// With both ciphertext buffers busy (one in flight, one full), the protocol's buffer is
    /// held and handed back through sendCompleted once encrypted; everything arrives in order.
    @Test func aLargeResponseWhileSendsAreHeld() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        let above = try #require(rig.above)
        rig.below.holdsSends = true
        let body = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let plaintext = ByteBuffer()
        plaintext.append(body)
        #expect(above.transport.send(plaintext) == nil, "too much for two ciphertext buffers")
        #expect(plaintext.readableCount > 0 && plaintext.readableCount < body.count, "encrypted as far as the buffers go")
        var received: [UInt8] = []
        var rounds = 0
        while above.completedSends.isEmpty, rounds < 100 {
            rig.below.completeHeldSend()
            rig.serverToClient()
            received += rig.client.read()
            rounds += 1
        }
        #expect(above.completedSends.first === plaintext && plaintext.isEmpty)
        while rig.below.held != nil {
            rig.below.completeHeldSend()
            rig.serverToClient()
            received += rig.client.read()
        }
        #expect(received == body)
        #expect(above.transport.sentByteCount > body.count, "progress counted in ciphertext, records included")
    }

    @Test func aProtocolThatHoldsAllItMayPausesReadingUntilItResumes() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        let above = try #require(rig.above)
        above.stalls = true
        rig.client.write(Array("first".utf8))
        rig.clientToServer()
        rig.client.write(Array("second".utf8))
        rig.clientToServer()
        #expect(above.takeReceived().isEmpty)
        #expect(rig.below.readingPaused, "the layer asks the transport to stop reading")
        above.stalls = false
        above.transport.resumeReading()
        #expect(above.takeReceived() == Array("first".utf8), "what the layer held, at once")
        rig.loop.run()  // the transport reads again after the call returns, as both do
        #expect(above.takeReceived() == Array("second".utf8))
        #expect(rig.below.resumes == 1)
    }

    @Test func closeSendsCloseNotifyAfterWhatWasSentThenCloses() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        let above = try #require(rig.above)
        rig.below.holdsSends = true
        let response = ByteBuffer()
        response.append("last words")
        #expect(above.transport.send(response) === response, "encrypted at once: handed back")
        above.transport.close()
        #expect(!rig.below.closed, "records in flight go out first")
        rig.below.completeHeldSend()  // the response
        rig.below.completeHeldSend()  // close_notify
        #expect(rig.below.closed)
        rig.serverToClient()
        #expect(rig.client.read() == Array("last words".utf8))
        #expect(rig.client.receivedCloseNotify)
        rig.loop.run()
        #expect(above.transportClosedCount == 1)
    }

    @Test func theClientsCloseNotifyEndsInputAfterItsData() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        let above = try #require(rig.above)
        rig.client.write(Array("bye".utf8))
        _ = SSL_shutdown(rig.client.ssl)
        rig.clientToServer()
        #expect(above.takeReceived() == Array("bye".utf8))
        #expect(above.inputClosedCount == 1)
        rig.below.endInput()
        #expect(above.inputClosedCount == 1, "told once")
    }

    @Test func aFINWithoutCloseNotifyEndsInputToo() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        let above = try #require(rig.above)
        rig.client.write(Array("partial".utf8))
        let record = rig.client.takeOutput()
        _ = rig.below.deliver(Array(record.dropLast(3)))  // a truncated record
        rig.below.endInput()
        #expect(above.takeReceived().isEmpty)
        #expect(above.inputClosedCount == 1, "HTTP's framing judges the truncation")
    }

    /// Plain HTTP gets the engine's 400, then output shuts down and what follows is read and
    /// dropped until the client closes: the answer is not lost to a reset. Nothing is made above.
    @Test func plainHTTPGets400ThenALingeringClose() {
        let rig = TLSLayerRig()
        _ = rig.below.deliver(Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        let answer = String(decoding: rig.below.takeSent(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.contains("Detected a plain HTTP request to an endpoint that has TLS enabled"))
        #expect(rig.below.outputShutDown && !rig.below.closed)
        #expect(rig.below.deliver(Array(repeating: UInt8(ascii: "x"), count: 5000)) == 5000, "read and dropped")
        rig.below.endInput()
        #expect(rig.below.closed)
        #expect(rig.above == nil)
        #expect(rig.failures.reasons == [.plainHTTPRequest])
    }

    @Test func lingeringEndsAtItsTimeOrItsBytes() {
        let timed = TLSLayerRig()
        _ = timed.below.deliver(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        timed.layer.heartbeat(now: timed.loop.now + 1_000_000_000)
        #expect(!timed.below.closed)
        timed.layer.heartbeat(now: timed.loop.now + 2_000_000_000)
        #expect(timed.below.closed)

        let flooded = TLSLayerRig()
        _ = flooded.below.deliver(Array("POST / HTTP/1.1\r\n\r\n".utf8))
        _ = flooded.below.deliver([UInt8](repeating: 0, count: 70_000))
        #expect(flooded.below.closed, "no more than 64 KiB is read after the answer")
    }

    /// A held 400 (a completion transport) shuts output down only once it has gone.
    @Test func theAnswerGoesBeforeTheShutdown() {
        let rig = TLSLayerRig()
        rig.below.holdsSends = true
        _ = rig.below.deliver(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(!rig.below.outputShutDown)
        rig.below.completeHeldSend()
        #expect(rig.below.outputShutDown)
    }

    @Test func aStalledHandshakeTimesOut() {
        let rig = TLSLayerRig(limits: TLSLayerLimits(handshakeTimeout: 3_000_000_000))
        rig.client.handshake()
        let hello = rig.client.takeOutput()
        _ = rig.below.deliver(Array(hello.prefix(10)))
        rig.tick(seconds: 2)
        #expect(!rig.below.closed)
        rig.tick(seconds: 2)
        #expect(rig.below.closed)
        #expect(rig.failures.reasons == [.handshakeTimedOut])
        #expect(rig.above == nil)
    }

    /// A ClientHello trickled in (part of a record in, the rest coming too slowly) ends
    /// before the timeout, once the grace period is over.
    @Test func aTrickledHandshakeEndsAtTheMinimumRate() {
        var limits = TLSLayerLimits(handshakeTimeout: 60_000_000_000)
        limits.minimumHandshakeRate = (bytesPerSecond: 100, grace: 2_000_000_000)
        let rig = TLSLayerRig(limits: limits)
        rig.client.handshake()
        let hello = rig.client.takeOutput()
        for (second, byte) in hello.prefix(5).enumerated() {
            _ = rig.below.deliver([byte])
            rig.tick(seconds: 1)
            if rig.below.closed {
                #expect(second >= 2, "not within the grace period")
                break
            }
        }
        #expect(rig.below.closed)
        #expect(rig.failures.reasons == [.handshakeTooSlow])
    }

    /// A client connected and silent is held to the timeout only (nothing has started to come).
    @Test func aSilentClientIsHeldToTheTimeoutOnly() {
        let rig = TLSLayerRig()
        rig.tick(seconds: 9)
        #expect(!rig.below.closed)
        rig.tick(seconds: 2)
        #expect(rig.below.closed)
    }

    @Test func garbageAndOldVersionsEndWithAnAlertAndNothingAbove() {
        let garbage = TLSLayerRig()
        _ = garbage.below.deliver([0x16, 0x03, 0x01, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(garbage.above == nil)
        #expect(garbage.failures.all.count == 1)
        #expect(garbage.below.outputShutDown || garbage.below.closed)

        let old = TLSLayerRig(client: .init(minVersion: TLS1_VERSION, maxVersion: TLS1_1_VERSION))
        old.client.handshake()
        old.clientToServer()
        #expect(old.failures.reasons == [.unsupportedProtocolVersion])
        #expect(TLSTestClient.alert(in: old.below.takeSent()) == .protocolVersion)
        #expect(old.above == nil)
    }

    @Test func aClientThatClosesMidHandshakeIsReported() {
        let rig = TLSLayerRig()
        rig.client.handshake()
        let hello = rig.client.takeOutput()
        _ = rig.below.deliver(Array(hello.prefix(20)))
        rig.below.endInput()
        #expect(rig.below.closed)
        #expect(rig.failures.reasons == [.closedDuringHandshake])
    }

    @Test func drainingEndsHandshakesInProgressAndTellsTheProtocolOtherwise() throws {
        let handshaking = TLSLayerRig()
        handshaking.client.handshake()
        handshaking.clientToServer()
        handshaking.layer.beginDraining()
        #expect(handshaking.below.closed)

        let open = TLSLayerRig()
        open.handshake()
        open.layer.beginDraining()
        #expect(try #require(open.above).drained)
        #expect(!open.below.closed)
    }

    /// After a heartbeat with nothing moving, the layer drops its buffers; the next request
    /// is served as before.
    @Test func idleConnectionsGiveTheirBuffersBack() throws {
        let rig = TLSLayerRig()
        rig.handshake()
        _ = rig.clientSends("ping")
        let layer = try #require(rig.layer as? TLSLayer)
        rig.layer.heartbeat(now: rig.loop.now)
        #expect(layer.bufferedCapacity > 0, "active since the last heartbeat: kept")
        rig.layer.heartbeat(now: rig.loop.now + 1_000_000_000)
        #expect(layer.bufferedCapacity == 0)
        #expect(rig.clientSends("pong") == Array("pong".utf8))
        #expect(try #require(rig.above).heartbeats == 2)
    }

    /// The protocol holds the layer as its transport and the layer holds the protocol: once
    /// the connection has closed, neither may keep the other alive.
    @Test func aClosedConnectionLeavesNothingBehind() {
        weak var layer: TLSLayer?
        weak var above: RecordingProtocol?
        do {
            let rig = TLSLayerRig()
            rig.handshake()
            layer = rig.layer as? TLSLayer
            above = rig.above
            rig.above?.transport.close()
            rig.loop.run()
            #expect(rig.below.transportClosedDelivered)
        }
        #expect(layer == nil && above == nil)
    }

    @Test func aRenegotiationAttemptEndsTheConnection() throws {
        let rig = TLSLayerRig(client: .init(maxVersion: TLS1_2_VERSION))
        rig.handshake()
        #expect(SSL_renegotiate(rig.client.ssl) == 1)
        rig.client.handshake()
        rig.clientToServer()
        #expect(rig.failures.reasons == [.renegotiationRefused])
        #expect(rig.below.outputShutDown || rig.below.closed)
    }

    @Test func aFatalAlertFromTheClientEndsTheHandshake() {
        let rig = TLSLayerRig(client: .init(trusting: TLSFixtures.certificate(for: "other.example")))
        rig.client.handshake()
        rig.clientToServer()
        rig.serverToClient()
        rig.client.handshake()  // fails verification: sends a fatal alert
        rig.clientToServer()
        #expect(rig.failures.reasons.count == 1)
        if case .alertReceived = rig.failures.reasons.first {} else { Issue.record("expected an alert, got \(rig.failures.all)") }
        #expect(rig.above == nil)
    }
}
