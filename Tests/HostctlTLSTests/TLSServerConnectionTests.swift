import CHostctlOpenSSL
import HostctlCore
@testable import HostctlTLS
import Testing

/// The engine against an OpenSSL client over memory: handshakes, data both ways in every
/// split, and the facts a connection exposes.
@Suite struct TLSServerConnectionTests {
    @Test func tls13HandshakeAgreesOnTheExpected() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        let info = try #require(pair.server.info)
        #expect(info.protocolVersion == .tls13)
        #expect(info.cipherSuite.hasPrefix("TLS_AES_") || info.cipherSuite == "TLS_CHACHA20_POLY1305_SHA256")
        #expect(info.serverName == "localhost")
        #expect(info.applicationProtocol == nil)
        #expect(info.clientCertificate == nil)
        #expect(!info.isResumed)
        #expect(pair.client.peerCertificate == TLSFixtures.localhost.der)
        #expect(pair.server.certificate === TLSFixtures.localhost)
    }

    @Test func tls12HandshakeUsesAnECDHESuite() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext, .init(maxVersion: TLS1_2_VERSION))
        try pair.handshake()
        let info = try #require(pair.server.info)
        #expect(info.protocolVersion == .tls12)
        #expect(info.cipherSuite.hasPrefix("TLS_ECDHE_ECDSA_WITH_"))
    }

    @Test func dataFlowsBothWays() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        let request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        #expect(try pair.clientSends(request) == Array(request.utf8))
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".utf8)
        #expect(try pair.serverSends(response) == response)
    }

    @Test func largeWritesArriveWhole() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try pair.serverSends(body) == body)
        let upload = String(repeating: "0123456789", count: 5_000)
        #expect(try pair.clientSends(upload) == Array(upload.utf8))
    }

    /// Every split of the ClientHello (and of the client's second flight) finishes the handshake.
    @Test func handshakeFlightsSplitAtEveryOffset() throws {
        let probe = try TLSPair(TLSFixtures.defaultContext)
        probe.client.handshake()
        let helloLength = probe.client.takeOutput().count
        #expect(helloLength > 100)
        for piece in 1...helloLength {
            let pair = try TLSPair(TLSFixtures.defaultContext)
            try pair.handshake(piece: piece)
            #expect(pair.server.isHandshakeComplete, "piece \(piece)")
            if !pair.server.isHandshakeComplete { break }
        }
    }

    /// Application records split at every offset arrive whole and in order.
    @Test func recordsSplitAtEveryOffset() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        let messages = ["first record", "second, a little longer record", "3"]
        for message in messages { pair.client.write(Array(message.utf8)) }
        let records = pair.client.takeOutput()
        let expected = Array(messages.joined().utf8)
        for split in 0...records.count {
            let fresh = try TLSPair(TLSFixtures.defaultContext)
            try fresh.handshake()
            for message in messages { fresh.client.write(Array(message.utf8)) }
            let bytes = fresh.client.takeOutput()
            fresh.serverInput.append(bytes[0..<split])
            var received = try fresh.serverReads().bytes
            fresh.serverInput.append(bytes[split...])
            received += try fresh.serverReads().bytes
            #expect(received == expected, "split at \(split)")
            if received != expected { break }
        }
    }

    /// curl and browsers send the request right behind their Finished: the handshake call
    /// completes, and the request is there for the first read (in the input or read ahead).
    @Test func aRequestInTheSameFlightAsFinished() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        pair.client.handshake()
        #expect(try pair.feedHandshake(pair.client.takeOutput()) == false)
        pair.deliverToClient()
        #expect(pair.client.handshake())
        pair.client.write(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(try pair.feedHandshake(pair.client.takeOutput()))
        #expect(try pair.serverReads().bytes == Array("GET / HTTP/1.1\r\n\r\n".utf8))
    }

    /// A TLS 1.3 KeyUpdate asking for ours: OpenSSL sends it ahead of the next write, and data
    /// goes on both ways under the new keys.
    @Test func keyUpdatesAreAnsweredWhileReading() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        _ = pair.client.read()
        pair.serverOutput.clear()
        #expect(SSL_key_update(pair.client.ssl, SSL_KEY_UPDATE_REQUESTED) == 1)
        #expect(try pair.clientSends("after the update") == Array("after the update".utf8))
        #expect(try pair.serverSends(Array("reply".utf8)) == Array("reply".utf8))
    }

    @Test func aSmallReadSpaceLeavesTheRestBuffered() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        pair.client.write(Array("0123456789".utf8))
        pair.serverInput.append(pair.client.takeOutput())
        var space = [UInt8](repeating: 0, count: 4)
        let first = try space.withUnsafeMutableBytes { try pair.server.read(input: pair.serverInput, into: $0, output: pair.serverOutput) }
        #expect(first == .plaintext(4))
        #expect(pair.serverInput.isEmpty && pair.server.hasBufferedData)
        #expect(try pair.serverReads().bytes == Array("456789".utf8))
        #expect(!pair.server.hasBufferedData)
    }

    @Test func closeSendsCloseNotifyOnce() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        pair.server.close(output: pair.serverOutput)
        let closing = pair.serverOutput.readableCount
        #expect(closing > 0)
        pair.server.close(output: pair.serverOutput)
        #expect(pair.serverOutput.readableCount == closing)
        pair.deliverToClient()
        #expect(pair.client.receivedCloseNotify)
    }

    @Test func thePeersCloseNotifyEndsReading() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        pair.client.write(Array("last".utf8))
        _ = SSL_shutdown(pair.client.ssl)
        pair.serverInput.append(pair.client.takeOutput())
        let (bytes, closed) = try pair.serverReads()
        #expect(bytes == Array("last".utf8) && closed)
        #expect(pair.server.inputEnded() == nil)
    }

    @Test func inputEndingWithoutCloseNotifyIsReportedNotFatal() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        #expect(pair.server.inputEnded()?.reason == .closedWithoutCloseNotify)
        #expect(try pair.clientSends("still fine") == Array("still fine".utf8))
    }

    @Test func idleConnectionsGiveTheirBuffersBack() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        _ = try pair.clientSends("ping")
        #expect(pair.server.releaseBuffers())
        #expect(try pair.clientSends("again") == Array("again".utf8))
    }

    // MARK: Resumption

    @Test(arguments: [(TLS1_3_VERSION, false), (TLS1_2_VERSION, false), (TLS1_2_VERSION, true)])
    func sessionsResume(version: Int32, sessionIDs: Bool) throws {
        let context = TLSFixtures.context()
        let first = try TLSPair(context, .init(maxVersion: version, noTickets: sessionIDs))
        try first.handshake()
        _ = first.client.read()  // takes the TLS 1.3 tickets
        let session = try #require(first.client.session())
        defer { SSL_SESSION_free(session) }
        let second = try TLSPair(context, .init(maxVersion: version, session: session, noTickets: sessionIDs))
        try second.handshake()
        #expect(second.server.info?.isResumed == true)
        #expect(try second.clientSends("resumed") == Array("resumed".utf8))
    }

    // MARK: ALPN

    @Test func alpnPrefersTheServersOrder() throws {
        let context = TLSFixtures.context(.init(applicationProtocols: TLSFixtures.protocols("h2", "http/1.1")))
        let pair = try TLSPair(context, .init(applicationProtocols: ["http/1.1", "h2"]))
        try pair.handshake()
        #expect(pair.server.info?.applicationProtocol == "h2")
        let older = try TLSPair(context, .init(applicationProtocols: ["http/1.1"]))
        try older.handshake()
        #expect(older.server.info?.applicationProtocol == "http/1.1")
    }

    @Test func alpnWithNothingInCommonIsRefused() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext, .init(applicationProtocols: ["h2", "spdy/3"]))
        #expect(throws: TLSFailure(.noApplicationProtocol, alertSent: .noApplicationProtocol)) { try pair.handshake() }
    }

    // MARK: SNI

    @Test func serverNamesChooseTheirCertificates() throws {
        let api = TLSFixtures.certificate(for: "api.example.org")
        let wildcard = TLSFixtures.certificate(for: "wildcard.example.org")
        let named = try TLSCertificateStoreTests.store(default: TLSFixtures.localhost, names: ["api.example.org": api, "*.example.org": wildcard])
        let context = try TLSServerContext(certificates: named.store)
        defer { named.directory.remove() }
        for (name, expected) in [("api.example.org", api), ("www.example.org", wildcard), ("API.Example.ORG", api), ("other.test", TLSFixtures.localhost)] {
            let pair = try TLSPair(context, .init(serverName: name))
            try pair.handshake()
            #expect(pair.client.peerCertificate == expected.der, "\(name)")
            #expect(pair.server.info?.serverName == name.lowercased())
        }
        let anonymous = try TLSPair(context, .init(serverName: nil))
        try anonymous.handshake()
        #expect(anonymous.client.peerCertificate == TLSFixtures.localhost.der)
        #expect(anonymous.server.info?.serverName == nil)
    }

    @Test func anUnknownNameWithoutADefaultIsRefused() throws {
        let api = TLSFixtures.certificate(for: "api.example.org")
        let named = try TLSCertificateStoreTests.store(default: nil, names: ["api.example.org": api])
        defer { named.directory.remove() }
        let context = try TLSServerContext(certificates: named.store)
        let pair = try TLSPair(context, .init(serverName: "other.example.org"))
        #expect(throws: TLSFailure(.unrecognizedServerName("other.example.org"), alertSent: .unrecognizedName)) { try pair.handshake() }
    }

    // MARK: Client certificates

    @Test func requiredClientCertificateMissing() throws {
        let context = TLSFixtures.context(.init(clientCertificateMode: .requireCertificate, allowAnyClientCertificate: true))
        let pair = try TLSPair(context)
        #expect(throws: TLSFailure(.clientCertificateRequired, alertSent: .certificateRequired)) { try pair.handshake() }
    }

    @Test func allowedClientCertificateMayBeAbsent() throws {
        let context = TLSFixtures.context(.init(clientCertificateMode: .allowCertificate))
        let pair = try TLSPair(context)
        try pair.handshake()
        #expect(pair.server.info?.clientCertificate == nil)
    }

    @Test func clientCertificateIsExposed() throws {
        let clientCertificate = TLSFixtures.certificate(for: "client.example.org")
        let context = TLSFixtures.context(.init(clientCertificateMode: .requireCertificate, allowAnyClientCertificate: true))
        let pair = try TLSPair(context, .init(certificate: clientCertificate))
        try pair.handshake()
        #expect(pair.server.info?.clientCertificate == clientCertificate.der)
    }

    @Test func untrustedClientCertificateIsRejected() throws {
        let clientCertificate = TLSFixtures.certificate(for: "client.example.org")
        let context = TLSFixtures.context(.init(clientCertificateMode: .allowCertificate))
        let pair = try TLSPair(context, .init(certificate: clientCertificate))
        #expect {
            try pair.handshake()
        } throws: { error in
            guard let failure = error as? TLSFailure, case .clientCertificateRejected(let why) = failure.reason else { return false }
            return why.contains("self-signed") || why.contains("self signed")
        }
    }
}
