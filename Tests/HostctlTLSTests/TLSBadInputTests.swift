import CHostctlOpenSSL
import HostctlCore
@testable import HostctlTLS
import Testing

/// Every kind of bad input ends the connection cleanly: a reason, and (but for plain HTTP,
/// answered with a 400) a fatal alert in the output. Nothing crashes, nothing is read as data.
@Suite struct TLSBadInputTests {
    private func feed(_ bytes: [UInt8]) throws -> (TLSServerConnection, ByteBuffer, Result<Bool, TLSFailure>) {
        let server = try TLSServerConnection(context: TLSFixtures.defaultContext)
        let input = ByteBuffer()
        let output = ByteBuffer()
        input.append(bytes)
        let result = Result { () throws(TLSFailure) in try server.handshake(input: input, output: output) }
        return (server, output, result)
    }

    private func failureOf(_ result: Result<Bool, TLSFailure>) -> TLSFailure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }

    @Test func plainHTTPGetsA400() throws {
        let (server, output, result) = try feed(Array("GET / HTTP/1.1\r\nHost: localhost:7123\r\n\r\n".utf8))
        #expect(failureOf(result) == TLSFailure(.plainHTTPRequest))
        #expect(output.readableArray == PlainHTTPDetection.response)
        #expect(String(decoding: output.readableArray, as: UTF8.self).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        // Finished: the next call says the same, and writes nothing more.
        #expect(throws: TLSFailure(.plainHTTPRequest)) { try server.handshake(input: ByteBuffer(), output: output) }
        #expect(output.readableArray == PlainHTTPDetection.response)
    }

    @Test func plainHTTPIsSeenFromItsFirstByte() throws {
        for method in ["GET", "POST", "DELETE", "OPTIONS", "PATCH", "CONNECT"] {
            let (_, _, result) = try feed(Array(method.utf8.prefix(1)))
            #expect(failureOf(result)?.reason == .plainHTTPRequest, "\(method)")
        }
    }

    @Test func nothingYetIsNotAFailure() throws {
        let (server, output, result) = try feed([])
        #expect(try result.get() == false)
        #expect(output.isEmpty && !server.isHandshakeComplete)
    }

    @Test func garbageIsNotTLS() throws {
        for garbage: [UInt8] in [[0x00, 0x01, 0x02, 0x03, 0x04, 0x05], [0x16, 0x00, 0x00, 0x00, 0x10], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]] {
            let (_, _, result) = try feed(garbage)
            #expect(failureOf(result)?.reason == .notTLS, "\(garbage)")
        }
    }

    @Test func aMalformedClientHelloGetsAnAlert() throws {
        // A handshake record holding a ClientHello whose body is three bytes of nonsense.
        let (_, output, result) = try feed([0x16, 0x03, 0x01, 0x00, 0x07, 0x01, 0x00, 0x00, 0x03, 0x03, 0x03, 0xFF])
        let failure = try #require(failureOf(result))
        guard case .protocolViolation = failure.reason else {
            Issue.record("expected a protocol violation, got \(failure)")
            return
        }
        #expect(failure.alertSent == .decodeError)
        #expect(TLSTestClient.alert(in: output.readableArray) == .decodeError)
    }

    @Test func aTruncatedClientHelloWaitsThenEndsCleanly() throws {
        let client = TLSTestClient()
        client.handshake()
        let hello = client.takeOutput()
        let (server, output, result) = try feed(Array(hello.prefix(hello.count / 2)))
        #expect(try result.get() == false)
        #expect(output.isEmpty)
        #expect(server.inputEnded() == TLSFailure(.closedDuringHandshake))
    }

    @Test func tls11IsRefusedWithProtocolVersion() throws {
        for version in [TLS1_VERSION, TLS1_1_VERSION] {
            let client = TLSTestClient(.init(minVersion: version, maxVersion: version))
            client.handshake()
            let (_, output, result) = try feed(client.takeOutput())
            #expect(failureOf(result) == TLSFailure(.unsupportedProtocolVersion, alertSent: .protocolVersion), "version \(version)")
            #expect(TLSTestClient.alert(in: output.readableArray) == .protocolVersion)
        }
    }

    /// An SSLv3 ClientHello, written by hand (no OpenSSL here still speaks it).
    @Test func sslv3IsRefused() throws {
        var body: [UInt8] = [0x03, 0x00]                     // client_version SSL 3.0
        body += [UInt8](repeating: 0x42, count: 32)          // random
        body += [0x00]                                       // session id
        body += [0x00, 0x04, 0x00, 0x2F, 0x00, 0x35]         // two RSA/AES suites
        body += [0x01, 0x00]                                 // null compression
        let handshake: [UInt8] = [0x01, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        let record: [UInt8] = [0x16, 0x03, 0x00, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
        let (_, _, result) = try feed(record)
        #expect(failureOf(result)?.reason == .unsupportedProtocolVersion)
    }

    @Test func aClientAlertEndsTheHandshake() throws {
        // A client that trusts another certificate rejects ours with unknown_ca.
        let pair = try TLSPair(TLSFixtures.defaultContext, .init(trusting: TLSFixtures.certificate(for: "someone.else")))
        pair.client.handshake()
        #expect(try pair.feedHandshake(pair.client.takeOutput()) == false)
        pair.deliverToClient()
        #expect(!pair.client.handshake())
        let alert = pair.client.takeOutput()
        #expect(TLSTestClient.alert(in: alert) == .unknownCA)
        #expect(throws: TLSFailure(.alertReceived(.unknownCA))) { try pair.feedHandshake(alert) }
    }

    @Test func renegotiationIsRefused() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext, .init(maxVersion: TLS1_2_VERSION))
        try pair.handshake()
        #expect(SSL_renegotiate(pair.client.ssl) == 1)
        pair.client.handshake()
        pair.serverInput.append(pair.client.takeOutput())
        #expect(throws: TLSFailure(.renegotiationRefused)) { try pair.serverReads() }
        // Finished for good.
        #expect(throws: TLSFailure(.renegotiationRefused)) { try pair.serverSends(Array("late".utf8)) }
    }

    @Test func garbageAfterTheHandshakeIsAProtocolViolation() throws {
        let pair = try TLSPair(TLSFixtures.defaultContext)
        try pair.handshake()
        // An application-data record whose ciphertext is not ours.
        pair.serverInput.append([0x17, 0x03, 0x03, 0x00, 0x20] + [UInt8](repeating: 0xAB, count: 32))
        #expect {
            try pair.serverReads()
        } throws: { error in
            guard let failure = error as? TLSFailure, case .protocolViolation = failure.reason else { return false }
            return failure.alertSent == .badRecordMAC
        }
    }
}
